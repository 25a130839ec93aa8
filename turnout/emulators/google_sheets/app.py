"""The Sheets v4 / Drive v3 / OAuth token emulator as one WSGI app.

Both Google hosts map onto this one server: Sheets routes live under `/v4/spreadsheets`, Drive
under `/drive/v3/files`, the token endpoint at `/token`. Paths are parsed raw (still
percent-encoded), because a range such as `'Sheet1'!A1:B2` is encoded while the verb colon in
`...:append` is not.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import orjson
from werkzeug.wrappers import Request, Response

from turnout.emulators.base import EmulatorApp, FaultInjector, json_response
from turnout.emulators.google_sheets import batch, drive, grid
from turnout.emulators.google_sheets.oauth import GrantError, TokenIssuer
from turnout.emulators.google_sheets.store import ApiError, Spreadsheet, Store, invalid
from turnout.emulators.google_sheets.values import check_input_option

_SPREADSHEET = re.compile(r"^/v4/spreadsheets/(?P<id>[^/:]+)(?P<rest>.*)$")
_FILE = re.compile(r"^/drive/v3/files/(?P<id>[^/]+)(?P<rest>(/permissions(/[^/]+)?)?)$")

UNAUTHENTICATED = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project."
)
INVALID_CREDENTIALS = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
    "cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project."
)


def quota_body(kind: str, project: str = "123456789") -> dict[str, Any]:
    """Google's 429 body for exhausted read or write quota (`kind` is "Read" or "Write")."""
    return {
        "error": {
            "code": 429,
            "message": (
                f"Quota exceeded for quota metric '{kind} requests' and limit '{kind} requests "
                f"per minute per user' of service 'sheets.googleapis.com' for consumer "
                f"'project_number:{project}'."
            ),
            "status": "RESOURCE_EXHAUSTED",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "RATE_LIMIT_EXCEEDED",
                    "domain": "googleapis.com",
                    "metadata": {
                        "consumer": f"projects/{project}",
                        "quota_limit": f"{kind}RequestsPerMinutePerUser",
                        "quota_metric": f"sheets.googleapis.com/{kind.lower()}_requests",
                        "service": "sheets.googleapis.com",
                    },
                }
            ],
        }
    }


def error_response(error: ApiError) -> Response:
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    body.update(error.extra)
    if error.status:
        body["status"] = error.status
    return json_response(
        {"error": body}, error.code, content_type="application/json; charset=UTF-8"
    )


class GoogleSheetsEmulator(EmulatorApp):
    """Sheets, Drive and the token endpoint, in memory.

    Options: `read_quota_per_minute` / `write_quota_per_minute` (per service account, like the
    real per-user quota; None: unlimited), `token_lifetime` (seconds), `require_registered_keys`
    (refuse JWTs from accounts not `register_service_account`-ed).
    """

    name = "google_sheets"

    # TODO: every valid token sees every file; the real Drive shows a service account only the
    # files it created or that were shared with it, which would make 403 PERMISSION_DENIED
    # testable.

    def __init__(
        self,
        *,
        faults: FaultInjector | None = None,
        seed: int = 0,
        read_quota_per_minute: int | None = None,
        write_quota_per_minute: int | None = None,
        token_lifetime: int = 3599,
        require_registered_keys: bool = False,
    ) -> None:
        super().__init__(faults=faults, seed=seed)
        self.store = Store(seed)
        self.tokens = TokenIssuer(token_lifetime)
        self.require_registered_keys = require_registered_keys
        self._registered: set[str] = set()
        self.quota = {"Read": read_quota_per_minute, "Write": write_quota_per_minute}
        self._quota_log: dict[tuple[str, str], deque[float]] = {}
        self._quota_lock = threading.Lock()
        self._current = threading.local()

    # --- set-up helpers for tests and the demo ----------------------------------------------

    def register_service_account(self, client_email: str, public_key_pem: bytes | str) -> None:
        """Check this account's JWT signatures against its public key."""
        self.tokens.register(client_email, public_key_pem)
        self._registered.add(client_email)

    def create_folder(self, name: str) -> str:
        return self.store.create_folder(name)

    def add_spreadsheet(
        self, title: str, rows: list[list[Any]] | None = None, sheet_title: str = "Sheet1"
    ) -> str:
        return self.store.add_spreadsheet(title, rows, sheet_title)

    def sheet_values(self, spreadsheet_id: str, sheet: int | str = 0) -> list[list[Any]]:
        """The stored values of one sheet (by index or title), trailing blanks trimmed."""
        return self._sheet(spreadsheet_id, sheet).grid_rows()

    def sheet_formats(
        self, spreadsheet_id: str, sheet: int | str = 0
    ) -> dict[tuple[int, int], dict[str, Any]]:
        """The userEnteredFormat of every formatted cell, keyed by 0-based (row, column)."""
        return dict(self._sheet(spreadsheet_id, sheet).formats)

    def _sheet(self, spreadsheet_id: str, sheet: int | str):
        spreadsheet = self.store.spreadsheet(spreadsheet_id)
        if isinstance(sheet, int):
            return sorted(spreadsheet.sheets, key=lambda s: s.index)[sheet]
        found = spreadsheet.sheet_by_title(sheet)
        if found is None:
            raise KeyError(sheet)
        return found

    # --- WSGI -----------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self._current.method = environ.get("REQUEST_METHOD", "GET")
        return super().__call__(environ, start_response)

    def rate_limited(self, retry_after: float | None) -> Response:
        kind = "Read" if getattr(self._current, "method", "GET") == "GET" else "Write"
        # Google sends no Retry-After on Sheets quota errors; clients back off on their own.
        return json_response(quota_body(kind), 429, content_type="application/json; charset=UTF-8")

    def server_error(self, status: int) -> Response:
        messages = {
            500: ("Internal error encountered.", "INTERNAL"),
            502: ("Bad Gateway", "UNAVAILABLE"),
            503: ("The service is currently unavailable.", "UNAVAILABLE"),
            504: ("The request timed out. Please try again.", "DEADLINE_EXCEEDED"),
        }
        message, status_name = messages.get(status, ("Internal error encountered.", "INTERNAL"))
        return error_response(ApiError(status, message, status_name))

    def not_found(self, request: Request) -> Response:
        return error_response(ApiError(404, "Requested entity was not found.", "NOT_FOUND"))

    def dispatch(self, request: Request) -> Response:
        raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path
        path = urlsplit(raw).path
        params = {k: v[-1] for k, v in parse_qs(request.query_string.decode(), True).items()}
        multi = parse_qs(request.query_string.decode(), keep_blank_values=True)
        try:
            if path == "/token":
                return self._token(request)
            account = self._authenticate(request)
            self._check_quota(account, request.method)
            if path.startswith("/v4/spreadsheets"):
                return self._sheets(request, path, params, multi, account)
            if path.startswith("/drive/v3/files"):
                return self._drive(request, path, params, account)
            return self.not_found(request)
        except ApiError as error:
            return error_response(error)

    # --- auth and quota ---------------------------------------------------------------------

    def _token(self, request: Request) -> Response:
        if request.method != "POST":
            return error_response(ApiError(405, "Method not allowed", "INVALID_ARGUMENT"))
        form = {k: v for k, v in request.form.items()}
        try:
            reply = self.tokens.exchange(form)
            if self.require_registered_keys:
                account = self.tokens.account_for(reply["access_token"])
                if account not in self._registered:
                    raise GrantError("invalid_grant", "Invalid grant: account not found")
        except GrantError as error:
            return json_response(
                {"error": error.error, "error_description": error.description}, error.status
            )
        return json_response(reply)

    def _authenticate(self, request: Request) -> str:
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            raise ApiError(401, UNAUTHENTICATED, "UNAUTHENTICATED")
        account = self.tokens.account_for(header[7:].strip())
        if account is None:
            raise ApiError(401, INVALID_CREDENTIALS, "UNAUTHENTICATED")
        return account

    def _check_quota(self, account: str, method: str) -> None:
        kind = "Read" if method == "GET" else "Write"
        limit = self.quota[kind]
        if limit is None:
            return
        now = time.monotonic()
        with self._quota_lock:
            log = self._quota_log.setdefault((account, kind), deque())
            while log and log[0] <= now - 60:
                log.popleft()
            if len(log) >= limit:
                quota = quota_body(kind)["error"]
                raise ApiError(429, quota["message"], quota["status"], details=quota["details"])
            log.append(now)

    # --- Sheets -----------------------------------------------------------------------------

    def _sheets(
        self,
        request: Request,
        path: str,
        params: dict[str, str],
        multi: dict[str, list[str]],
        account: str,
    ) -> Response:
        if path in ("/v4/spreadsheets", "/v4/spreadsheets/") and request.method == "POST":
            return json_response(self._create_spreadsheet(_json(request), account))
        match = _SPREADSHEET.match(path)
        if match is None:
            return self.not_found(request)
        spreadsheet_id = unquote(match.group("id"))
        rest = match.group("rest")
        with self.store.lock:
            spreadsheet = self.store.spreadsheet(spreadsheet_id)
            reply = self._sheets_route(request, spreadsheet, rest, params, multi)
            if request.method != "GET":
                self.store.touch(spreadsheet_id)
        return json_response(reply, content_type="application/json; charset=UTF-8")

    def _sheets_route(
        self,
        request: Request,
        spreadsheet: Spreadsheet,
        rest: str,
        params: dict[str, str],
        multi: dict[str, list[str]],
    ) -> dict[str, Any]:
        method = request.method
        sid = spreadsheet.spreadsheet_id
        if rest == "" and method == "GET":
            return self._metadata(spreadsheet, params, multi.get("ranges", []))
        if rest == ":batchUpdate" and method == "POST":
            body = _json(request)
            replies = batch.batch_update(self.store, spreadsheet, body.get("requests"))
            reply: dict[str, Any] = {"spreadsheetId": sid, "replies": replies}
            if _true(body.get("includeSpreadsheetInResponse")):
                reply["updatedSpreadsheet"] = self._metadata(spreadsheet, {}, [])
            return reply
        if rest == "/values:batchGet" and method == "GET":
            render = params.get("valueRenderOption", "FORMATTED_VALUE")
            major = params.get("majorDimension", "ROWS")
            ranges = [grid.resolve(spreadsheet, r) for r in multi.get("ranges", [])]
            return {
                "spreadsheetId": sid,
                "valueRanges": [grid.read(b, render, major) for b in ranges],
            }
        if rest == "/values:batchUpdate" and method == "POST":
            return self._values_batch_update(spreadsheet, _json(request))
        if rest == "/values:batchClear" and method == "POST":
            ranges = [grid.resolve(spreadsheet, r) for r in _json(request).get("ranges") or []]
            for bounds in ranges:
                grid.clear(bounds)
            return {"spreadsheetId": sid, "clearedRanges": [b.label() for b in ranges]}
        if rest.startswith("/values/"):
            encoded = rest[len("/values/") :]
            verb = None
            if ":" in encoded:
                head, tail = encoded.rsplit(":", 1)
                if tail in ("append", "clear"):
                    encoded, verb = head, tail
            range_text = unquote(encoded)
            return self._values(request, spreadsheet, range_text, verb, params)
        raise ApiError(404, "Requested entity was not found.", "NOT_FOUND")

    def _metadata(
        self, spreadsheet: Spreadsheet, params: dict[str, str], ranges: list[str]
    ) -> dict[str, Any]:
        include = _true(params.get("includeGridData")) or bool(ranges)
        sheets = []
        wanted = {grid.resolve(spreadsheet, r).sheet.sheet_id: r for r in ranges}
        for sheet in sorted(spreadsheet.sheets, key=lambda s: s.index):
            entry: dict[str, Any] = {"properties": sheet.properties()}
            if include and (not ranges or sheet.sheet_id in wanted):
                entry["data"] = [_grid_data(sheet)]
            sheets.append(entry)
        reply: dict[str, Any] = {
            "spreadsheetId": spreadsheet.spreadsheet_id,
            "properties": {
                "title": spreadsheet.title,
                "locale": spreadsheet.locale,
                "autoRecalc": "ON_CHANGE",
                "timeZone": spreadsheet.time_zone,
                "defaultFormat": {
                    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
                    "textFormat": {"fontFamily": "arial,sans,sans-serif", "fontSize": 10},
                },
            },
            "sheets": sheets,
            "spreadsheetUrl": (
                f"https://docs.google.com/spreadsheets/d/{spreadsheet.spreadsheet_id}/edit"
            ),
        }
        fields = params.get("fields")
        if fields:
            top = {re.split(r"[./(]", f.strip(), maxsplit=1)[0] for f in fields.split(",")}
            reply = {k: v for k, v in reply.items() if k in top}
        return reply

    def _values(
        self,
        request: Request,
        spreadsheet: Spreadsheet,
        range_text: str,
        verb: str | None,
        params: dict[str, str],
    ) -> dict[str, Any]:
        sid = spreadsheet.spreadsheet_id
        method = request.method
        if verb is None and method == "GET":
            bounds = grid.resolve(spreadsheet, range_text)
            reply = grid.read(
                bounds,
                params.get("valueRenderOption", "FORMATTED_VALUE"),
                params.get("majorDimension", "ROWS"),
            )
            return reply
        if verb is None and method == "PUT":
            option = check_input_option(params.get("valueInputOption"))
            body = _json(request)
            bounds = grid.resolve(spreadsheet, range_text, clamp=False)
            cells, counts = grid.plan_write(
                bounds, body.get("values"), option, body.get("majorDimension")
            )
            grid.apply_write(bounds.sheet, cells)
            reply = {"spreadsheetId": sid, **counts}
            if _true(params.get("includeValuesInResponse")):
                updated = grid.resolve(spreadsheet, counts["updatedRange"])
                reply["updatedData"] = grid.read(
                    updated, params.get("responseValueRenderOption", "FORMATTED_VALUE")
                )
            return reply
        if verb == "append" and method == "POST":
            return self._append(request, spreadsheet, range_text, params)
        if verb == "clear" and method == "POST":
            bounds = grid.resolve(spreadsheet, range_text)
            grid.clear(bounds)
            return {"spreadsheetId": sid, "clearedRange": bounds.label()}
        raise ApiError(404, "Requested entity was not found.", "NOT_FOUND")

    def _append(
        self, request: Request, spreadsheet: Spreadsheet, range_text: str, params: dict[str, str]
    ) -> dict[str, Any]:
        option = check_input_option(params.get("valueInputOption"))
        insert = params.get("insertDataOption", "OVERWRITE")
        if insert not in ("OVERWRITE", "INSERT_ROWS"):
            raise invalid(f"Invalid value at 'insert_data_option' (TYPE_ENUM), \"{insert}\"")
        body = _json(request)
        values = body.get("values") or []
        search = grid.resolve(spreadsheet, range_text)
        sheet = search.sheet
        extent = grid.table_extent(search)
        start_col = search.start_col
        if extent is None:
            target_row = search.start_row
        else:
            target_row = extent[1]
            start_col = extent[2]
        height = len(values)
        width = max((len(line) for line in values if isinstance(line, list)), default=0)
        if insert == "INSERT_ROWS" and height:
            grid.insert_rows(sheet, target_row, height)
        if target_row + height > sheet.row_count:
            sheet.row_count = target_row + height
        if start_col + width > sheet.column_count:
            sheet.column_count = start_col + width
        if spreadsheet.cell_total() > 10_000_000:
            raise invalid(
                "This action would increase the number of cells in the workbook above the limit "
                "of 10000000 cells."
            )
        target = grid.Bounds(
            sheet, target_row, sheet.row_count, start_col, sheet.column_count, False, False
        )
        cells, counts = grid.plan_write(target, values, option, body.get("majorDimension"))
        grid.apply_write(sheet, cells)
        reply: dict[str, Any] = {
            "spreadsheetId": spreadsheet.spreadsheet_id,
            "updates": {"spreadsheetId": spreadsheet.spreadsheet_id, **counts},
        }
        if extent is not None:
            reply["tableRange"] = grid.format_range(sheet.title, *extent[:2], *extent[2:])
        return reply

    def _values_batch_update(
        self, spreadsheet: Spreadsheet, body: dict[str, Any]
    ) -> dict[str, Any]:
        option = check_input_option(body.get("valueInputOption"))
        planned = []
        for position, item in enumerate(body.get("data") or []):
            bounds = grid.resolve(spreadsheet, item.get("range", ""), clamp=False)
            cells, counts = grid.plan_write(
                bounds,
                item.get("values"),
                option,
                item.get("majorDimension"),
                field=f"data[{position}].values",
            )
            planned.append((bounds.sheet, cells, counts))
        for sheet, cells, _ in planned:
            grid.apply_write(sheet, cells)
        responses = [{"spreadsheetId": spreadsheet.spreadsheet_id, **c} for _, _, c in planned]
        return {
            "spreadsheetId": spreadsheet.spreadsheet_id,
            "totalUpdatedRows": sum(c["updatedRows"] for c in responses),
            "totalUpdatedColumns": sum(c["updatedColumns"] for c in responses),
            "totalUpdatedCells": sum(c["updatedCells"] for c in responses),
            "totalUpdatedSheets": len({s.sheet_id for s, _, _ in planned}),
            "responses": responses,
        }

    def _create_spreadsheet(self, body: dict[str, Any], account: str) -> dict[str, Any]:
        title = (body.get("properties") or {}).get("title") or "Untitled spreadsheet"
        created = drive.create_file(
            self.store, {"name": title, "mimeType": drive.SPREADSHEET_MIME}, account
        )
        spreadsheet = self.store.spreadsheet(created["id"])
        for position, sheet_body in enumerate(body.get("sheets") or []):
            props = sheet_body.get("properties") or {}
            if position == 0:
                spreadsheet.sheets[0].title = props.get("title", "Sheet1")
                continue
            batch.batch_update(self.store, spreadsheet, [{"addSheet": {"properties": props}}])
        return self._metadata(spreadsheet, {}, [])

    # --- Drive ------------------------------------------------------------------------------

    def _drive(self, request: Request, path: str, params: dict[str, str], account: str) -> Response:
        method = request.method
        if path.rstrip("/") == "/drive/v3/files":
            if method == "GET":
                return json_response(drive.list_files(self.store, params))
            if method == "POST":
                return json_response(drive.create_file(self.store, _json(request), account))
            return self.not_found(request)
        match = _FILE.match(path)
        if match is None:
            return self.not_found(request)
        file_id = unquote(match.group("id"))
        rest = match.group("rest")
        if rest == "":
            if method == "GET":
                return json_response(drive.get_file(self.store, file_id, params))
            if method == "DELETE":
                self.store.delete_file(file_id)
                return Response(status=204)
        elif rest == "/permissions":
            if method == "GET":
                return json_response(drive.list_permissions(self.store, file_id, params))
            if method == "POST":
                body = _json(request)
                return json_response(drive.create_permission(self.store, file_id, body, params))
        elif method == "DELETE":
            drive.delete_permission(self.store, file_id, unquote(rest.rsplit("/", 1)[1]))
            return Response(status=204)
        return self.not_found(request)


def _grid_data(sheet: Any) -> dict[str, Any]:
    from turnout.emulators.google_sheets.values import rendered_value

    height = max(sheet.last_row(), max((k[0] + 1 for k in sheet.formats), default=0))
    rows = []
    for row in range(height):
        cells = []
        width = max(
            (k[1] + 1 for k in list(sheet.values) + list(sheet.formats) if k[0] == row), default=0
        )
        for col in range(width):
            cell: dict[str, Any] = {}
            value = sheet.values.get((row, col))
            if value is not None and value != "":
                cell["formattedValue"] = rendered_value(value, "FORMATTED_VALUE")
                cell["userEnteredValue"] = _typed(rendered_value(value, "FORMULA"))
                cell["effectiveValue"] = _typed(rendered_value(value, "UNFORMATTED_VALUE"))
            fmt = sheet.formats.get((row, col))
            if fmt:
                cell["userEnteredFormat"] = fmt
            cells.append(cell)
        rows.append({"values": cells} if cells else {})
    return {"startRow": 0, "startColumn": 0, "rowData": rows}


def _typed(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": value}
    if isinstance(value, str) and value.startswith("="):
        return {"formulaValue": value}
    return {"stringValue": value}


def _json(request: Request) -> dict[str, Any]:
    data = request.get_data(cache=True)
    if not data:
        return {}
    try:
        body = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise invalid("Invalid JSON payload received.") from None
    if not isinstance(body, dict):
        raise invalid(
            'Invalid JSON payload received. Unknown name "": Root element must be a message.'
        )
    return body


def _true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")
