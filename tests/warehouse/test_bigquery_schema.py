"""BigQuery column types from the shared type mapping, and the values each type accepts."""

from __future__ import annotations

import datetime as dt
import decimal

import polars as pl
import pyarrow as pa
import pytest

from turnout.errors import WarehouseError
from turnout.warehouse.bigquery_schema import load_column, standard_type


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([True, None, False], "BOOL"),
        ([1, 2, None], "INT64"),
        ([1, 2.5], "FLOAT64"),
        ([2**63], "NUMERIC"),
        ([10**29 - 1], "NUMERIC"),
        ([10**29], "BIGNUMERIC"),
        ([10**38 - 1], "BIGNUMERIC"),
        ([10**38], "STRING"),
        ([decimal.Decimal("123.456789012")], "NUMERIC"),
        ([decimal.Decimal("1.0123456789")], "BIGNUMERIC"),  # scale 10
        ([dt.date(2024, 1, 1)], "DATE"),
        ([dt.datetime(2024, 1, 1)], "DATETIME"),
        ([dt.datetime(2024, 1, 1, tzinfo=dt.UTC)], "TIMESTAMP"),
        ([dt.time(1, 2)], "TIME"),
        (["02134", "x"], "STRING"),
        ([{"a": 1}, "x"], "JSON"),
        ([None, None], "STRING"),
        ([True, 5], "STRING"),
        ([5, True], "STRING"),
    ],
)
def test_inferred_bigquery_type(values, expected):
    assert load_column(values, "c").field_type == expected


def test_a_typed_series_keeps_its_type_without_copying_values():
    column = load_column(pl.Series("c", [1, 2, 3]), "c")
    assert column.field_type == "INT64"
    assert column.values.type == pa.int64()
    assert column.values.to_pylist() == [1, 2, 3]


@pytest.mark.parametrize(
    ("values", "field_type", "expected"),
    [
        ([1, 2], "FLOAT", [1.0, 2.0]),
        ([1, None], "NUMERIC", [decimal.Decimal(1), None]),
        ([None, None], "INTEGER", [None, None]),
        ([True, 5], "STRING", ["true", "5"]),
        ([{"a": [1]}, "x"], "JSON", ['{"a":[1]}', '"x"']),
        ([dt.datetime(2024, 1, 1, 12)], "TIMESTAMP", [dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC)]),
    ],
)
def test_values_load_into_an_existing_column_type(values, field_type, expected):
    assert load_column(values, "c", field_type).values.to_pylist() == expected


@pytest.mark.parametrize(
    ("values", "field_type"),
    [
        (["7"], "INT64"),
        ([1.5], "INT64"),
        ([True], "INT64"),
        ([1.5], "NUMERIC"),
        ([dt.datetime(2024, 1, 1, tzinfo=dt.UTC)], "DATETIME"),
        ([dt.date(2024, 1, 1)], "TIMESTAMP"),
        (["2024-01-01"], "DATE"),
    ],
)
def test_values_that_do_not_fit_name_the_column(values, field_type):
    with pytest.raises(WarehouseError, match=rf"column 'c' holds .* values.*{field_type}"):
        load_column(values, "c", field_type)


def test_standard_type_names():
    assert [standard_type(t) for t in ("INTEGER", "float", "BOOLEAN", "STRING")] == [
        "INT64",
        "FLOAT64",
        "BOOL",
        "STRING",
    ]
