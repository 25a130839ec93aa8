"""JSON reading and writing: a JSON list of objects, or line-delimited JSON (one object a line).

Values keep their JSON types (int, float, str, bool, None, dict, list) exactly as Python's json
module gives them. Line-delimited files are parsed by Arrow's JSON reader when every column it
finds is a string, int64 or bool column (Arrow refuses a column that mixes these, so nothing is
coerced); a column of floats, objects or lists, or anything Arrow refuses, is parsed per line
with orjson, which gives the same values as json.loads.
"""

from __future__ import annotations

import io
import json
import logging
import math
import re
from collections.abc import Iterable, Iterator
from typing import Any

import orjson
import polars as pl

from turnout.errors import TableFormatError
from turnout.table.io_files import open_binary_writer, read_file_bytes
from turnout.table.storage import column_values, slice_column

logger = logging.getLogger(__name__)

_WRITE_CHUNK_ROWS = 100_000
_LONG_DIGIT_RUN = re.compile(rb"\d{19}")


def read_json_lines(table_class: Any, data: bytes | str, source: str) -> Any:
    """A Table from line-delimited JSON: its bytes, or the path of an uncompressed file."""
    table = _read_lines_with_arrow(table_class, data)
    if table is not None:
        return table
    if isinstance(data, str):
        data = read_file_bytes(data)
    rows = []
    for line_number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = _loads(line)
        except ValueError as error:
            raise TableFormatError(
                f"{source}: line {line_number} is not valid JSON: {error}"
            ) from None
        if not isinstance(row, dict):
            raise TableFormatError(
                f"{source}: line {line_number} holds a JSON {type(row).__name__}, not an object"
            )
        rows.append(row)
    return table_class(rows) if rows else table_class()


def _loads(data: bytes) -> Any:
    """json.loads' result, by orjson where it gives the same: orjson refuses NaN and Infinity,
    and reads an integer beyond 64 bits as a float, so a run of 19 digits goes to json."""
    if _LONG_DIGIT_RUN.search(data):
        return json.loads(data)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


def _read_lines_with_arrow(table_class: Any, data: bytes | str) -> Any | None:
    # pyarrow is imported here so that importing turnout does not load it.
    import pyarrow as pa
    import pyarrow.json as pa_json

    exact_types = (
        pa.types.is_string,
        pa.types.is_large_string,
        pa.types.is_int64,
        pa.types.is_boolean,
        pa.types.is_null,
    )
    source = data if isinstance(data, str) else io.BytesIO(data)
    try:
        arrow = pa_json.read_json(source, read_options=pa_json.ReadOptions(block_size=1 << 20))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if arrow.num_rows == 0:
        return None
    if not all(any(check(field.type) for check in exact_types) for field in arrow.schema):
        return None
    frame = pl.from_arrow(arrow)
    return table_class(frame)


def read_json_document(table_class: Any, data: bytes, source: str, header: list | None) -> Any:
    """A Table from a JSON list of objects; `header` picks and orders the columns."""
    try:
        rows = _loads(data)
    except ValueError as error:
        raise TableFormatError(f"{source} is not valid JSON: {error}") from None
    if isinstance(rows, dict):
        rows = [rows]
    if not isinstance(rows, list):
        raise TableFormatError(
            f"{source} holds a JSON {type(rows).__name__}, not a list of objects"
        )
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise TableFormatError(
                f"{source}: item {index} is a JSON {type(row).__name__}, not an object"
            )
    if header is not None:
        return table_class.from_columns(
            {str(key): [row.get(key) for row in rows] for key in header}
        )
    return table_class(rows) if rows else table_class()


def write_json(table: Any, path: str, *, line_delimited: bool = False) -> None:
    """Write the rows as a JSON list (one row a line) or as line-delimited JSON."""
    dump = _dump_python if _has_non_finite_floats(table) else _dump
    with open_binary_writer(path) as file:
        if not line_delimited:
            file.write(b"[")
        first = True
        for chunk in _row_chunks(table):
            lines = [dump(row) for row in chunk]
            if not lines:
                continue
            separator = b"\n" if line_delimited else b",\n"
            if not first:
                file.write(separator)
            file.write(separator.join(lines))
            first = False
        if not line_delimited:
            file.write(b"]")


def _dump(row: dict) -> bytes:
    try:
        return orjson.dumps(row)
    except TypeError:
        # Keys that are not strings, ints beyond 64 bits: json's own rules.
        return _dump_python(row)


def _dump_python(row: dict) -> bytes:
    return json.dumps(row).encode("utf-8")


def _has_non_finite_floats(table: Any) -> bool:
    """True when a top-level value is NaN or infinite: json writes NaN, orjson would write null."""
    # TODO: a NaN nested inside a dict or list value is still written as null by orjson.
    for name in table.columns:
        column = table._column_store(name)
        if isinstance(column, pl.Series):
            if column.dtype.is_float() and not column.is_finite().fill_null(True).all():
                return True
        elif any(type(value) is float and not math.isfinite(value) for value in column):
            return True
    return False


def _row_chunks(table: Any) -> Iterator[Iterable[dict]]:
    names = table.columns
    for start in range(0, table.num_rows, _WRITE_CHUNK_ROWS):
        stop = start + _WRITE_CHUNK_ROWS
        columns = [
            column_values(slice_column(table._column_store(name), start, stop)) for name in names
        ]
        yield (dict(zip(names, values)) for values in zip(*columns))
