"""`GoogleSheets`: Parsons' Google Sheets connector, on real gspread.

Writes go to computed ranges with values.update, in chunks sized to Google's payload limits, so
a retried chunk lands in the same cells instead of twice. `append_to_sheet` matches columns to
the sheet's header by name.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import google.auth.exceptions
import gspread
from gspread.exceptions import APIError
from gspread.urls import DRIVE_FILES_API_V3_URL
from gspread.utils import ValueInputOption, ValueRenderOption, rowcol_to_a1

from turnout.connectors.google_sheets import cells
from turnout.connectors.google_sheets.credentials import (
    ENV_VAR,
    build_credentials,
    load_keyfile,
)
from turnout.connectors.google_sheets.errors import (
    HeaderMismatchError,
    SpreadsheetNotFoundError,
    WorksheetNotFoundError,
)
from turnout.connectors.google_sheets.transport import TurnoutHTTPClient, api_error_to_turnout
from turnout.errors import (
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    ServerError,
    TransportError,
    UnknownOutcomeError,
)
from turnout.http.retry import RetryPolicy
from turnout.redaction import redact
from turnout.table import Table

logger = logging.getLogger(__name__)

BASE_URL_ENV_VAR = "GOOGLE_API_BASE_URL"
MAX_CELLS = 10_000_000

# Sheets quotas are per minute: back off 2, 4, 8, 16, 32 s, so a burst of 429s is outlasted.
DEFAULT_RETRY_POLICY = RetryPolicy(attempts=6, backoff=2.0, backoff_max=64.0, jitter=1.0)

Worksheet = int | str

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"


class GoogleSheets:
    """Read and write Google Sheets as a service account.

    google_keyfile_dict: the service-account key as a dict, JSON text or file path; default
    env `GOOGLE_DRIVE_CREDENTIALS` (a path or the JSON itself).
    subject: an account to impersonate (domain-wide delegation).
    api_base_url: replaces both `https://sheets.googleapis.com` and `https://www.googleapis.com`
    (the emulator, a proxy); default env `GOOGLE_API_BASE_URL`. The token endpoint is the key
    file's `token_uri`.
    retry_policy: how 429 RESOURCE_EXHAUSTED and 5xx replies are retried (turnout.http); the
    default outlasts a minute of quota errors. Writes are retried only where a repeat is safe.
    max_payload_bytes: the largest JSON body one write sends; bigger tables go in chunks.
    """

    def __init__(
        self,
        google_keyfile_dict: dict[str, Any] | str | os.PathLike[str] | None = None,
        subject: str | None = None,
        *,
        api_base_url: str | None = None,
        retry_policy: RetryPolicy | None = None,
        max_payload_bytes: int = cells.DEFAULT_MAX_PAYLOAD_BYTES,
        timeout: float | None = 60.0,
    ) -> None:
        info = load_keyfile(google_keyfile_dict)
        self.client_email: str = info["client_email"]
        credentials = build_credentials(info, subject)
        base_url = api_base_url or os.environ.get(BASE_URL_ENV_VAR) or None
        self.api_base_url = base_url
        self.max_payload_bytes = max_payload_bytes
        http_client = TurnoutHTTPClient.configured(
            base_url=base_url, policy=retry_policy or DEFAULT_RETRY_POLICY, timeout=timeout
        )
        self.gspread_client: gspread.Client = gspread.authorize(
            credentials, http_client=http_client
        )

    @property
    def client(self) -> gspread.Client:
        """The underlying gspread Client (also `gspread_client`, Parsons' name)."""
        return self.gspread_client

    def __repr__(self) -> str:
        return f"GoogleSheets(client_email={self.client_email!r})"

    # --- opening -------------------------------------------------------------------------

    @contextmanager
    def _translated(self, action: str, spreadsheet_id: str | None = None) -> Iterator[None]:
        """Turn gspread and google-auth errors into turnout errors that name the target."""
        try:
            yield
        except gspread.exceptions.SpreadsheetNotFound:
            raise SpreadsheetNotFoundError(spreadsheet_id or "?") from None
        except PermissionError:
            raise AuthenticationError(
                f"{action}: the service account {self.client_email!r} has no access to "
                f"spreadsheet {spreadsheet_id!r}; share it with that address"
            ) from None
        except APIError as error:
            converted = api_error_to_turnout(error)
            if isinstance(converted, NotFoundError) and spreadsheet_id:
                raise SpreadsheetNotFoundError(spreadsheet_id) from None
            converted.args = (f"{action}: {converted.args[0]}",)
            raise converted from None
        except google.auth.exceptions.RefreshError as error:
            raise AuthenticationError(
                redact(
                    f"{action}: the token endpoint refused the service account "
                    f"{self.client_email!r} ({error.args[0] if error.args else error}); check "
                    f"{ENV_VAR}"
                )
            ) from None
        except google.auth.exceptions.TransportError as error:
            raise TransportError(
                redact(f"{action}: could not reach the token endpoint ({error})")
            ) from None

    def _open(self, spreadsheet_id: str) -> gspread.Spreadsheet:
        with self._translated("open spreadsheet", spreadsheet_id):
            return self.gspread_client.open_by_key(spreadsheet_id)

    def _get_worksheet(self, spreadsheet_id: str, worksheet: Worksheet = 0) -> gspread.Worksheet:
        spreadsheet = self._open(spreadsheet_id)
        with self._translated("list worksheets", spreadsheet_id):
            worksheets = spreadsheet.worksheets()
        titles = [w.title for w in worksheets]
        if isinstance(worksheet, bool) or not isinstance(worksheet, int | str):
            raise ConfigurationError(
                f"worksheet must be an index (int) or a title (str), not {worksheet!r}"
            )
        if isinstance(worksheet, int):
            if 0 <= worksheet < len(worksheets):
                return worksheets[worksheet]
        elif worksheet in titles:
            return worksheets[titles.index(worksheet)]
        raise WorksheetNotFoundError(spreadsheet_id, worksheet, titles)

    # --- reading -------------------------------------------------------------------------

    def list_worksheets(self, spreadsheet_id: str) -> list[str]:
        """The worksheet titles, in index order."""
        spreadsheet = self._open(spreadsheet_id)
        with self._translated("list worksheets", spreadsheet_id):
            return [w.title for w in spreadsheet.worksheets()]

    def get_worksheet_index(self, spreadsheet_id: str, title: str) -> int:
        """The 0-based index of the first worksheet with this (case-sensitive) title."""
        titles = self.list_worksheets(spreadsheet_id)
        if title not in titles:
            raise WorksheetNotFoundError(spreadsheet_id, title, titles)
        return titles.index(title)

    def get_worksheet(
        self, spreadsheet_id: str, worksheet: Worksheet = 0, skip_header_rows: int = 0
    ) -> Table:
        """A worksheet as a Table; its first row (after `skip_header_rows`) is the header.
        Values come back as the text Sheets shows."""
        sheet = self._get_worksheet(spreadsheet_id, worksheet)
        with self._translated("read worksheet", spreadsheet_id):
            values = sheet.get_all_values()
        rows = values[skip_header_rows:]
        table = Table(rows) if rows else Table()
        logger.info("Retrieved worksheet %r with %s rows", sheet.title, table.num_rows)
        return table

    def read_sheet(self, spreadsheet_id: str, sheet_index: int = 0) -> Table:
        """Deprecated: use get_worksheet."""
        logger.warning("read_sheet is deprecated; use get_worksheet")
        return self.get_worksheet(spreadsheet_id, sheet_index)

    def read_sheet_with_title(self, spreadsheet_id: str, title: str) -> Table:
        """Deprecated: use get_worksheet with a title."""
        logger.warning("read_sheet_with_title is deprecated; use get_worksheet")
        return self.get_worksheet(spreadsheet_id, title)

    def get_sheet_index_with_title(self, spreadsheet_id: str, title: str) -> int:
        """Deprecated: use get_worksheet_index."""
        logger.warning("get_sheet_index_with_title is deprecated; use get_worksheet_index")
        return self.get_worksheet_index(spreadsheet_id, title)

    # --- sharing and lifecycle ----------------------------------------------------------

    def share_spreadsheet(
        self,
        spreadsheet_id: str,
        sharee: str | None,
        share_type: str = "user",
        role: str = "reader",
        notify: bool = True,
        notify_message: str | None = None,
        with_link: bool = False,
    ) -> None:
        """Share with a user, group or domain, or (sharee None, share_type "anyone") everyone."""
        spreadsheet = self._open(spreadsheet_id)
        with self._translated("share spreadsheet", spreadsheet_id):
            spreadsheet.share(
                sharee,
                share_type,
                role,
                notify=notify,
                email_message=notify_message,
                with_link=with_link,
            )
        logger.info("Shared spreadsheet %s with %s as %s", spreadsheet_id, sharee, role)

    def get_spreadsheet_permissions(self, spreadsheet_id: str) -> Table:
        """The spreadsheet's permissions, one row each."""
        spreadsheet = self._open(spreadsheet_id)
        with self._translated("list permissions", spreadsheet_id):
            permissions = spreadsheet.list_permissions()
        logger.info("Retrieved %s permissions of %s", len(permissions), spreadsheet_id)
        return Table(permissions) if permissions else Table()

    def create_spreadsheet(
        self, title: str, editor_email: str | None = None, folder_id: str | None = None
    ) -> str:
        """Create a spreadsheet (in a Drive folder, if given), optionally shared with an
        editor; returns its id."""
        try:
            with self._translated("create spreadsheet"):
                spreadsheet = self.gspread_client.create(title, folder_id=folder_id)
        except ServerError as error:
            raise UnknownOutcomeError(
                f"creating spreadsheet {title!r} failed with HTTP {error.status}; it may exist "
                f"anyway: look for it in folder {folder_id!r} (find_spreadsheets) before "
                "running again"
            ) from error
        except TransportError as error:
            if not getattr(error, "sent", True):
                raise
            raise UnknownOutcomeError(
                f"creating spreadsheet {title!r} was sent but its reply was lost ({error}); it "
                f"may exist anyway: look for it in folder {folder_id!r} (find_spreadsheets) "
                "before running again"
            ) from error
        except NotFoundError as error:
            if folder_id is None:
                raise
            raise NotFoundError(
                f"cannot create spreadsheet {title!r}: folder {folder_id!r} was not found or "
                f"is not shared with {self.client_email!r}",
                status=404,
            ) from error
        if editor_email:
            with self._translated("share the new spreadsheet", spreadsheet.id):
                self.gspread_client.insert_permission(
                    spreadsheet.id, editor_email, perm_type="user", role="writer"
                )
        logger.info("Created spreadsheet %s (%r)", spreadsheet.id, title)
        return spreadsheet.id

    def find_spreadsheets(self, title: str, folder_id: str | None = None) -> list[str]:
        """The ids of the spreadsheets named exactly `title` (in Drive folder `folder_id`, if
        given) and not in the trash, oldest first.

        A turnout addition (Parsons' GoogleSheets has no lookup; its GoogleDrive has
        find_file_in_folder): a workflow re-run after a failure can reuse the spreadsheet
        the failed run created instead of adding another beside it.
        """
        clauses = [
            f"mimeType = '{SPREADSHEET_MIME}'",
            f"name = '{_drive_quoted(title)}'",
            "trashed = false",
        ]
        if folder_id is not None:
            clauses.append(f"'{_drive_quoted(folder_id)}' in parents")
        params: dict[str, Any] = {
            "q": " and ".join(clauses),
            "pageSize": 1000,
            "orderBy": "createdTime",
            "fields": "nextPageToken,files(id,name,createdTime)",
            "supportsAllDrives": True,
            "includeItemsFromAllDrives": True,
        }
        found: list[dict[str, Any]] = []
        with self._translated(f"find spreadsheets named {title!r}"):
            while True:
                reply = self.gspread_client.http_client.request(
                    "get", DRIVE_FILES_API_V3_URL, params=params
                ).json()
                found.extend(reply.get("files") or [])
                if not reply.get("nextPageToken"):
                    break
                params["pageToken"] = reply["nextPageToken"]
        named = [f for f in found if f.get("name") == title and f.get("id")]
        named.sort(key=lambda f: f.get("createdTime") or "")  # stable: Drive's order on ties
        logger.info("Found %s spreadsheets named %r in %s", len(named), title, folder_id or "Drive")
        return [f["id"] for f in named]

    def delete_spreadsheet(self, spreadsheet_id: str) -> None:
        """Delete the spreadsheet (Drive)."""
        # TODO: if the reply to a delete is lost and the retry finds the file gone, this raises
        # SpreadsheetNotFoundError although the delete succeeded.
        with self._translated("delete spreadsheet", spreadsheet_id):
            self.gspread_client.del_spreadsheet(spreadsheet_id)
        logger.info("Deleted spreadsheet %s", spreadsheet_id)

    def add_sheet(
        self, spreadsheet_id: str, title: str | None = None, rows: int = 100, cols: int = 25
    ) -> int:
        """Add a worksheet at the end; returns its index."""
        spreadsheet = self._open(spreadsheet_id)
        with self._translated("add worksheet", spreadsheet_id):
            worksheet = spreadsheet.add_worksheet(title, rows, cols)  # type: ignore[arg-type]
        logger.info("Added worksheet %r to %s", worksheet.title, spreadsheet_id)
        return worksheet.index

    # --- writing -------------------------------------------------------------------------

    def append_to_sheet(
        self,
        spreadsheet_id: str,
        table: Table,
        worksheet: Worksheet = 0,
        user_entered_value: bool = False,
        *,
        strict_columns: bool = False,
        **kwargs: Any,
    ) -> None:
        """Append the Table's rows below the sheet's data, each value under its own header.

        Columns are matched to the header by name; a column the sheet lacks is added to the
        header (or, with strict_columns=True, refused). A blank sheet gets the header first.
        """
        worksheet = _deprecated_sheet_index(worksheet, kwargs)
        if table.num_rows == 0:
            logger.warning(
                "append_to_sheet: the Table has no rows; nothing written to %s", spreadsheet_id
            )
            return
        sheet = self._get_worksheet(spreadsheet_id, worksheet)
        # TODO: this reads the whole sheet to find its header and last row; on very large sheets
        # reading the header row and one column would cost less, but could miss rows whose
        # first cells are blank.
        with self._translated("read worksheet", spreadsheet_id):
            existing = sheet.get_all_values()
        if not existing:
            self._write_table(sheet, spreadsheet_id, table, user_entered_value, header=True)
            logger.info("Appended %s rows to blank worksheet %r", table.num_rows, sheet.title)
            return
        header = [str(cell) for cell in existing[0]]
        used_width = max(len(row) for row in existing)
        positions, added = _match_header(table.columns, header, used_width, strict_columns)
        if added:
            logger.warning(
                "append_to_sheet: adding columns %s to the header of worksheet %r",
                [name for name, _ in added],
                sheet.title,
            )
        elif positions != list(range(len(table.columns))):
            logger.warning(
                "append_to_sheet: matching the Table's columns to worksheet %r by header name "
                "(Parsons wrote them by position)",
                sheet.title,
            )
        width = max(positions) + 1
        rows = [
            _aligned(
                [cells.cell_value(row.get(c), row=n, column=c) for c in table.columns],
                positions,
                width,
            )
            for n, row in enumerate(table)
        ]
        first_row = len(existing) + 1
        option = _input_option(user_entered_value)
        self._ensure_grid(sheet, spreadsheet_id, first_row + len(rows) - 1, width)
        if added:
            start = min(position for _, position in added)
            header_cells: list[Any] = [None] * (width - start)
            for name, position in added:
                header_cells[position - start] = name
            self._update(sheet, spreadsheet_id, [header_cells], 1, start + 1, option)
        self._write_rows(sheet, spreadsheet_id, rows, first_row, 1, option)
        logger.info("Appended %s rows to worksheet %r", len(rows), sheet.title)

    def overwrite_sheet(
        self,
        spreadsheet_id: str,
        table: Table,
        worksheet: Worksheet = 0,
        user_entered_value: bool = False,
        **kwargs: Any,
    ) -> None:
        """Replace the sheet's values with the Table: header first, then the rows. Formats
        stay.

        The new values are written to their computed range first, then only the cells beyond
        them (rows below, columns to the right) are cleared. No request overlaps another, so a
        retried or late request, in any order, leaves the same sheet. (Clearing first let a
        timed-out clear that the server ran late empty the rows written after it.)
        """
        # TODO: when the sheet held more than the Table, a clear whose reply timed out may
        # still land after this returns; an append_to_sheet right after, on the same sheet,
        # writes into the cleared rows and could lose them. Write the whole sheet with one
        # overwrite_sheet where that matters (as examples/mobilize_to_sheets.py does).
        worksheet = _deprecated_sheet_index(worksheet, kwargs)
        rows = _table_rows(table, header=True)  # every cell checked before any request
        sheet = self._get_worksheet(spreadsheet_id, worksheet)
        height = len(rows)
        width = max((len(row) for row in rows), default=0)
        if rows:
            self._ensure_grid(sheet, spreadsheet_id, height, width)
            option = _input_option(user_entered_value)
            self._write_rows(sheet, spreadsheet_id, rows, 1, 1, option)
        self._clear_beyond(sheet, spreadsheet_id, height, width)
        logger.info("Overwrote worksheet %r with %s rows", sheet.title, table.num_rows)

    def paste_data_in_sheet(
        self,
        spreadsheet_id: str,
        table: Table,
        worksheet: Worksheet = 0,
        header: bool = True,
        startrow: int = 0,
        startcol: int = 0,
    ) -> None:
        """Write the Table into the sheet with its top-left cell at 0-based (startrow,
        startcol), leaving other cells alone."""
        sheet = self._get_worksheet(spreadsheet_id, worksheet)
        rows = _table_rows(table, header)
        if not rows:
            logger.warning("paste_data_in_sheet: nothing to write to %s", spreadsheet_id)
            return
        width = max(len(row) for row in rows)
        self._ensure_grid(sheet, spreadsheet_id, startrow + len(rows), startcol + width)
        self._write_rows(sheet, spreadsheet_id, rows, startrow + 1, startcol + 1, "RAW")
        logger.info("Pasted %s rows into worksheet %r", len(rows), sheet.title)

    def format_cells(
        self,
        spreadsheet_id: str,
        range: str,  # Parsons' argument name, shadowing the builtin
        cell_format: dict[str, Any],
        worksheet: Worksheet = 0,
    ) -> None:
        """Apply a CellFormat (e.g. {"backgroundColor": {"red": 1.0}}) to an A1 range."""
        sheet = self._get_worksheet(spreadsheet_id, worksheet)
        try:
            with self._translated(f"format range {range!r}", spreadsheet_id):
                sheet.format(range, cell_format)
        except gspread.exceptions.IncorrectCellLabel:
            raise ConfigurationError(
                f"format_cells: {range!r} is not an A1 range (e.g. 'A1' or 'A2:N2')"
            ) from None
        logger.info("Formatted %s of worksheet %r", range, sheet.title)

    # --- write plumbing ------------------------------------------------------------------

    def _write_table(
        self,
        sheet: gspread.Worksheet,
        spreadsheet_id: str,
        table: Table,
        user_entered_value: bool,
        *,
        header: bool,
    ) -> None:
        rows = _table_rows(table, header)
        if not rows:
            return
        width = max(len(row) for row in rows)
        self._ensure_grid(sheet, spreadsheet_id, len(rows), width)
        self._write_rows(sheet, spreadsheet_id, rows, 1, 1, _input_option(user_entered_value))

    def _clear_beyond(
        self, sheet: gspread.Worksheet, spreadsheet_id: str, height: int, width: int
    ) -> None:
        """Clear the values outside the top-left `height` x `width` block: the rows below and
        the columns to its right. Those ranges are read first (one values:batchGet) and only
        the ones holding values are cleared (one values:batchClear, absolute ranges, safe to
        retry and to land late), so a sheet with nothing beyond gets no clear at all."""
        rows, cols = sheet.row_count, sheet.col_count
        ranges = []
        if height < rows and cols > 0:
            ranges.append(f"{rowcol_to_a1(height + 1, 1)}:{rowcol_to_a1(rows, cols)}")
        if height > 0 and width < cols:
            ranges.append(f"{rowcol_to_a1(1, width + 1)}:{rowcol_to_a1(height, cols)}")
        if not ranges:
            return
        with self._translated(f"read {', '.join(ranges)} of {sheet.title!r}", spreadsheet_id):
            # FORMULA: a formula that shows as blank is still a value to clear.
            found = sheet.batch_get(ranges, value_render_option=ValueRenderOption.formula)
        filled = [
            name
            for name, block in zip(ranges, found)
            if any(cell not in ("", None) for line in block for cell in line)
        ]
        if not filled:
            return
        with self._translated(f"clear {', '.join(filled)} of {sheet.title!r}", spreadsheet_id):
            sheet.batch_clear(filled)
        logger.debug("Cleared %s of worksheet %r", filled, sheet.title)

    def _ensure_grid(
        self, sheet: gspread.Worksheet, spreadsheet_id: str, rows: int, cols: int
    ) -> None:
        """Grow the grid (one absolute resize, safe to retry) so the write fits in it."""
        # TODO: a resize whose reply timed out may land after a later, larger one (the next
        # append_to_sheet growing the grid further) and shrink the grid, dropping the rows
        # beyond it; appendDimension would not shrink, but lands twice when retried.
        if rows <= sheet.row_count and cols <= sheet.col_count:
            return
        new_rows, new_cols = max(rows, sheet.row_count), max(cols, sheet.col_count)
        if new_rows * new_cols > MAX_CELLS:
            raise ConfigurationError(
                f"worksheet {sheet.title!r} of spreadsheet {spreadsheet_id} would need "
                f"{new_rows} rows x {new_cols} columns, more than the {MAX_CELLS} cells Google "
                "Sheets allows"
            )
        with self._translated(f"resize worksheet {sheet.title!r}", spreadsheet_id):
            sheet.resize(rows=new_rows, cols=new_cols)
        logger.debug("Resized worksheet %r to %s x %s", sheet.title, new_rows, new_cols)

    def _write_rows(
        self,
        sheet: gspread.Worksheet,
        spreadsheet_id: str,
        rows: list[list[Any]],
        first_row: int,
        first_col: int,
        option: str,
    ) -> None:
        for offset, chunk in cells.chunks(rows, self.max_payload_bytes):
            self._update(sheet, spreadsheet_id, chunk, first_row + offset, first_col, option)

    def _update(
        self,
        sheet: gspread.Worksheet,
        spreadsheet_id: str,
        rows: list[list[Any]],
        row: int,
        col: int,
        option: str,
    ) -> None:
        width = max(len(line) for line in rows)
        target = f"{rowcol_to_a1(row, col)}:{rowcol_to_a1(row + len(rows) - 1, col + width - 1)}"
        with self._translated(f"write {target} of {sheet.title!r}", spreadsheet_id):
            sheet.update(rows, target, value_input_option=option)  # type: ignore[arg-type]


def _deprecated_sheet_index(worksheet: Worksheet, kwargs: dict[str, Any]) -> Worksheet:
    if "sheet_index" in kwargs:
        logger.warning("the sheet_index argument is deprecated; use worksheet")
        return kwargs.pop("sheet_index")
    if kwargs:
        raise TypeError(f"unexpected keyword arguments {sorted(kwargs)}")
    return worksheet


def _drive_quoted(text: str) -> str:
    """Text for a single-quoted Drive query string: backslash and quote escaped."""
    return text.replace("\\", "\\\\").replace("'", "\\'")


def _input_option(user_entered_value: bool) -> str:
    return ValueInputOption.user_entered if user_entered_value else ValueInputOption.raw


def _table_rows(table: Table, header: bool) -> list[list[Any]]:
    columns = list(table.columns)
    rows: list[list[Any]] = [list(columns)] if header and columns else []
    for number, row in enumerate(table):
        rows.append([cells.cell_value(row.get(c), row=number, column=c) for c in columns])
    return rows


def _match_header(
    columns: list[str], header: list[str], used_width: int, strict: bool
) -> tuple[list[int], list[tuple[str, int]]]:
    """Each Table column's 0-based sheet column, and the (name, position) of added ones."""
    if "" in columns:
        raise HeaderMismatchError(
            "the Table has a column with an empty name; name it before appending, so its "
            "values land under a header"
        )
    labelled = [name for name in header if name != ""]
    duplicated = sorted({name for name in labelled if labelled.count(name) > 1} & set(columns))
    if duplicated:
        raise HeaderMismatchError(
            f"the sheet's header repeats {duplicated}; cannot tell which column to append to"
        )
    missing = [name for name in columns if name not in header]
    if missing and strict:
        raise HeaderMismatchError(
            f"the sheet's header {labelled} lacks the Table's columns {missing} "
            "(strict_columns=True); add them to the sheet or drop them from the Table"
        )
    positions = []
    added = []
    next_free = used_width  # never an unlabelled column that may hold data
    for name in columns:
        if name in header:
            positions.append(header.index(name))
        else:
            positions.append(next_free)
            added.append((name, next_free))
            next_free += 1
    return positions, added


def _aligned(values: list[Any], positions: list[int], width: int) -> list[Any]:
    # Cells the Table has no column for are sent as null: the API leaves them as they are.
    row: list[Any] = [None] * width
    for value, position in zip(values, positions):
        row[position] = value
    return row
