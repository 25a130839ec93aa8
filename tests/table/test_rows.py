"""Row transforms: Parsons' documented results as plain values."""

import pickle

import pytest

from turnout import Table
from turnout.errors import ColumnNotFoundError, TableError


def ab():
    return Table([["a", "b"], [1, 3], [1, 2], [1, 2], [2, 3]])


@pytest.mark.parametrize(
    ("call", "rows"),
    [
        (lambda t: t.deduplicate("a"), [(1, 3), (2, 3)]),
        (lambda t: t.deduplicate(["a", "b"]), [(1, 2), (1, 3), (2, 3)]),
        (lambda t: t.deduplicate("a").deduplicate("b"), [(1, 3)]),
        (lambda t: t.deduplicate("b").deduplicate("a"), [(1, 2)]),
        (lambda t: t.deduplicate(), [(1, 2), (1, 3), (2, 3)]),
        (lambda t: t.deduplicate("b", presorted=True), [(1, 3), (1, 2), (2, 3)]),
        (lambda t: t.sort("b"), [(1, 2), (1, 2), (1, 3), (2, 3)]),
        (lambda t: t.sort(["b", "a"], reverse=True), [(2, 3), (1, 3), (1, 2), (1, 2)]),
        (lambda t: t.sort(), [(1, 2), (1, 2), (1, 3), (2, 3)]),
        (lambda t: t.head(2), [(1, 3), (1, 2)]),
        (lambda t: t.tail(1), [(2, 3)]),
        (lambda t: t.head(), [(1, 3), (1, 2), (1, 2), (2, 3)]),
        (lambda t: t.remove_null_rows("a"), [(1, 3), (1, 2), (1, 2), (2, 3)]),
        (lambda t: t.remove_null_rows("b", null_value=2), [(1, 3), (2, 3)]),
    ],
)
def test_row_transforms_change_the_table_and_return_it(call, rows):
    tbl = ab()
    result = call(tbl)
    assert result is tbl
    assert list(tbl.data) == rows


def test_documented_deduplicate_keeps_first_row_after_stable_sort():
    tbl = Table([{"k": 2, "v": "first 2"}, {"k": 1, "v": "first 1"}, {"k": 2, "v": "second 2"}])
    assert list(tbl.deduplicate("k")) == [{"k": 1, "v": "first 1"}, {"k": 2, "v": "first 2"}]


def test_sort_orders_like_petl_none_first_numbers_before_text():
    mixed = Table([{"v": "b"}, {"v": 2}, {"v": None}, {"v": 1.5}, {"v": "a"}])
    assert mixed.sort("v")["v"] == [None, 1.5, 2, "a", "b"]
    typed = Table([{"v": "b"}, {"v": None}, {"v": "a"}])
    assert typed.sort("v")["v"] == [None, "a", "b"]
    assert typed.sort("v", reverse=True)["v"] == ["b", "a", None]


def test_deduplicate_mixed_and_nan_columns_in_python():
    tbl = Table([{"v": 1}, {"v": "1"}, {"v": 1}, {"v": None}, {"v": None}])
    assert tbl.deduplicate("v")["v"] == [None, 1, "1"]
    nan = float("nan")
    floats = Table([{"v": 1.0}, {"v": nan}, {"v": 1.0}])
    # NaN equals nothing, so petl keeps all three rows, and so does turnout.
    assert floats.deduplicate("v")["v"][::2] == [1.0, 1.0]
    assert floats.num_rows == 3


def test_remove_null_rows_several_columns():
    tbl = Table([{"a": 1, "b": None}, {"a": None, "b": 2}, {"a": 3, "b": 4}])
    assert list(tbl.remove_null_rows(["a", "b"])) == [{"a": 3, "b": 4}]


def test_chunk():
    tbl = Table([{"n": i} for i in range(5)])
    chunks = tbl.chunk(2)
    assert [chunk["n"] for chunk in chunks] == [[0, 1], [2, 3], [4]]
    assert tbl.num_rows == 5
    assert Table().chunk(3) == []
    with pytest.raises(TableError):
        tbl.chunk(0)


@pytest.mark.parametrize("form", ["single", "args", "list"])
def test_concat_accepts_one_table_or_a_list(form):
    tbl = Table([{"a": 1, "b": "x"}])
    other = Table([{"b": "y", "c": 2.5}])
    third = Table([{"a": 3}])
    if form == "single":
        tbl.concat(other)
        expected = [{"a": 1, "b": "x", "c": None}, {"a": None, "b": "y", "c": 2.5}]
    elif form == "args":
        tbl.concat(other, third)
        expected = [
            {"a": 1, "b": "x", "c": None},
            {"a": None, "b": "y", "c": 2.5},
            {"a": 3, "b": None, "c": None},
        ]
    else:
        tbl.concat([other, third], missing="-")
        expected = [
            {"a": 1, "b": "x", "c": "-"},
            {"a": "-", "b": "y", "c": 2.5},
            {"a": 3, "b": "-", "c": "-"},
        ]
    assert list(tbl) == expected


def test_concat_keeps_mixed_values_exactly():
    tbl = Table([{"a": 1}]).concat(Table([{"a": 1.0}]), Table([{"a": True}]))
    assert [type(v) for v in tbl["a"]] == [int, float, bool]


def test_stack_is_positional_and_accepts_a_list():
    tbl = Table([["a", "b"], [1, 2]])
    tbl.stack([Table([["x", "y"], [3, 4]]), Table([["z"], [5]])])
    assert list(tbl.data) == [(1, 2), (3, 4), (5, None)]
    tbl.stack(Table([["q", "r"], [6, 7]]))
    assert tbl.num_rows == 4
    with pytest.raises(TableError, match="would be lost"):
        tbl.stack(Table([["a", "b", "c"], [1, 2, 3]]))


def test_reduce_rows_as_documented():
    ddl = Table(
        [
            ["schemaname", "tablename", "ddl"],
            ["db_scratch", "state_fips", "--DROP TABLE db_scratch.state_fips;"],
            ["db_scratch", "state_fips", "CREATE TABLE IF NOT EXISTS db_scratch.state_fips"],
            ["db_scratch", "state_fips", "("],
        ]
    )

    def reducer(columns, rows):
        return [f"{columns[0]}.{columns[1]}", "\n".join(row[2] for row in rows)]

    result = ddl.reduce_rows(
        ["schemaname", "tablename"], reducer, ["tablename", "ddl"], presorted=True
    )
    assert result is ddl
    assert list(ddl) == [
        {
            "tablename": "db_scratch.state_fips",
            "ddl": "--DROP TABLE db_scratch.state_fips;\n"
            "CREATE TABLE IF NOT EXISTS db_scratch.state_fips\n(",
        }
    ]


def test_materialize_and_materialize_to_file(tmp_path):
    tbl = Table([{"a": 1, "b": {"k": [1]}}])
    assert tbl.materialize() is tbl
    path = tbl.materialize_to_file(str(tmp_path / "rows.pickle"))
    with open(path, "rb") as handle:
        assert pickle.load(handle) == ["a", "b"]
        assert pickle.load(handle) == [1, {"k": [1]}]
    assert list(tbl) == [{"a": 1, "b": {"k": [1]}}]
    assert tbl.is_valid_table() is True


def test_missing_sort_keys_raise():
    with pytest.raises(ColumnNotFoundError, match="'zz'"):
        ab().sort("zz")
    with pytest.raises(ColumnNotFoundError, match="'zz'"):
        ab().deduplicate(["a", "zz"])
    with pytest.raises(ColumnNotFoundError, match="'zz'"):
        ab().remove_null_rows("zz")
