"""spreadsheets.batchUpdate: the request kinds gspread sends, applied all-or-nothing."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from turnout.emulators.google_sheets.store import (
    DEFAULT_COLUMNS,
    DEFAULT_ROWS,
    MAX_CELLS,
    MAX_COLUMNS,
    ApiError,
    Sheet,
    Spreadsheet,
    Store,
    invalid,
)
from turnout.emulators.google_sheets.values import stored_value


class _RequestError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def batch_update(store: Store, spreadsheet: Spreadsheet, requests: list[Any]) -> list[Any]:
    """Apply every request or none; one reply per request, in order."""
    if not isinstance(requests, list) or not requests:
        raise invalid("Must specify at least one request.")
    saved = copy.deepcopy(spreadsheet)
    replies: list[Any] = []
    for position, request in enumerate(requests):
        if not isinstance(request, dict) or len(request) != 1:
            _restore(spreadsheet, saved)
            raise invalid(f"Invalid requests[{position}]: exactly one kind of request is needed")
        kind, body = next(iter(request.items()))
        handler = _HANDLERS.get(kind)
        try:
            if handler is None:
                raise _RequestError(f"the emulator does not support {kind!r} requests")
            replies.append(handler(store, spreadsheet, body or {}))
        except _RequestError as error:
            _restore(spreadsheet, saved)
            raise invalid(f"Invalid requests[{position}].{kind}: {error.reason}") from None
    return replies


def _restore(spreadsheet: Spreadsheet, saved: Spreadsheet) -> None:
    spreadsheet.__dict__.update(saved.__dict__)


def _check_cells(spreadsheet: Spreadsheet) -> None:
    if spreadsheet.cell_total() > MAX_CELLS:
        raise _RequestError(
            "This action would increase the number of cells in the workbook above the limit "
            f"of {MAX_CELLS} cells."
        )


def _check_grid(rows: Any, columns: Any) -> None:
    if not isinstance(rows, int) or rows < 1:
        raise _RequestError("rowCount must be a positive number")
    if not isinstance(columns, int) or columns < 1:
        raise _RequestError("columnCount must be a positive number")
    if columns > MAX_COLUMNS:
        raise _RequestError(f"columnCount must not exceed {MAX_COLUMNS}")


def _sheet(spreadsheet: Spreadsheet, sheet_id: Any) -> Sheet:
    sheet = spreadsheet.sheet_by_id(sheet_id if isinstance(sheet_id, int) else -1)
    if sheet is None:
        raise _RequestError(f"No grid with id: {sheet_id}")
    return sheet


def _next_title(spreadsheet: Spreadsheet) -> str:
    number = len(spreadsheet.sheets) + 1
    while spreadsheet.sheet_by_title(f"Sheet{number}") is not None:
        number += 1
    return f"Sheet{number}"


def _duplicate(title: str) -> _RequestError:
    return _RequestError(
        f'A sheet with the name "{title}" already exists. Please enter another name.'
    )


def add_sheet(store: Store, spreadsheet: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    props = body.get("properties") or {}
    title = props.get("title") or _next_title(spreadsheet)
    if spreadsheet.sheet_by_title(title) is not None:
        raise _duplicate(title)
    grid = props.get("gridProperties") or {}
    rows = grid.get("rowCount", DEFAULT_ROWS)
    columns = grid.get("columnCount", DEFAULT_COLUMNS)
    _check_grid(rows, columns)
    sheet_id = props.get("sheetId")
    if sheet_id is None:
        sheet_id = store.new_sheet_id(spreadsheet)
    elif spreadsheet.sheet_by_id(sheet_id) is not None:
        raise _RequestError(f"A sheet with id {sheet_id} already exists.")
    index = props.get("index")
    if index is None or index > len(spreadsheet.sheets):
        index = len(spreadsheet.sheets)
    for other in spreadsheet.sheets:
        if other.index >= index:
            other.index += 1
    sheet = Sheet(sheet_id, title, index, rows, columns, bool(props.get("hidden", False)))
    spreadsheet.sheets.append(sheet)
    spreadsheet.reindex()
    _check_cells(spreadsheet)
    return {"addSheet": {"properties": sheet.properties()}}


def delete_sheet(store: Store, spreadsheet: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    sheet = _sheet(spreadsheet, body.get("sheetId"))
    if len(spreadsheet.sheets) == 1:
        raise _RequestError("You can't remove all the sheets in a document.")
    spreadsheet.sheets.remove(sheet)
    if all(s.hidden for s in spreadsheet.sheets):
        raise _RequestError("You can't remove all the visible sheets in a document.")
    spreadsheet.reindex()
    return {}


def _mask(fields: Any) -> list[str]:
    """`fields` as a list of slash paths: "a(b,c),d.e" -> ["a/b", "a/c", "d/e"]."""
    if not isinstance(fields, str) or not fields.strip():
        raise _RequestError("At least one field must be updated, but none were specified.")
    paths: list[str] = []
    _collect(fields.replace(".", "/").replace(" ", ""), [], paths)
    return paths


def _collect(text: str, prefix: list[str], paths: list[str]) -> None:
    depth = 0
    start = 0
    items = []
    for position, char in enumerate(text + ","):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(text[start:position])
            start = position + 1
    for item in items:
        if not item:
            continue
        if "(" in item and item.endswith(")"):
            name, inner = item.split("(", 1)
            _collect(inner[:-1], [*prefix, *name.split("/")], paths)
        else:
            paths.append("/".join([*prefix, *item.split("/")]))


def _masked_get(source: dict[str, Any], path: list[str]) -> tuple[bool, Any]:
    node: Any = source
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _masked_set(target: dict[str, Any], path: list[str], present: bool, value: Any) -> None:
    node = target
    for part in path[:-1]:
        node = node.setdefault(part, {})
    if present:
        node[path[-1]] = copy.deepcopy(value)
    else:
        node.pop(path[-1], None)


def update_sheet_properties(
    store: Store, spreadsheet: Spreadsheet, body: dict[str, Any]
) -> dict[str, Any]:
    props = body.get("properties") or {}
    sheet = _sheet(spreadsheet, props.get("sheetId"))
    current = sheet.properties()
    paths = _mask(body.get("fields"))
    if paths == ["*"]:
        paths = [
            "title",
            "index",
            "hidden",
            "gridProperties/rowCount",
            "gridProperties/columnCount",
        ]
    for path in paths:
        present, value = _masked_get(props, path.split("/"))
        _masked_set(current, path.split("/"), present, value)
    title = current.get("title")
    if not title:
        raise _RequestError("The sheet title must not be empty.")
    if title != sheet.title and spreadsheet.sheet_by_title(title) is not None:
        raise _duplicate(title)
    grid = current.get("gridProperties") or {}
    rows = grid.get("rowCount", sheet.row_count)
    columns = grid.get("columnCount", sheet.column_count)
    _check_grid(rows, columns)
    sheet.title = title
    sheet.hidden = bool(current.get("hidden", False))
    if all(s.hidden for s in spreadsheet.sheets):
        raise _RequestError("You can't hide all the sheets in a document.")
    if rows < sheet.row_count or columns < sheet.column_count:
        for store_dict in (sheet.values, sheet.formats):
            for key in [k for k in store_dict if k[0] >= rows or k[1] >= columns]:
                del store_dict[key]
    sheet.row_count, sheet.column_count = rows, columns
    new_index = current.get("index", sheet.index)
    if new_index != sheet.index:
        spreadsheet.sheets.remove(sheet)
        spreadsheet.sheets.insert(min(new_index, len(spreadsheet.sheets)), sheet)
        for position, other in enumerate(spreadsheet.sheets):
            other.index = position
    _check_cells(spreadsheet)
    return {}


def update_spreadsheet_properties(
    store: Store, spreadsheet: Spreadsheet, body: dict[str, Any]
) -> dict[str, Any]:
    props = body.get("properties") or {}
    current = {"title": spreadsheet.title, "locale": spreadsheet.locale}
    current["timeZone"] = spreadsheet.time_zone
    for path in _mask(body.get("fields")):
        if path == "*":
            current.update({k: v for k, v in props.items() if k in current})
            continue
        present, value = _masked_get(props, path.split("/"))
        if present:
            current[path.split("/")[0]] = value
    spreadsheet.title = current["title"]
    spreadsheet.locale = current["locale"]
    spreadsheet.time_zone = current["timeZone"]
    drive_file = store.files.get(spreadsheet.spreadsheet_id)
    if drive_file is not None:
        drive_file.name = spreadsheet.title
    return {}


def _grid_range(spreadsheet: Spreadsheet, grid_range: dict[str, Any]) -> tuple[Sheet, range, range]:
    sheet = _sheet(spreadsheet, grid_range.get("sheetId", 0))
    rows = range(grid_range.get("startRowIndex", 0), grid_range.get("endRowIndex", sheet.row_count))
    columns = range(
        grid_range.get("startColumnIndex", 0), grid_range.get("endColumnIndex", sheet.column_count)
    )
    if rows.stop > sheet.row_count or columns.stop > sheet.column_count or rows.start < 0:
        raise _RequestError(
            f"Range ({sheet.title}) exceeds grid limits. Max rows: {sheet.row_count}, "
            f"max columns: {sheet.column_count}"
        )
    return sheet, rows, columns


def repeat_cell(store: Store, spreadsheet: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    sheet, rows, columns = _grid_range(spreadsheet, body.get("range") or {})
    cell = body.get("cell") or {}
    paths = _mask(body.get("fields"))
    if paths == ["*"]:
        paths = ["userEnteredFormat", "userEnteredValue"]
    for path in paths:
        if path.split("/")[0] not in ("userEnteredFormat", "userEnteredValue"):
            raise _RequestError(f"the emulator does not support the field {path!r}")
    for row in rows:
        for col in columns:
            for path in paths:
                parts = path.split("/")
                present, value = _masked_get(cell, parts)
                if parts[0] == "userEnteredFormat":
                    fmt = sheet.formats.setdefault((row, col), {})
                    if len(parts) == 1:
                        fmt.clear()
                        fmt.update(copy.deepcopy(value) if present and value else {})
                    else:
                        _masked_set(fmt, parts[1:], present, value)
                    if not fmt:
                        sheet.formats.pop((row, col), None)
                elif parts[0] == "userEnteredValue":
                    _set_entered_value(sheet, (row, col), value if present else None)
    return {}


def _set_entered_value(sheet: Sheet, key: tuple[int, int], entered: Any) -> None:
    if not entered:
        sheet.values.pop(key, None)
        return
    if "formulaValue" in entered:
        sheet.values[key] = stored_value(entered["formulaValue"], "USER_ENTERED", "cell")
    else:
        sheet.values[key] = next(iter(entered.values()))


_HANDLERS: dict[str, Callable[[Store, Spreadsheet, dict[str, Any]], dict[str, Any]]] = {
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
    "repeatCell": repeat_cell,
}

__all__ = ["ApiError", "batch_update"]
