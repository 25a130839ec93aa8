"""A1 notation as the Sheets API reads it: `'Ti''tle'!A1:B2`, `Sheet1!A:B`, `A1:1`, `Sheet1`.

Rows and columns here are 0-based and end-exclusive, like the API's GridRange; `None` marks an
unbounded side, which the caller clamps to the sheet's grid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CELL = re.compile(r"^(?P<col>[A-Za-z]*)(?P<row>[0-9]*)$")
_SIMPLE_TITLE = re.compile(r"^[A-Za-z0-9_]+$")
_CELL_LIKE = re.compile(r"^([A-Za-z]{1,3}[0-9]+|[0-9]+|[A-Za-z]{1,3})$")


class RangeParseError(ValueError):
    """A range string the API would answer with 'Unable to parse range'."""


@dataclass(frozen=True)
class A1Range:
    """A parsed range: the sheet title (None: the first sheet) and grid bounds."""

    title: str | None
    start_row: int | None = None
    end_row: int | None = None
    start_col: int | None = None
    end_col: int | None = None
    single_cell: bool = False  # `A1`: a write anchored there may extend past it


def column_letters(index: int) -> str:
    """0-based column index -> letters (0 -> A, 26 -> AA)."""
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_index(letters: str) -> int:
    """Letters -> 0-based column index (A -> 0, AA -> 26)."""
    number = 0
    for char in letters.upper():
        number = number * 26 + (ord(char) - 64)
    return number - 1


def quote_title(title: str) -> str:
    """The sheet title as the API echoes it: bare when simple, else single-quoted."""
    if _SIMPLE_TITLE.match(title) and not _CELL_LIKE.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def split_title(text: str) -> tuple[str | None, str]:
    """Split `'Title'!A1:B2` into (title, "A1:B2"); a bare word with no `!` may be a title."""
    if text.startswith("'"):
        index = 1
        title_chars = []
        while index < len(text):
            char = text[index]
            if char == "'":
                if index + 1 < len(text) and text[index + 1] == "'":
                    title_chars.append("'")
                    index += 2
                    continue
                break
            title_chars.append(char)
            index += 1
        else:
            raise RangeParseError(text)
        rest = text[index + 1 :]
        if rest and not rest.startswith("!"):
            raise RangeParseError(text)
        return "".join(title_chars), rest[1:]
    if "!" in text:
        title, rest = text.split("!", 1)
        return title, rest
    return None, text


def _parse_cell(text: str, whole: str) -> tuple[int | None, int | None]:
    match = _CELL.match(text)
    if match is None or not text:
        raise RangeParseError(whole)
    col = column_index(match.group("col")) if match.group("col") else None
    row = int(match.group("row")) - 1 if match.group("row") else None
    if row is not None and row < 0:
        raise RangeParseError(whole)
    return row, col


def parse_cells(text: str, whole: str) -> tuple[int | None, int | None, int | None, int | None]:
    """Parse the cell part (`A1`, `A1:B2`, `A:B`, `1:3`, `A2:B`) -> (r0, r1, c0, c1)."""
    first, _, second = text.partition(":")
    row0, col0 = _parse_cell(first, whole)
    if not second:
        if row0 is None or col0 is None:
            raise RangeParseError(whole)
        return row0, row0 + 1, col0, col0 + 1
    row1, col1 = _parse_cell(second, whole)
    end_row = row1 + 1 if row1 is not None else None
    end_col = col1 + 1 if col1 is not None else None
    # `A:B` is unbounded in rows, `1:3` in columns; `A2:B` runs from row 2 to the end.
    start_row = row0 if row0 is not None else 0
    start_col = col0 if col0 is not None else 0
    if row0 is None and row1 is None:
        start_row, end_row = None, None
    if col0 is None and col1 is None:
        start_col, end_col = None, None
    return start_row, end_row, start_col, end_col


def parse_range(text: str, titles: list[str]) -> A1Range:
    """Parse a range; a bare word that names a sheet is the whole sheet."""
    title, cells = split_title(text)
    if title is None and text in titles:
        return A1Range(text)
    if not cells:
        return A1Range(title)
    row0, row1, col0, col1 = parse_cells(cells, text)
    return A1Range(title, row0, row1, col0, col1, ":" not in cells)


def format_range(title: str, start_row: int, end_row: int, start_col: int, end_col: int) -> str:
    """`Title!A1:B2` from 0-based end-exclusive bounds (a single cell prints once)."""
    first = f"{column_letters(start_col)}{start_row + 1}"
    last = f"{column_letters(end_col - 1)}{end_row}"
    cells = first if first == last else f"{first}:{last}"
    return f"{quote_title(title)}!{cells}"
