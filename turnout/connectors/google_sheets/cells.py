"""Turning Table values into cells the Sheets API stores as they are, and rows into chunks.

Under RAW every value keeps its type: strings stay strings ("02134", "=HYPERLINK(...)"),
numbers stay numbers. Values JSON cannot carry are written as text: dicts and lists as JSON,
dates as ISO text, None as an empty cell.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import uuid
from collections.abc import Iterator
from typing import Any

from turnout.connectors.google_sheets.errors import CellValueError

MAX_CELL_CHARACTERS = 50_000

# Google recommends request payloads of at most 2 MB; chunks stay under this by default.
DEFAULT_MAX_PAYLOAD_BYTES = 2_000_000


def cell_value(value: Any, *, row: int, column: str) -> Any:
    """One Table value as a JSON value for the Sheets API; `row`/`column` name it in errors."""
    if value is None:
        return ""
    if isinstance(value, bool | str | int):
        text = value
    elif isinstance(value, float):
        text = value if math.isfinite(value) else str(value)
    elif isinstance(value, dict | list | tuple):
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError) as error:
            raise CellValueError(
                f"row {row}, column {column!r}: cannot write {type(value).__name__} as JSON "
                f"text ({error})"
            ) from None
    elif isinstance(value, dt.datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, dt.date | dt.time):
        text = value.isoformat()
    elif isinstance(value, decimal.Decimal | uuid.UUID):
        text = str(value)
    elif isinstance(value, bytes):
        text = value.decode("utf-8", errors="backslashreplace")
    else:
        text = str(value)
    if isinstance(text, str) and len(text) > MAX_CELL_CHARACTERS:
        raise CellValueError(
            f"row {row}, column {column!r}: a value of {len(text)} characters is longer than "
            f"the {MAX_CELL_CHARACTERS} Google Sheets holds in one cell"
        )
    return text


def payload_size(row: list[Any]) -> int:
    """An estimate of a row's size in the JSON body (a little over, never under)."""
    return len(json.dumps(row, ensure_ascii=False).encode("utf-8")) + 2


def chunks(rows: list[list[Any]], max_bytes: int) -> Iterator[tuple[int, list[list[Any]]]]:
    """(offset, rows) chunks whose JSON stays under `max_bytes` (one row at least)."""
    start = 0
    size = 0
    for index, row in enumerate(rows):
        row_size = payload_size(row)
        if index > start and size + row_size > max_bytes:
            yield start, rows[start:index]
            start, size = index, 0
        size += row_size
    if start < len(rows):
        yield start, rows[start:]
