"""Turning what a user hands to `Table(...)` into stored columns.

Accepted: a list or tuple of dicts (every row's keys are seen, first appearance sets the order),
a list or tuple of lists/tuples (the first is the header), a petl table, a polars DataFrame, a
pyarrow Table, another turnout Table, or nothing (an empty Table).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

import petl
import polars as pl

from turnout.errors import TableError
from turnout.table.storage import Column, build_column, rename_column, series_column

logger = logging.getLogger(__name__)


def unique_names(names: Iterable[Any], context: str = "header") -> list[str]:
    """Column names as strings, made unique: a repeated name gets `_2`, `_3`... and a warning."""
    result: list[str] = []
    seen: set[str] = set()
    for raw in names:
        name = str(raw)
        if name in seen:
            base, suffix = name, 2
            while f"{base}_{suffix}" in seen:
                suffix += 1
            name = f"{base}_{suffix}"
            logger.warning(
                "%s repeats column name %r; the repeat is named %r so names stay unique",
                context,
                raw,
                name,
            )
        seen.add(name)
        result.append(name)
    return result


def columns_from_input(source: Any) -> tuple[dict[str, Column], int]:
    """Stored columns and the row count for any input `Table(...)` accepts."""
    from turnout.table.petl_bridge import ColumnarPetlView
    from turnout.table.table import Table

    if isinstance(source, Table):
        return dict(source._columns), source._num_rows
    if isinstance(source, ColumnarPetlView):
        return dict(source._columns), source._num_rows
    if isinstance(source, pl.DataFrame):
        return columns_from_polars(source)
    # pyarrow is not imported here (about 40 MB of RSS): a pyarrow Table can only exist once the
    # caller has imported it.
    pa = sys.modules.get("pyarrow")
    if pa is not None and isinstance(source, pa.Table):
        return columns_from_polars(pl.from_arrow(source))
    if isinstance(source, list | tuple):
        return columns_from_sequence(source)
    if isinstance(source, petl.util.base.Table):
        return columns_from_rows(iter(source), "petl table")
    raise TableError(
        f"could not build a Table from {type(source).__name__}: expected a list of dicts, a list "
        "of lists (first row the header), a petl table, a polars DataFrame or a pyarrow Table"
    )


def columns_from_polars(frame: pl.DataFrame) -> tuple[dict[str, Column], int]:
    names = unique_names(frame.columns)
    columns = {
        name: series_column(series, name) for name, series in zip(names, frame.get_columns())
    }
    return columns, frame.height


def columns_from_sequence(rows: Sequence[Any]) -> tuple[dict[str, Column], int]:
    if not rows:
        return {}, 0
    first = rows[0]
    if isinstance(first, dict):
        return columns_from_dicts(rows)
    if isinstance(first, list | tuple):
        return columns_from_rows(iter(rows), "list of lists")
    raise TableError(
        f"could not build a Table: row 0 is a {type(first).__name__}; expected dicts, or lists "
        "with the header first"
    )


def columns_from_dicts(rows: Sequence[dict]) -> tuple[dict[str, Column], int]:
    """Columns from a list of dicts, seeing every row's keys (not a sample)."""
    keys, built = dict_columns(rows)
    names = unique_names(keys, context="dict keys")
    columns = {name: rename_column(column, name) for name, column in zip(names, built)}
    return columns, len(rows)


def dict_columns(rows: Sequence[dict]) -> tuple[list[Any], list[Column]]:
    """Every key of the dicts (first appearance order) and, per key, its stored column (None
    where a row lacks the key).

    Columns are built one key at a time: a key's list of values lives only until its column is
    built, so the peak holds the input, the finished columns and one list.
    """
    num_rows = len(rows)
    keys = list(rows[0])
    width = len(keys)

    # Fast path: every row holds exactly the keys of row 0. A row with all of them and the same
    # length cannot hold any other key.
    # TODO: about 1.2x polars' from_dicts on 1M rows (one C pass per key, then an exact type
    # check per column); closing the gap needs the extraction and type check in native code.
    try:
        same_width = sum(map(len, rows)) == width * num_rows
    except TypeError as error:
        raise _not_a_dict(rows) from error
    if same_width:
        try:
            return keys, [build_column(list(map(itemgetter(key), rows)), str(key)) for key in keys]
        except KeyError:
            pass
        except TypeError as error:
            raise _not_a_dict(rows) from error
    keys = _dict_keys_slow(rows)
    return keys, [build_column([row.get(key) for row in rows], str(key)) for key in keys]


def _dict_keys_slow(rows: Sequence[dict]) -> list:
    seen: dict[Any, None] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise TableError(
                f"could not build a Table: row {index} is a {type(row).__name__}, not a dict"
            )
        if len(row) != len(seen) or any(key not in seen for key in row):
            for key in row:
                if key not in seen:
                    seen[key] = None
    return list(seen)


def _not_a_dict(rows: Sequence[Any]) -> TableError:
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            return TableError(
                f"could not build a Table: row {index} is a {type(row).__name__}, not a dict"
            )
    return TableError("could not build a Table from these dicts")


def columns_from_rows(rows: Iterable[Any], what: str) -> tuple[dict[str, Column], int]:
    """Columns from an iterator whose first item is the header and the rest are data rows."""
    iterator = iter(rows)
    try:
        header = next(iterator)
    except StopIteration:
        return {}, 0
    if not isinstance(header, list | tuple):
        header = tuple(header)
    names = unique_names(header, context=what)
    width = len(names)
    data = [row if isinstance(row, tuple | list) else tuple(row) for row in iterator]

    lengths = set(map(len, data))
    if lengths - {width}:
        data = [_fit_row(row, width, index, what) for index, row in enumerate(data)]

    if width == 0:
        return {}, len(data)
    if not data:
        return {name: build_column([], name) for name in names}, 0
    values = [list(map(itemgetter(position), data)) for position in range(width)]
    columns = {name: build_column(column, name) for name, column in zip(names, values)}
    return columns, len(data)


def _fit_row(row: Sequence[Any], width: int, index: int, what: str) -> Sequence[Any]:
    if len(row) < width:
        # A short row is padded with None, as petl reads it.
        return tuple(row) + (None,) * (width - len(row))
    if len(row) > width:
        raise TableError(
            f"could not build a Table from this {what}: data row {index} has {len(row)} values "
            f"but the header has {width} columns; extra values would be lost: {row!r}"
        )
    return row
