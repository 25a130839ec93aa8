"""Random tables survive every transform with values (and their types) intact."""

import datetime as dt
import math

import petl
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from turnout import Table
from turnout.errors import TableError
from turnout.table import rows as rows_module

scalars = {
    "int": st.integers(-(2**63), 2**63 - 1),
    "bigint": st.integers(2**63, 2**70),
    "float": st.floats(),
    "str": st.text(max_size=4),
    "bool": st.booleans(),
    "date": st.dates(),
    "datetime": st.datetimes(),
    "aware": st.datetimes(timezones=st.just(dt.timezone(dt.timedelta(hours=-5)))),
    "dict": st.dictionaries(st.sampled_from("ab"), st.integers(-3, 3), max_size=2),
    "list": st.lists(st.integers(-3, 3), max_size=2),
}
scalars["mixed"] = st.one_of(
    scalars["int"], scalars["float"], scalars["str"], scalars["bool"], scalars["dict"]
)


@st.composite
def tables(draw, max_columns=3, max_rows=6):
    kinds = draw(st.lists(st.sampled_from(sorted(scalars)), min_size=1, max_size=max_columns))
    count = draw(st.integers(0, max_rows))
    rows = []
    for _ in range(count):
        row = {}
        for index, kind in enumerate(kinds):
            value = draw(st.one_of(st.none(), scalars[kind]))
            row[f"c{index}"] = value
        rows.append(row)
    return rows


def same(left, right):
    """Equal with the same types all the way down; NaN equals NaN."""
    if type(left) is not type(right):
        return False
    if isinstance(left, float) and math.isnan(left):
        return math.isnan(right)
    if isinstance(left, dt.datetime):
        return repr(left) == repr(right)  # == ignores fold and compares aware values by instant
    if isinstance(left, list | tuple):
        return len(left) == len(right) and all(map(same, left, right))
    if isinstance(left, dict):
        return list(left) == list(right) and all(same(left[k], right[k]) for k in left)
    return left == right


SETTINGS = settings(max_examples=60, deadline=None)


@SETTINGS
@given(tables())
def test_values_come_back_exactly(rows):
    tbl = Table(rows)
    assert same(list(tbl), rows)
    if rows:
        assert same(tbl[0], rows[0])
        assert same(tbl[-1], rows[-1])
        assert same(tbl["c0"], [row["c0"] for row in rows])


@SETTINGS
@given(tables())
def test_petl_round_trip(rows):
    tbl = Table(rows)
    assert same(list(Table(tbl.table)), rows)
    assert same(list(Table(petl.wrap(list(tbl.table)))), rows)
    assert same(list(petl.dicts(tbl.table)), rows)


@SETTINGS
@given(tables())
def test_polars_and_arrow_round_trip_or_refuse_clearly(rows):
    tbl = Table(rows)
    try:
        frame = tbl.to_polars()
    except TableError as error:
        assert "column 'c" in str(error)
        return
    assert same(list(Table(frame)), list(tbl))
    assert same(list(Table(tbl.to_arrow())), list(tbl))


@SETTINGS
@given(tables(), st.data())
def test_transforms_keep_values(rows, data):
    columns = list(rows[0]) if rows else []
    tbl = Table(rows)
    if not columns:
        return
    name = data.draw(st.sampled_from(columns))
    values = [row[name] for row in rows]

    assert same(Table(rows).add_column("new", 7)["new"], [7] * len(rows))
    assert same(Table(rows).rename_column(name, "renamed")["renamed"], values)
    assert same(Table(rows).move_column(name, 0)[name], values)
    assert same(tbl.cut(name)[name], values)
    assert same(tbl.select_rows(lambda row: True)[name], values)
    assert same(tbl.select_rows(f"{{{name}}} is None")[name], [v for v in values if v is None])
    assert same(Table(rows).convert_column(name, lambda v: v)[name], values)
    assert same(Table(rows).head(2)[name], values[:2])
    assert same(Table(rows).tail(2)[name], values[-2:] if len(values) >= 2 else values)
    assert same(Table(rows).concat(Table(rows))[name], values + values)
    assert same(Table(rows).stack([Table(rows)])[name], values + values)
    assert same([v for chunk in tbl.chunk(2) for v in chunk[name]], values)
    assert same(Table(rows).remove_null_rows(name)[name], [v for v in values if v is not None])
    assert same(Table(rows).fillna_column(name, 0)[name], [0 if v is None else v for v in values])
    assert same(
        Table(rows).set_header([f"h{i}" for i in range(len(columns))])["h0"],
        [row[columns[0]] for row in rows],
    )

    sorted_values = Table(rows).sort(name)[name]
    assert sorted(map(repr, sorted_values)) == sorted(map(repr, values))
    deduplicated = Table(rows).deduplicate(name)[name]
    assert all(any(same(v, w) for w in values) for v in deduplicated)
    assert same(list(tbl), rows)  # nothing above changed the original


typed_values = st.one_of(
    st.lists(st.one_of(st.none(), st.integers(-3, 3)), max_size=8),
    st.lists(st.one_of(st.none(), st.sampled_from(["", "a", "B", "é", "ab"])), max_size=8),
    st.lists(st.one_of(st.none(), st.booleans()), max_size=8),
    st.lists(st.one_of(st.none(), st.floats(-2, 2)), max_size=8),
    st.lists(st.one_of(st.none(), st.dates()), max_size=8),
)


@settings(max_examples=150, deadline=None)
@given(typed_values, typed_values.map(lambda v: v), st.booleans())
def test_vectorised_sort_and_dedup_match_petl(first, second, reverse):
    size = min(len(first), len(second))
    rows = [{"a": a, "b": b, "i": i} for i, (a, b) in enumerate(zip(first[:size], second[:size]))]
    if not rows:
        return
    header = petl.fromdicts(rows, header=["a", "b", "i"])
    assert Table(rows).sort(["a", "b"], reverse=reverse)["i"] == list(
        petl.values(petl.sort(header, key=["a", "b"], reverse=reverse), "i")
    )
    assert Table(rows).deduplicate(["a", "b"])["i"] == list(
        petl.values(petl.distinct(header, key=["a", "b"]), "i")
    )
    assert Table(rows).deduplicate("a", presorted=True)["i"] == list(
        petl.values(petl.distinct(header, key="a", presorted=True), "i")
    )
    assert isinstance(Table(rows)._column_store("i"), pl.Series)
    assert rows_module._sortable(Table(rows)._column_store("i"))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.sampled_from(["x", "y", "z"]), st.integers(0, 2)), max_size=10)
)
def test_count_aggregate_matches_petl(values):
    rows = [{"t": value} for value in values]
    if not rows:
        return
    expected = list(petl.aggregate(petl.fromdicts(rows), "t", len))
    assert list(Table(rows).table.aggregate("t", len)) == expected
