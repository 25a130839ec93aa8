"""Parsons' %s / %(name)s placeholders turned into BigQuery's ? / @name, and typed parameters."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest
from google.cloud import bigquery

from turnout.errors import WarehouseError
from turnout.warehouse.bigquery_parameters import convert_placeholders, query_parameters


@pytest.mark.parametrize(
    ("sql", "parameters", "expected"),
    [
        ("SELECT %s", [1], "SELECT ?"),
        ("SELECT %s, %s", [1, 2], "SELECT ?, ?"),
        ("SELECT %(a)s, %(a)s", {"a": 1}, "SELECT @a, @a"),
        ("SELECT @a", {"a": 1}, "SELECT @a"),
        ("SELECT '%s', %s", [1], "SELECT '%s', ?"),
        ('SELECT "%s", %s', [1], 'SELECT "%s", ?'),
        ("SELECT `a%sb`, %s", [1], "SELECT `a%sb`, ?"),
        ("SELECT %s -- %s\n", [1], "SELECT ? -- %s\n"),
        ("SELECT %s # %s\n", [1], "SELECT ? # %s\n"),
        ("SELECT /* %s */ %s", [1], "SELECT /* %s */ ?"),
        ("SELECT 'it''s %s', %s", [1], "SELECT 'it''s %s', ?"),
        ("SELECT 'a\\'%s', %s", [1], "SELECT 'a\\'%s', ?"),
        ("SELECT '''%s\n%s''', %s", [1], "SELECT '''%s\n%s''', ?"),
        ("SELECT x LIKE 'a%%' OR y = %s", [1], "SELECT x LIKE 'a%' OR y = ?"),
        ("SELECT %s -- 100%%\n", [1], "SELECT ? -- 100%%\n"),
        ("SELECT 5 %% 2, %s", [1], "SELECT 5 % 2, ?"),
        ("SELECT '100%'", None, "SELECT '100%'"),
        ("SELECT 5 % 2", [], "SELECT 5 % 2"),
    ],
)
def test_convert_placeholders(sql, parameters, expected):
    assert convert_placeholders(sql, parameters) == expected


def test_placeholder_count_must_match_a_list():
    with pytest.raises(WarehouseError, match="2 %s placeholders but 1 parameters"):
        convert_placeholders("SELECT %s, %s", [1])


def test_placeholder_style_must_match_the_parameters():
    with pytest.raises(WarehouseError, match=r"%\(a\)s but parameters is a list"):
        convert_placeholders("SELECT %(a)s", [1])
    with pytest.raises(WarehouseError, match="uses %s but parameters is a dict"):
        convert_placeholders("SELECT %s", {"a": 1})


@pytest.mark.parametrize(
    ("value", "expected_type"),
    [
        (True, "BOOL"),
        (5, "INT64"),
        (2**70, "BIGNUMERIC"),
        (1.5, "FLOAT64"),
        (decimal.Decimal("1.5"), "NUMERIC"),
        ("02134", "STRING"),
        (b"\x00\x01", "BYTES"),
        (dt.date(2024, 1, 2), "DATE"),
        (dt.datetime(2024, 1, 2, 3), "DATETIME"),
        (dt.datetime(2024, 1, 2, 3, tzinfo=dt.UTC), "TIMESTAMP"),
        (dt.time(3, 4), "TIME"),
        (None, "STRING"),
    ],
)
def test_scalar_parameter_types(value, expected_type):
    [parameter] = query_parameters([value])
    assert isinstance(parameter, bigquery.ScalarQueryParameter)
    assert (parameter.name, parameter.type_, parameter.value) == (None, expected_type, value)


def test_named_array_and_ready_made_parameters():
    ready = bigquery.ScalarQueryParameter("x", "STRING", "kept")
    named = query_parameters({"ids": [1, 2, None], "x": ready})

    assert isinstance(named[0], bigquery.ArrayQueryParameter)
    assert (named[0].name, named[0].array_type, named[0].values) == ("ids", "INT64", [1, 2, None])
    assert named[1] is ready


def test_an_array_of_mixed_types_is_refused():
    with pytest.raises(WarehouseError, match=r"query parameter ids: an array must hold one type"):
        query_parameters({"ids": [1, "a"]})


def test_a_value_without_a_bigquery_type_is_refused():
    with pytest.raises(WarehouseError, match=r"query parameter \?: no BigQuery type for object"):
        query_parameters([object()])
