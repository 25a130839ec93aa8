"""Identifier quoting and schema-qualified names."""

from __future__ import annotations

import pytest

from turnout.errors import WarehouseError
from turnout.warehouse.identifiers import (
    TableName,
    column_list,
    parse_table_name,
    quote_identifier,
    quote_literal,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my_table", TableName("my_table")),
        ("my_schema.my_table", TableName("my_table", "my_schema")),
        ('"odd.schema"."t"', TableName("t", "odd.schema")),
        ('s."Has ""Quotes"""', TableName('Has "Quotes"', "s")),
        (" s . t ", TableName("t", "s")),
        ('"s"."Select"', TableName("Select", "s")),
    ],
)
def test_parse_table_name(text, expected):
    assert parse_table_name(text) == expected


@pytest.mark.parametrize("text", ["", "a.b.c", ".t", "s.", '"unclosed.t', None])
def test_parse_table_name_rejects(text):
    with pytest.raises(WarehouseError):
        parse_table_name(text)


def test_quoted_forms():
    assert TableName("my_table", "my_schema").quoted() == '"my_schema"."my_table"'
    assert str(TableName('a"b')) == '"a""b"'
    assert TableName("t", "s").quoted("`") == "`s`.`t`"
    assert quote_identifier("select") == '"select"'
    assert column_list(["First Name", "id"]) == '"First Name", "id"'
    assert TableName("t", "s").display == "s.t"


def test_quote_literal_escapes():
    assert quote_literal("it's a \\ path") == "'it''s a \\\\ path'"
    with pytest.raises(WarehouseError):
        quote_literal("nul\x00")


@pytest.mark.parametrize("name", ["", "a\x00b"])
def test_quote_identifier_rejects(name):
    with pytest.raises(WarehouseError):
        quote_identifier(name)
