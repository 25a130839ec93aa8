"""Google Sheets: Parsons' `GoogleSheets` on real gspread (see client.py)."""

from turnout.connectors.google_sheets.client import BASE_URL_ENV_VAR, GoogleSheets
from turnout.connectors.google_sheets.credentials import ENV_VAR
from turnout.connectors.google_sheets.errors import (
    CellValueError,
    HeaderMismatchError,
    SpreadsheetNotFoundError,
    WorksheetNotFoundError,
)

__all__ = [
    "BASE_URL_ENV_VAR",
    "ENV_VAR",
    "CellValueError",
    "GoogleSheets",
    "HeaderMismatchError",
    "SpreadsheetNotFoundError",
    "WorksheetNotFoundError",
]
