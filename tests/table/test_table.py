"""Construction and access: Parsons' documented behaviour, written out as plain values."""

import datetime as dt
import subprocess
import sys

import petl
import polars as pl
import pyarrow as pa
import pytest

from turnout import Table
from turnout.errors import ColumnNotFoundError, TableError

ROWS = [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}, {"a": 3, "b": None}]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (ROWS, ROWS),
        ([["a", "b"], [1, "x"], [2, "y"], [3, None]], ROWS),
        ((("a", "b"), (1, "x"), (2, "y"), (3, None)), ROWS),
        (petl.fromdicts(ROWS), ROWS),
        (pl.DataFrame({"a": [1, 2, 3], "b": ["x", "y", None]}), ROWS),
        (pa.table({"a": [1, 2, 3], "b": ["x", "y", None]}), ROWS),
        ([], []),
        ([["a", "b"]], []),
    ],
    ids=["dicts", "lists", "tuples", "petl", "polars", "arrow", "empty", "header-only"],
)
def test_construction(source, expected):
    tbl = Table(source)
    assert list(tbl) == expected
    assert Table(tbl) == tbl


def test_empty_table_and_none():
    assert Table().num_rows == 0
    assert Table().columns == []
    assert not Table()
    with pytest.raises(TableError):
        Table(None)
    with pytest.raises(TableError, match="row 0 is a int"):
        Table([1, 2])
    with pytest.raises(TableError, match="row 1 is a list"):
        Table([{"a": 1}, ["a"]])


def test_short_rows_pad_long_rows_raise():
    assert list(Table([["a", "b"], [1]])) == [{"a": 1, "b": None}]
    with pytest.raises(TableError, match="data row 0 has 3 values"):
        Table([["a", "b"], [1, 2, 3]])


def test_repeated_header_names_get_suffixes(caplog):
    tbl = Table([["a", "a", "a"], [1, 2, 3]])
    assert tbl.columns == ["a", "a_2", "a_3"]
    assert "repeats column name 'a'" in caplog.text


def test_access():
    tbl = Table(ROWS)
    assert tbl[0] == {"a": 1, "b": "x"}
    assert tbl[-1] == {"a": 3, "b": None}
    assert tbl[1:3] == [{"a": 2, "b": "y"}, {"a": 3, "b": None}]
    assert tbl[-1:] == [{"a": 3, "b": None}]
    assert tbl[::-2] == [{"a": 3, "b": None}, {"a": 1, "b": "x"}]
    assert tbl[5:] == []
    assert tbl["b"] == ["x", "y", None]
    assert tbl.column_data("a") == [1, 2, 3]
    assert tbl.row_data(1) == {"a": 2, "b": "y"}
    assert len(tbl) == tbl.num_rows == 3
    assert tbl.columns == ["a", "b"]
    assert tbl.first == 1
    assert Table([["a"]]).first is None
    assert list(tbl.data) == [(1, "x"), (2, "y"), (3, None)]
    assert tbl.data[0][0] == 1
    assert bool(tbl) is True
    with pytest.raises(IndexError):
        tbl[3]
    with pytest.raises(ColumnNotFoundError, match="'zz'"):
        tbl["zz"]
    with pytest.raises(TypeError):
        tbl[1.5]


def test_column_data_is_a_copy():
    tbl = Table([{"a": [1]}, {"a": "x"}])
    values = tbl["a"]
    values.append("new")
    assert tbl["a"] == [[1], "x"]


def test_equality():
    assert Table(ROWS) == Table(ROWS)
    assert Table(ROWS) != Table(ROWS[:2])
    assert Table([{"a": 1}]) != Table([{"b": 1}])
    assert Table(ROWS) != ROWS


def test_repr_shows_five_rows_then_the_total():
    tbl = Table([{"n": i} for i in range(7)])
    assert repr(tbl) == "\n".join(
        ["{'n': 0}", "{'n': 1}", "{'n': 2}", "{'n': 3}", "{'n': 4}", "... (7 rows)"]
    )
    assert str(Table([{"n": 1}])) == "{'n': 1}"
    assert repr(Table()) == ""


def test_petl_view_round_trip_keeps_types():
    rows = [{"a": 1, "b": 2.5, "c": True, "d": {"k": [1]}, "e": dt.date(2022, 1, 3)}]
    tbl = Table(rows)
    view = tbl.table
    assert isinstance(view, petl.util.base.Table)
    assert petl.header(view) == ("a", "b", "c", "d", "e")
    assert list(petl.dicts(view)) == rows
    assert list(Table(view)) == rows
    assert list(Table(petl.cut(view, "a", "c"))) == [{"a": 1, "c": True}]


def test_petl_view_is_a_snapshot():
    tbl = Table(ROWS)
    view = tbl.table
    tbl.convert_column("a", str)
    assert list(petl.values(view, "a")) == [1, 2, 3]
    assert tbl["a"] == ["1", "2", "3"]


def test_assigning_a_petl_table_back():
    tbl = Table(ROWS)
    tbl.table = petl.addfield(tbl.table, "c", lambda row: row["a"] * 10)
    assert tbl["c"] == [10, 20, 30]


def test_aggregate_through_petl_view():
    tbl = Table([{"t": "b"}, {"t": "a"}, {"t": None}, {"t": "a"}])
    counted = Table(tbl.table.aggregate("t", len))
    assert list(counted) == [
        {"t": None, "value": 1},
        {"t": "a", "value": 2},
        {"t": "b", "value": 1},
    ]
    summed = Table(Table([{"t": "a", "n": 1}, {"t": "a", "n": 2}]).table.aggregate("t", sum, "n"))
    assert list(summed) == [{"t": "a", "value": 3}]


def test_use_petl_as_documented():
    tbl = Table(
        [
            ["col1", "col2"],
            ["# this is a comment row"],
            ["a", 1],
            ["#this is another comment", "this is also ignored"],
            ["b", 2],
        ]
    )
    result = tbl.use_petl("skipcomments", "#", update_table=True)
    assert list(result) == [{"col1": "a", "col2": 1}, {"col1": "b", "col2": 2}]
    assert list(tbl) == [{"col1": "a", "col2": 1}, {"col1": "b", "col2": 2}]

    as_petl = Table(ROWS).use_petl("cut", "a", to_petl=True)
    assert isinstance(as_petl, petl.util.base.Table)
    assert list(petl.values(as_petl, "a")) == [1, 2, 3]
    with pytest.raises(TableError, match="no_such"):
        Table(ROWS).use_petl("no_such")


def test_importing_table_does_not_import_pyarrow_or_numpy():
    # pyarrow (and the numpy it pulls in) is about 40 MB of RSS; only to_arrow, parquet and
    # JSON-lines reading need it, and they import it themselves.
    code = (
        "import sys\n"
        "from turnout import Table\n"
        "Table([{'a': 1}]).to_dicts()\n"
        "print(sorted(m for m in ('pyarrow', 'numpy') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_to_arrow_and_back_without_importing_pyarrow_first():
    code = (
        "from turnout import Table\n"
        "arrow = Table([{'a': 1, 'b': 'x'}]).to_arrow()\n"
        "print(type(arrow).__module__, Table(arrow).to_dicts())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "pyarrow.lib [{'a': 1, 'b': 'x'}]"


def test_count_by_two_keys_matches_petl_and_runs_in_polars():
    rows = [
        {"t": "b", "s": "x"},
        {"t": "a", "s": None},
        {"t": None, "s": "y"},
        {"t": "a", "s": None},
        {"t": "b", "s": "w"},
    ]
    view = Table(rows).table
    counted = view.aggregate(("t", "s"), len)
    # The polars path returns a columnar view, not a lazy petl aggregation.
    assert type(counted).__name__ == "ColumnarPetlView"
    assert list(counted) == list(petl.aggregate(petl.fromdicts(rows), ("t", "s"), len))
    assert list(counted) == [
        ("t", "s", "value"),
        (None, "y", 1),
        ("a", None, 2),
        ("b", "w", 1),
        ("b", "x", 1),
    ]


def test_dicts_of_equal_width_with_different_keys_keep_every_key():
    rows = [{"a": 1, "b": "x"}, {"a": 2, "c": 2.5}, {"b": "y", "c": 3.5}]
    tbl = Table(rows)
    assert tbl.columns == ["a", "b", "c"]
    assert list(tbl) == [
        {"a": 1, "b": "x", "c": None},
        {"a": 2, "b": None, "c": 2.5},
        {"a": None, "b": "y", "c": 3.5},
    ]
    assert tbl._column_store("a").dtype == pl.Int64
    assert tbl._column_store("c").name == "c"


def test_repeated_dict_keys_after_str_get_unique_column_names():
    tbl = Table([{1: "int key", "1": "str key"}])
    assert tbl.columns == ["1", "1_2"]
    assert list(tbl) == [{"1": "int key", "1_2": "str key"}]
    assert tbl._column_store("1_2").name == "1_2"
