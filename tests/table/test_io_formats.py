"""Dicts, pandas, HTML, Parquet/Arrow and petl: values and types intact where the format can hold
them; a mixed column refused by name where it cannot."""

from __future__ import annotations

import datetime as dt
import sys

import pandas as pd
import petl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from turnout.errors import TableError
from turnout.table import Table


def test_to_dicts_and_from_dicts():
    rows = [{"a": 1, "b": "x"}, {"a": None, "c": [1]}]
    table = Table.from_dicts(rows)
    assert table.columns == ["a", "b", "c"]
    assert table.to_dicts() == [{"a": 1, "b": "x", "c": None}, {"a": None, "b": None, "c": [1]}]
    assert Table.from_dicts([]).num_rows == 0


def test_to_petl_is_the_petl_view():
    table = Table([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}])
    assert list(table.to_petl()) == [("a", "b"), (1, "x"), (2, "y")]


def test_to_dataframe_and_back():
    table = Table([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}])
    frame = table.to_dataframe()
    assert list(frame.columns) == ["a", "b"]
    assert frame["a"].tolist() == [1, 2]
    assert list(Table.from_dataframe(frame)) == [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]


def test_to_dataframe_arguments():
    table = Table([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}])
    frame = table.to_dataframe(index="a", exclude=["b"])
    assert frame.index.tolist() == [1, 2]
    assert list(frame.columns) == []


def test_pandas_missing_gives_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` fail
    with pytest.raises(TableError, match=r"to_dataframe needs pandas.*turnout\[pandas\]"):
        Table([{"a": 1}]).to_dataframe()


def test_from_dataframe_include_index():
    frame = pd.DataFrame({"v": ["x", "y"]}, index=[10, 20])
    assert list(Table.from_dataframe(frame, include_index=True)) == [
        {"index": 10, "v": "x"},
        {"index": 20, "v": "y"},
    ]


def test_from_dataframe_named_index_and_repeated_columns():
    frame = pd.DataFrame([[1, 2]], columns=["a", "a"], index=pd.Index([7], name="key"))
    table = Table.from_dataframe(frame, include_index=True)
    assert table.columns == ["index", "a", "a_2"]
    assert table[0] == {"index": 7, "a": 1, "a_2": 2}


def test_to_html_matches_petl(tmp_path):
    table = Table([{"a": 1, "b": "x"}])
    path = table.to_html(str(tmp_path / "t.html"), caption="People")
    expected = str(tmp_path / "expected.html")
    petl.tohtml(petl.wrap([("a", "b"), (1, "x")]), expected, caption="People")
    with open(path) as written, open(expected) as reference:
        assert written.read() == reference.read()


def test_to_html_temp_file():
    path = Table([{"a": 1}]).to_html()
    assert path.endswith(".html")
    with open(path) as file:
        assert "<td style='text-align: right'>1</td>" in file.read()


def test_parquet_round_trip_keeps_types(tmp_path):
    table = Table(
        [
            {"i": 1, "f": 1.5, "s": "x", "b": True, "d": dt.date(2022, 1, 2), "n": None},
            {"i": None, "f": None, "s": None, "b": False, "d": None, "n": None},
        ]
    )
    path = table.to_parquet(str(tmp_path / "t.parquet"))
    back = Table.from_parquet(path)
    assert back.to_dicts() == table.to_dicts()
    assert [type(value) for value in back[0].values()] == [
        int,
        float,
        str,
        bool,
        dt.date,
        type(None),
    ]


def test_parquet_refuses_a_mixed_column_by_name(tmp_path):
    table = Table([{"ok": 1, "mixed": 1}, {"ok": 2, "mixed": "x"}])
    with pytest.raises(TableError, match="'mixed'"):
        table.to_parquet(str(tmp_path / "m.parquet"))


_TYPED = st.sampled_from(
    [
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        st.floats(allow_nan=False),
        st.text(max_size=5),
        st.booleans(),
        st.dates(),
    ]
)


@st.composite
def typed_rows(draw):
    kinds = draw(st.lists(_TYPED, min_size=1, max_size=3))
    height = draw(st.integers(min_value=1, max_value=5))
    return [
        {f"c{index}": draw(st.one_of(st.none(), kind)) for index, kind in enumerate(kinds)}
        for _ in range(height)
    ]


@settings(max_examples=80, deadline=None)
@given(typed_rows())
def test_parquet_and_arrow_round_trips_keep_values_and_types(tmp_path_factory, rows):
    table = Table(rows)
    path = table.to_parquet(str(tmp_path_factory.mktemp("pq") / "t.parquet"))
    for back in (Table.from_parquet(path), Table(table.to_arrow())):
        assert back.columns == table.columns
        for before, after in zip(table, back):
            assert [(type(v), v) for v in after.values()] == [(type(v), v) for v in before.values()]


_ANY = st.one_of(
    st.none(),
    st.integers(-5, 5),
    st.text(max_size=3),
    st.booleans(),
    st.floats(allow_nan=False),
    st.lists(st.integers(0, 3), max_size=2),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.fixed_dictionaries({"a": _ANY, "b": _ANY}), min_size=1, max_size=6))
def test_petl_round_trip_keeps_values_and_types(rows):
    table = Table(rows)
    back = Table(table.table)
    assert [{k: (type(v), v) for k, v in row.items()} for row in back] == [
        {k: (type(v), v) for k, v in row.items()} for row in rows
    ]
