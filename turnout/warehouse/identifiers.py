"""Identifiers: schema-qualified table names and quoting.

`"my_schema.my_table"` means table `my_table` in schema `my_schema`, everywhere, and is always
quoted as two identifiers (`"my_schema"."my_table"`). A part may itself be written in double
quotes to hold a dot (`'"odd.schema"."t"'`). Values never go through these helpers: they go to
the driver as parameters.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from turnout.errors import WarehouseError

logger = logging.getLogger(__name__)


def quote_identifier(name: str, quote: str = '"') -> str:
    """Quote one identifier, doubling any quote character inside it.

    Raises WarehouseError for an empty name or one holding a NUL byte, which no engine accepts.
    """
    if not isinstance(name, str) or name == "":
        raise WarehouseError(f"identifier {name!r} is empty or not a string")
    if "\x00" in name:
        raise WarehouseError(f"identifier {name!r} holds a NUL byte")
    return quote + name.replace(quote, quote + quote) + quote


def quote_literal(value: str) -> str:
    """Quote a string literal for the few statements that cannot take parameters (Redshift's
    COPY and UNLOAD options). Single quotes are doubled and backslashes escaped."""
    if "\x00" in value:
        raise WarehouseError("a SQL literal cannot hold a NUL byte")
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


@dataclass(frozen=True)
class TableName:
    """A table name with an optional schema; `str()` gives the quoted, qualified form."""

    name: str
    schema: str | None = None

    def quoted(self, quote: str = '"') -> str:
        table = quote_identifier(self.name, quote)
        if self.schema is None:
            return table
        return quote_identifier(self.schema, quote) + "." + table

    def with_name(self, name: str) -> TableName:
        """The same schema, another table name (for staging tables)."""
        return TableName(name, self.schema)

    @property
    def display(self) -> str:
        """The name as the user wrote it, for messages."""
        return self.name if self.schema is None else f"{self.schema}.{self.name}"

    def __str__(self) -> str:
        return self.quoted()


def _split_parts(text: str) -> list[str]:
    """Split `a.b`, `"a.b".c` or `a."b""c"` at unquoted dots, unquoting each part."""
    parts: list[str] = []
    current: list[str] = []
    in_quotes = False
    was_quoted = False
    index = 0
    while index < len(text):
        char = text[index]
        if in_quotes:
            if char == '"':
                if index + 1 < len(text) and text[index + 1] == '"':
                    current.append('"')
                    index += 1
                else:
                    in_quotes = False
            else:
                current.append(char)
        elif char == '"' and not current:
            in_quotes = True
            was_quoted = True
        elif char == ".":
            parts.append("".join(current) if was_quoted else "".join(current).strip())
            current, was_quoted = [], False
        else:
            current.append(char)
        index += 1
    if in_quotes:
        raise WarehouseError(f"table name {text!r} has an unclosed double quote")
    parts.append("".join(current) if was_quoted else "".join(current).strip())
    return parts


def parse_table_name(table_name: str | TableName) -> TableName:
    """`"schema.table"` -> TableName("table", "schema"); `"table"` -> TableName("table")."""
    if isinstance(table_name, TableName):
        return table_name
    if not isinstance(table_name, str) or not table_name.strip():
        raise WarehouseError(f"table name {table_name!r} is empty or not a string")
    parts = _split_parts(table_name)
    if len(parts) > 2 or any(part == "" for part in parts):
        raise WarehouseError(
            f"table name {table_name!r} must be 'table' or 'schema.table'; quote a part that "
            "holds a dot, as in '\"my.schema\".my_table'"
        )
    if len(parts) == 1:
        return TableName(parts[0])
    return TableName(parts[1], parts[0])


def column_list(columns: list[str], quote: str = '"') -> str:
    """`"a", "b", "c"` for a column list in a statement."""
    return ", ".join(quote_identifier(column, quote) for column in columns)
