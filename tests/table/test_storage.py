"""Storage: typed where a column holds one type, Python values otherwise, never coerced."""

import datetime as dt

import polars as pl
import pytest

from turnout import Table
from turnout.errors import ColumnNotFoundError, TableError
from turnout.table.storage import build_column, column_values

AWARE = dt.datetime(2022, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=-5)))


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        ([1, 2, None], pl.Int64),
        ([1.5, None], pl.Float64),
        (["a", None], pl.String),
        ([True, False], pl.Boolean),
        ([dt.date(2022, 1, 1)], pl.Date),
        ([dt.datetime(2022, 1, 1, 5, 6, 7, 8)], pl.Datetime),
        ([None, None], pl.Null),
    ],
)
def test_one_type_is_a_typed_series(values, dtype):
    column = build_column(values)
    assert isinstance(column, pl.Series)
    assert isinstance(column.dtype, dtype)
    assert column.to_list() == values


@pytest.mark.parametrize(
    "values",
    [
        [1, "x", None],
        [1, 2.5],
        [True, 1],
        [2**70, 1],
        [{"a": 1}, {"a": 2}],
        [[1], [2]],
        [AWARE],
        [dt.date(2022, 1, 1), dt.datetime(2022, 1, 1)],
    ],
)
def test_anything_else_stays_python_values(values):
    column = build_column(values)
    assert isinstance(column, list)
    assert [type(v) for v in column] == [type(v) for v in values]
    assert column == values


def test_values_come_back_exactly():
    tbl = Table([{"a": 1}, {"a": "x"}, {"a": None}])
    assert tbl["a"] == [1, "x", None]
    mixed = Table([{"n": 1}, {"n": 2.5}, {"n": True}])["n"]
    assert [type(v) for v in mixed] == [int, float, bool]


def test_every_key_is_seen_not_a_sample():
    tbl = Table([{"a": i} for i in range(1000)] + [{"a": 1000, "b": "late"}])
    assert tbl.columns == ["a", "b"]
    assert tbl[1000] == {"a": 1000, "b": "late"}
    assert tbl[0] == {"a": 0, "b": None}


def test_column_store_and_from_columns_unchecked():
    series = pl.Series("a", [1, 2])
    tbl = Table._from_columns_unchecked({"a": series, "b": ["x", 1]})
    assert tbl._column_store("a") is series
    assert tbl._column_store("b") == ["x", 1]
    assert tbl.num_rows == 2
    with pytest.raises(ColumnNotFoundError, match="'zz'"):
        tbl._column_store("zz")


def test_from_columns_mapping_and_parsons_form():
    tbl = Table.from_columns({"a": [1, 2], "b": ["x", "y"]})
    assert list(tbl) == [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]
    parsons_form = Table.from_columns([[1, 2], ["x"]], header=["a", "b"])
    assert list(parsons_form) == [{"a": 1, "b": "x"}, {"a": 2, "b": None}]
    assert Table.from_columns([[1]]).columns == ["f0"]


def test_polars_and_arrow_round_trip():
    rows = [{"a": 1, "b": "x", "c": dt.date(2022, 1, 2), "d": None}]
    tbl = Table(rows)
    frame = tbl.to_polars()
    assert frame.schema == {"a": pl.Int64, "b": pl.String, "c": pl.Date, "d": pl.Null}
    assert list(Table(frame)) == rows
    assert list(Table(tbl.to_arrow())) == rows


def test_to_polars_shares_typed_columns():
    tbl = Table([{"a": i} for i in range(10)])
    frame = tbl.to_polars()
    assert frame.get_column("a").to_list() == list(range(10))


def test_dict_column_of_one_shape_becomes_a_struct():
    tbl = Table([{"p": {"id": 1, "name": "a"}}, {"p": {"id": 2, "name": "b"}}])
    frame = tbl.to_polars()
    assert isinstance(frame.schema["p"], pl.Struct)
    assert Table(frame)["p"] == [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]


@pytest.mark.parametrize(
    "values",
    [[1, "x"], [1, 2.5], [{"k": 1}, {"k": 2.5}], [{"k": 1}, {"j": 1}]],
)
def test_arrow_refuses_a_mixed_column_naming_it(values):
    tbl = Table([{"mixed": v} for v in values])
    with pytest.raises(TableError, match="'mixed'"):
        tbl.to_arrow()


def test_a_typed_column_keeps_no_python_copy_of_its_values():
    # Holding the list next to the Series kept every value alive twice (above Parsons' peak).
    values = ["a", "b", None]
    column = build_column(values, "c")
    assert isinstance(column, pl.Series)
    again = column_values(column)
    assert again == ["a", "b", None]
    assert again is not values
    again.append("d")
    assert column_values(column) == ["a", "b", None]
