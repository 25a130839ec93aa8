"""Reading and writing a sheet's cells the way values.get/update/append/clear do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from turnout.emulators.google_sheets.a1 import (
    A1Range,
    RangeParseError,
    column_letters,
    format_range,
    parse_range,
)
from turnout.emulators.google_sheets.store import Sheet, Spreadsheet, invalid
from turnout.emulators.google_sheets.values import rendered_value, stored_value


@dataclass
class Bounds:
    """A resolved range: the sheet and 0-based end-exclusive bounds inside its grid."""

    sheet: Sheet
    start_row: int
    end_row: int
    start_col: int
    end_col: int
    bounded_rows: bool
    bounded_cols: bool

    def label(self) -> str:
        return format_range(
            self.sheet.title,
            self.start_row,
            max(self.end_row, self.start_row + 1),
            self.start_col,
            max(self.end_col, self.start_col + 1),
        )


def resolve(spreadsheet: Spreadsheet, text: str, *, clamp: bool = True) -> Bounds:
    """Resolve a range string against a spreadsheet (400 'Unable to parse range' otherwise)."""
    titles = [s.title for s in spreadsheet.sheets]
    try:
        parsed = parse_range(text, titles)
    except RangeParseError:
        raise invalid(f"Unable to parse range: {text}") from None
    sheet = _sheet_for(spreadsheet, parsed, text)
    start_row = parsed.start_row or 0
    start_col = parsed.start_col or 0
    end_row = parsed.end_row if parsed.end_row is not None else sheet.row_count
    end_col = parsed.end_col if parsed.end_col is not None else sheet.column_count
    if clamp:
        end_row = min(end_row, sheet.row_count)
        end_col = min(end_col, sheet.column_count)
    return Bounds(
        sheet,
        start_row,
        end_row,
        start_col,
        end_col,
        parsed.end_row is not None and not parsed.single_cell,
        parsed.end_col is not None and not parsed.single_cell,
    )


def _sheet_for(spreadsheet: Spreadsheet, parsed: A1Range, text: str) -> Sheet:
    if parsed.title is None:
        return min(spreadsheet.sheets, key=lambda s: s.index)
    sheet = spreadsheet.sheet_by_title(parsed.title)
    if sheet is None:
        raise invalid(f"Unable to parse range: {text}")
    return sheet


def read(bounds: Bounds, render: str, major: str = "ROWS") -> dict[str, Any]:
    """A ValueRange: trailing blank cells and rows trimmed, `values` absent when empty."""
    # Walk the stored cells, not the grid: a large, sparse grid reads fast.
    found: dict[int, dict[int, Any]] = {}
    for (row, col), value in bounds.sheet.values.items():
        if (
            value != ""
            and bounds.start_row <= row < bounds.end_row
            and bounds.start_col <= col < bounds.end_col
        ):
            shown = value if type(value) is str else rendered_value(value, render)
            found.setdefault(row - bounds.start_row, {})[col - bounds.start_col] = shown
    height = max(found, default=-1) + 1
    rows: list[list[Any]] = []
    for offset in range(height):
        cells = found.get(offset, {})
        line = [""] * (max(cells, default=-1) + 1)
        for col, shown in cells.items():
            line[col] = shown
        rows.append(line)
    if major == "COLUMNS" and rows:
        width = max(len(line) for line in rows)
        padded = [line + [""] * (width - len(line)) for line in rows]
        rows = [_trim(list(column)) for column in zip(*padded)]
    result: dict[str, Any] = {"range": bounds.label(), "majorDimension": major}
    while rows and not rows[-1]:
        rows.pop()
    if rows:
        result["values"] = rows
    return result


def _trim(line: list[Any]) -> list[Any]:
    while line and line[-1] == "":
        line.pop()
    return line


def plan_write(
    bounds: Bounds, values: Any, option: str, major: str | None, field: str = "data.values"
) -> tuple[dict[tuple[int, int], Any], dict[str, Any]]:
    """Check a values.update and return (cell -> stored value, the update counts).

    JSON null leaves a cell as it is; "" clears it. Nothing is written outside the grid or,
    when the range is bounded, outside the range.
    """
    if values is None:
        values = []
    if not isinstance(values, list) or not all(isinstance(line, list) for line in values):
        raise invalid(f"Invalid value at '{field}' (type.googleapis.com/google.protobuf.ListValue)")
    if major == "COLUMNS":
        width = max((len(line) for line in values), default=0)
        values = [[line[i] if i < len(line) else None for line in values] for i in range(width)]
    sheet = bounds.sheet
    height = len(values)
    width = max((len(line) for line in values), default=0)
    last_row = bounds.start_row + height
    last_col = bounds.start_col + width
    if bounds.bounded_rows and height and last_row > bounds.end_row:
        raise invalid(
            f"Requested writing within range [{bounds.label()}], but tried writing to row "
            f"[{last_row}]"
        )
    if bounds.bounded_cols and width and last_col > bounds.end_col:
        raise invalid(
            f"Requested writing within range [{bounds.label()}], but tried writing to column "
            f"[{column_letters(last_col - 1)}]"
        )
    if height and width and (last_row > sheet.row_count or last_col > sheet.column_count):
        target = format_range(sheet.title, last_row - 1, last_row, last_col - 1, last_col)
        raise invalid(
            f"Range ({target}) exceeds grid limits. Max rows: {sheet.row_count}, "
            f"max columns: {sheet.column_count}"
        )
    cells: dict[tuple[int, int], Any] = {}
    for row_offset, line in enumerate(values):
        for col_offset, value in enumerate(line):
            if value is None:
                continue
            where = f"{field}[{row_offset}].values[{col_offset}]"
            cells[(bounds.start_row + row_offset, bounds.start_col + col_offset)] = stored_value(
                value, option, where
            )
    if height and width:
        updated = format_range(sheet.title, bounds.start_row, last_row, bounds.start_col, last_col)
    else:
        updated = bounds.label()
    counts = {
        "updatedRange": updated,
        "updatedRows": sum(1 for line in values if any(v is not None for v in line)),
        "updatedColumns": width,
        "updatedCells": len(cells),
    }
    return cells, counts


def apply_write(sheet: Sheet, cells: dict[tuple[int, int], Any]) -> None:
    for key, value in cells.items():
        if value == "":
            sheet.values.pop(key, None)
        else:
            sheet.values[key] = value


def clear(bounds: Bounds) -> None:
    sheet = bounds.sheet
    for key in [
        key
        for key in sheet.values
        if bounds.start_row <= key[0] < bounds.end_row
        and bounds.start_col <= key[1] < bounds.end_col
    ]:
        del sheet.values[key]


def table_extent(bounds: Bounds) -> tuple[int, int, int, int] | None:
    """The bounding box (r0, r1, c0, c1) of the values inside the search range, or None."""
    keys = [
        key
        for key, value in bounds.sheet.values.items()
        if value != ""
        and bounds.start_row <= key[0] < bounds.end_row
        and bounds.start_col <= key[1] < bounds.end_col
    ]
    if not keys:
        return None
    rows = [k[0] for k in keys]
    cols = [k[1] for k in keys]
    return min(rows), max(rows) + 1, min(cols), max(cols) + 1


def insert_rows(sheet: Sheet, at: int, count: int) -> None:
    """Shift every row from `at` down by `count` (values and formats) and grow the grid."""
    for store in (sheet.values, sheet.formats):
        moved = {
            (row + count if row >= at else row, col): value for (row, col), value in store.items()
        }
        store.clear()
        store.update(moved)
    sheet.row_count += count
