"""The emulator's in-memory state: Drive files and folders, spreadsheets, sheets, cells.

A cell holds the value as the API stored it (str, int, float, bool, or a `Formula`) and, apart,
its `userEnteredFormat`. Sheets keep the real API's grid: writes outside rowCount x columnCount
are refused, and a spreadsheet holds at most 10 million cells.
"""

from __future__ import annotations

import copy
import random
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
FOLDER_MIME = "application/vnd.google-apps.folder"

MAX_CELLS = 10_000_000
MAX_COLUMNS = 18_278
DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26


class ApiError(Exception):
    """An error the routes turn into Google's error body."""

    def __init__(self, code: int, message: str, status: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra


def invalid(message: str) -> ApiError:
    return ApiError(400, message, "INVALID_ARGUMENT")


@dataclass(frozen=True)
class Formula:
    """A formula entered with USER_ENTERED (kept as text; the emulator computes nothing)."""

    text: str

    def display(self) -> str:
        # HYPERLINK("url", "label") shows its label; other formulas show their text.
        match = re.fullmatch(r'=HYPERLINK\(\s*"[^"]*"\s*,\s*"([^"]*)"\s*\)', self.text, re.I)
        return match.group(1) if match else self.text


@dataclass
class Sheet:
    sheet_id: int
    title: str
    index: int
    row_count: int = DEFAULT_ROWS
    column_count: int = DEFAULT_COLUMNS
    hidden: bool = False
    values: dict[tuple[int, int], Any] = field(default_factory=dict)
    formats: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)

    def properties(self) -> dict[str, Any]:
        props: dict[str, Any] = {
            "sheetId": self.sheet_id,
            "title": self.title,
            "index": self.index,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": self.row_count, "columnCount": self.column_count},
        }
        if self.hidden:
            props["hidden"] = True
        return props

    def last_row(self, start_col: int = 0, end_col: int | None = None) -> int:
        """1 + the 0-based index of the last row holding a value in the columns, or 0."""
        last = 0
        for (row, col), value in self.values.items():
            if col >= start_col and (end_col is None or col < end_col) and value != "":
                last = max(last, row + 1)
        return last

    def grid_rows(self) -> list[list[Any]]:
        """Every stored value as rows (for tests): trailing blanks trimmed, like values.get."""
        height = self.last_row()
        rows: list[list[Any]] = [[] for _ in range(height)]
        for (row, col), value in sorted(self.values.items()):
            line = rows[row]
            while len(line) <= col:
                line.append("")
            line[col] = value
        return [_trim(line) for line in rows]


def _trim(line: list[Any]) -> list[Any]:
    while line and line[-1] == "":
        line.pop()
    return line


@dataclass
class Spreadsheet:
    spreadsheet_id: str
    title: str
    sheets: list[Sheet] = field(default_factory=list)
    locale: str = "en_US"
    time_zone: str = "Etc/GMT"

    def sheet_by_title(self, title: str) -> Sheet | None:
        return next((s for s in self.sheets if s.title == title), None)

    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def cell_total(self) -> int:
        return sum(s.row_count * s.column_count for s in self.sheets)

    def reindex(self) -> None:
        self.sheets.sort(key=lambda s: s.index)
        for position, sheet in enumerate(self.sheets):
            sheet.index = position


@dataclass
class DriveFile:
    file_id: str
    name: str
    mime_type: str
    parents: list[str]
    created_time: str
    modified_time: str
    permissions: list[dict[str, Any]] = field(default_factory=list)

    def resource(self) -> dict[str, Any]:
        return {
            "kind": "drive#file",
            "id": self.file_id,
            "name": self.name,
            "mimeType": self.mime_type,
            "parents": list(self.parents),
            "createdTime": self.created_time,
            "modifiedTime": self.modified_time,
        }


class Store:
    """Everything the emulator holds, behind one lock (requests run on several threads)."""

    def __init__(self, seed: int = 0) -> None:
        self.lock = threading.RLock()
        self._rng = random.Random(seed)
        self.files: dict[str, DriveFile] = {}
        self.spreadsheets: dict[str, Spreadsheet] = {}

    # --- ids and time ------------------------------------------------------------------------

    def new_file_id(self) -> str:
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
        while True:
            file_id = "1" + "".join(self._rng.choice(alphabet) for _ in range(43))
            if file_id not in self.files:
                return file_id

    def new_sheet_id(self, spreadsheet: Spreadsheet) -> int:
        while True:
            sheet_id = self._rng.randint(1, 2**31 - 1)
            if spreadsheet.sheet_by_id(sheet_id) is None:
                return sheet_id

    def new_permission_id(self) -> str:
        return "".join(self._rng.choice("0123456789") for _ in range(20))

    @staticmethod
    def now() -> str:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + "000Z"

    # --- files -------------------------------------------------------------------------------

    def create_file(self, name: str, mime_type: str, parents: list[str]) -> DriveFile:
        with self.lock:
            for parent in parents:
                folder = self.files.get(parent)
                if folder is None or folder.mime_type != FOLDER_MIME:
                    raise ApiError(
                        404,
                        f"File not found: {parent}.",
                        "NOT_FOUND",
                        errors=[_drive_not_found(parent, "parents")],
                    )
            stamp = self.now()
            drive_file = DriveFile(self.new_file_id(), name, mime_type, parents, stamp, stamp)
            self.files[drive_file.file_id] = drive_file
            if mime_type == SPREADSHEET_MIME:
                self.spreadsheets[drive_file.file_id] = Spreadsheet(
                    drive_file.file_id, name, [Sheet(0, "Sheet1", 0)]
                )
            return drive_file

    def create_folder(self, name: str, parents: list[str] | None = None) -> str:
        """A Drive folder (for tests and the demo: the folder a script writes into)."""
        return self.create_file(name, FOLDER_MIME, parents or []).file_id

    def get_file(self, file_id: str) -> DriveFile:
        drive_file = self.files.get(file_id)
        if drive_file is None:
            raise ApiError(
                404,
                f"File not found: {file_id}.",
                "NOT_FOUND",
                errors=[_drive_not_found(file_id, "fileId")],
            )
        return drive_file

    def delete_file(self, file_id: str) -> None:
        with self.lock:
            self.get_file(file_id)
            del self.files[file_id]
            self.spreadsheets.pop(file_id, None)

    def touch(self, spreadsheet_id: str) -> None:
        drive_file = self.files.get(spreadsheet_id)
        if drive_file is not None:
            drive_file.modified_time = self.now()

    # --- spreadsheets ------------------------------------------------------------------------

    def spreadsheet(self, spreadsheet_id: str) -> Spreadsheet:
        spreadsheet = self.spreadsheets.get(spreadsheet_id)
        if spreadsheet is None:
            raise ApiError(404, "Requested entity was not found.", "NOT_FOUND")
        return spreadsheet

    def add_spreadsheet(
        self, title: str, rows: list[list[Any]] | None = None, sheet_title: str = "Sheet1"
    ) -> str:
        """Seed a spreadsheet directly (tests, the demo): returns its id."""
        with self.lock:
            drive_file = self.create_file(title, SPREADSHEET_MIME, [])
            sheet = self.spreadsheets[drive_file.file_id].sheets[0]
            sheet.title = sheet_title
            rows = rows or []
            sheet.row_count = max(sheet.row_count, len(rows))
            sheet.column_count = max(sheet.column_count, max((len(r) for r in rows), default=0))
            for row_index, row in enumerate(rows):
                for col_index, value in enumerate(row):
                    if value is not None and value != "":
                        sheet.values[(row_index, col_index)] = copy.deepcopy(value)
            return drive_file.file_id


def _drive_not_found(file_id: str, location: str) -> dict[str, str]:
    return {
        "message": f"File not found: {file_id}.",
        "domain": "global",
        "reason": "notFound",
        "location": location,
        "locationType": "parameter",
    }
