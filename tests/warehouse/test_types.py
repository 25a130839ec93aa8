"""The shared type mapping: order independence, the traps, and each dialect's spelling."""

from __future__ import annotations

import datetime as dt
import decimal
import itertools

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from turnout.errors import WarehouseError
from turnout.warehouse.types import (
    DUCKDB,
    POSTGRES,
    REDSHIFT,
    ColumnType,
    Kind,
    infer_column_type,
    load_series,
)

UTC = dt.UTC


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([True, False, None], ColumnType(Kind.BOOLEAN)),
        ([1, -5, None], ColumnType(Kind.INTEGER)),
        ([1, 2**63], ColumnType(Kind.BIG_INTEGER, digits=19)),
        ([1.5, 2], ColumnType(Kind.FLOAT)),
        ([1.0, 2.0], ColumnType(Kind.FLOAT)),
        ([dt.date(2024, 1, 1)], ColumnType(Kind.DATE)),
        ([dt.datetime(2024, 1, 1)], ColumnType(Kind.TIMESTAMP)),
        ([dt.datetime(2024, 1, 1, tzinfo=UTC)], ColumnType(Kind.TIMESTAMPTZ)),
        ([dt.time(9, 30)], ColumnType(Kind.TIME)),
        (["02134", "é"], ColumnType(Kind.TEXT, max_bytes=5, max_chars=5)),
        (["éé"], ColumnType(Kind.TEXT, max_bytes=4, max_chars=2)),
        ([None, None], ColumnType(Kind.TEXT)),
        ([], ColumnType(Kind.TEXT)),
        ([{"a": 1}, [1], None], ColumnType(Kind.JSON, max_bytes=7, max_chars=7)),
        ([{"a": 1}, "é"], ColumnType(Kind.JSON, max_bytes=7, max_chars=7, mixed=True)),
        (["é", {"a": 1}], ColumnType(Kind.JSON, max_bytes=7, max_chars=7, mixed=True)),
        ([decimal.Decimal("1.25"), 3], ColumnType(Kind.DECIMAL, precision=21, scale=2)),
        ([True, 5], ColumnType(Kind.TEXT, max_bytes=4, max_chars=4, mixed=True)),
        ([1, "abc"], ColumnType(Kind.TEXT, max_bytes=3, max_chars=3, mixed=True)),
        (
            [dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, 5)],
            ColumnType(Kind.TEXT, max_bytes=19, max_chars=19, mixed=True),
        ),
    ],
)
def test_infer_column_type(values, expected):
    assert infer_column_type(values, "c") == expected


@pytest.mark.parametrize(
    "values",
    [
        [True, 5, None],
        [1, 2.5, None, 3],
        ["a", 1, True, 2.5],
        [dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, 5), None],
        [2**70, 1, -3],
    ],
)
def test_inference_does_not_depend_on_row_order(values):
    results = {infer_column_type(list(order), "c") for order in itertools.permutations(values)}
    assert len(results) == 1


def test_series_inference_matches_list_inference():
    cases = [
        [1, 2, None],
        [1.5, None],
        ["02134", "héllo"],
        [True, None],
        [dt.date(2024, 1, 1)],
        [dt.datetime(2024, 1, 1, 1)],
    ]
    for values in cases:
        assert infer_column_type(pl.Series(values), "c") == infer_column_type(values, "c")
    assert infer_column_type(pl.Series([None, None], dtype=pl.Null), "c") == ColumnType(Kind.TEXT)


def test_unsupported_type_names_column_and_row():
    with pytest.raises(WarehouseError, match=r"column 'blob', row 1: values of type bytes"):
        infer_column_type([None, b"\x01"], "blob")


def test_load_series_keeps_values():
    mixed = [True, 5, None, 2.5, dt.date(2024, 1, 2)]
    column_type = infer_column_type(mixed, "m")
    assert load_series(mixed, column_type, "m").to_list() == [
        "true",
        "5",
        None,
        "2.5",
        "2024-01-02",
    ]
    nested = [{"b": 1, "a": [1, 2]}, None, "text"]
    assert load_series(nested, infer_column_type(nested, "j"), "j").to_list() == [
        '{"b":1,"a":[1,2]}',
        None,
        '"text"',
    ]
    big = [2**70, None]
    assert load_series(big, infer_column_type(big, "b"), "b").to_list() == [
        "1180591620717411303424",
        None,
    ]
    floats = [1, 2.5]
    assert load_series(floats, infer_column_type(floats, "f"), "f").to_list() == [1.0, 2.5]
    aware = [dt.datetime(2024, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=-5)))]
    series = load_series(aware, infer_column_type(aware, "t"), "t")
    assert series.to_list() == [dt.datetime(2024, 1, 1, 17, tzinfo=dt.UTC)]


@pytest.mark.parametrize(
    ("column_type", "postgres", "redshift", "duckdb"),
    [
        (ColumnType(Kind.INTEGER), "BIGINT", "BIGINT", "BIGINT"),
        (ColumnType(Kind.BIG_INTEGER, digits=22), "NUMERIC", "DECIMAL(38,0)", "DECIMAL(38,0)"),
        (ColumnType(Kind.BIG_INTEGER, digits=45), "NUMERIC", "VARCHAR(256)", "VARCHAR"),
        (ColumnType(Kind.FLOAT), "DOUBLE PRECISION", "DOUBLE PRECISION", "DOUBLE"),
        (ColumnType(Kind.TEXT), "TEXT", "VARCHAR(256)", "VARCHAR"),
        (ColumnType(Kind.TEXT, max_bytes=10, max_chars=4), "TEXT", "VARCHAR(10)", "VARCHAR"),
        (
            ColumnType(Kind.TEXT, max_bytes=70000, max_chars=70000),
            "TEXT",
            "VARCHAR(65535)",
            "VARCHAR",
        ),
        (ColumnType(Kind.JSON, max_bytes=20), "JSONB", "VARCHAR(20)", "JSON"),
        (
            ColumnType(Kind.DECIMAL, precision=21, scale=2),
            "NUMERIC(21,2)",
            "DECIMAL(21,2)",
            "DECIMAL(21,2)",
        ),
        (ColumnType(Kind.DATE), "DATE", "DATE", "DATE"),
        (ColumnType(Kind.TIMESTAMPTZ), "TIMESTAMPTZ", "TIMESTAMPTZ", "TIMESTAMPTZ"),
    ],
)
def test_dialect_spelling(column_type, postgres, redshift, duckdb):
    assert POSTGRES.sql_type(column_type) == postgres
    assert REDSHIFT.sql_type(column_type) == redshift
    assert DUCKDB.sql_type(column_type) == duckdb


def test_floats_never_zero_scale_decimal():
    for dialect in (POSTGRES, REDSHIFT, DUCKDB):
        assert "DECIMAL" not in dialect.sql_type(infer_column_type([1.5, 2, 3.0], "f"))
        assert "NUMERIC" not in dialect.sql_type(infer_column_type([1.5, 2, 3.0], "f"))


_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.dates(),
    st.datetimes(),
    st.lists(st.integers(), max_size=2),
)


@given(st.lists(_values, max_size=8), st.randoms(use_true_random=False))
@settings(max_examples=200, deadline=None)
def test_inference_is_a_function_of_the_value_set(values, random):
    shuffled = list(values)
    random.shuffle(shuffled)
    column_type = infer_column_type(values, "c")
    assert infer_column_type(shuffled, "c") == column_type
    # Whatever the type, the load series keeps one value per row and None where None was.
    series = load_series(values, column_type, "c")
    assert series.to_list().count(None) == values.count(None)
    assert len(series) == len(values)
