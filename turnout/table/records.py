"""Rows as petl records, for the callables Parsons users write (`lambda row: row["a"]`).

Parsons hands petl `Record`s to row callables (add_column, fill_column, select_rows...): a tuple
that also answers `row["name"]`, `row.name` and `row.get("name")`. turnout hands the same type,
so existing lambdas keep working.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from petl.util.base import Record

from turnout.table.storage import Column, column_values


def iter_records(columns: dict[str, Column], num_rows: int) -> Iterator[Record]:
    """One petl Record per row, over the given columns."""
    fields = tuple(columns)
    if not fields:
        for _ in range(num_rows):
            yield Record((), fields)
        return
    for values in zip(*(column_values(column) for column in columns.values())):
        yield Record(values, fields)


def describe_value(value: Any, limit: int = 80) -> str:
    """A short repr for error messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
