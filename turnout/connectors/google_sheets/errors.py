"""Google Sheets errors: turnout errors that also subclass gspread's, so both kinds of
`except` clause (turnout's, and the gspread ones Parsons let through) keep working."""

from __future__ import annotations

import gspread.exceptions

from turnout.errors import NotFoundError, PermanentError, TableError


class SpreadsheetNotFoundError(NotFoundError, gspread.exceptions.SpreadsheetNotFound):
    """No spreadsheet with this id, or the service account cannot see it."""

    def __init__(self, spreadsheet_id: str, message: str | None = None) -> None:
        super().__init__(
            message
            or f"spreadsheet {spreadsheet_id!r} was not found (or is not shared with the "
            "service account)",
            status=404,
        )
        self.spreadsheet_id = spreadsheet_id


class WorksheetNotFoundError(PermanentError, ValueError, gspread.exceptions.WorksheetNotFound):
    """No worksheet with this index or title in the spreadsheet."""

    def __init__(self, spreadsheet_id: str, worksheet: int | str, titles: list[str]) -> None:
        kind = "index" if isinstance(worksheet, int) else "title"
        super().__init__(
            f"spreadsheet {spreadsheet_id!r} has no worksheet with {kind} {worksheet!r}; "
            f"its worksheets are {titles!r}"
        )
        self.spreadsheet_id = spreadsheet_id
        self.worksheet = worksheet
        self.titles = titles


class HeaderMismatchError(TableError):
    """A Table's columns do not fit the sheet's header (strict mode, or a duplicated header)."""


class CellValueError(TableError):
    """A cell that Google Sheets cannot hold; names the row and the column."""
