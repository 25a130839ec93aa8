"""GoogleSheets through real gspread against the emulator: every method, values and formats
read back, the known traps, retries without duplicates, credential errors without key leaks."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import gspread
import pytest
import requests

from tests.fixtures.google_sheets import FAST_RETRIES
from turnout.connectors.google_sheets import (
    GoogleSheets,
    HeaderMismatchError,
    SpreadsheetNotFoundError,
    WorksheetNotFoundError,
)
from turnout.connectors.google_sheets.cells import chunks
from turnout.emulators.base import EmulatorServer
from turnout.errors import (
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    RateLimitError,
    ResponseFormatError,
    ServerError,
    TransportError,
    TurnoutError,
    UnknownOutcomeError,
)
from turnout.redaction import redact
from turnout.table import Table

RED = {"red": 1.0, "green": 0.0, "blue": 0.0}


def values(server: EmulatorServer, spreadsheet_id: str, sheet: int | str = 0) -> list[list[Any]]:
    return server.app.sheet_values(spreadsheet_id, sheet)


def writes(server: EmulatorServer, spreadsheet_id: str) -> list[Any]:
    return [
        r
        for r in server.app.requests_to(f"/v4/spreadsheets/{spreadsheet_id}/values/")
        if r.method == "PUT"
    ]


@pytest.fixture
def blank(google_sheets: GoogleSheets) -> str:
    return google_sheets.create_spreadsheet("Blank")


# --- credentials and configuration -------------------------------------------------------------


def test_credentials_from_env_path_and_base_url_from_env(
    monkeypatch: pytest.MonkeyPatch, sheets_emulator: EmulatorServer, sheets_keyfile: Path
) -> None:
    monkeypatch.setenv("GOOGLE_DRIVE_CREDENTIALS", str(sheets_keyfile))
    monkeypatch.setenv("GOOGLE_API_BASE_URL", sheets_emulator.url)
    spreadsheet_id = sheets_emulator.app.add_spreadsheet("Env", [["a"], ["1"]])
    sheets = GoogleSheets(retry_policy=FAST_RETRIES)
    assert sheets.list_worksheets(spreadsheet_id) == ["Sheet1"]
    assert isinstance(sheets.client, gspread.Client)
    assert sheets.client is sheets.gspread_client


def test_credentials_from_env_json_text(
    monkeypatch: pytest.MonkeyPatch,
    sheets_emulator: EmulatorServer,
    sheets_service_account: dict[str, Any],
) -> None:
    monkeypatch.setenv("GOOGLE_DRIVE_CREDENTIALS", json.dumps(sheets_service_account))
    sheets = GoogleSheets(api_base_url=sheets_emulator.url, retry_policy=FAST_RETRIES)
    assert sheets.get_worksheet(sheets.create_spreadsheet("Json")).num_rows == 0


def test_missing_credentials_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOOGLE_DRIVE_CREDENTIALS", raising=False)
    with pytest.raises(ConfigurationError, match="GOOGLE_DRIVE_CREDENTIALS"):
        GoogleSheets()


def test_unparseable_credentials_never_print_the_key(
    monkeypatch: pytest.MonkeyPatch, sheets_service_account: dict[str, Any]
) -> None:
    key_line = sheets_service_account["private_key"].splitlines()[1]
    broken = json.dumps(sheets_service_account)[:-1]  # the closing brace is missing
    monkeypatch.setenv("GOOGLE_DRIVE_CREDENTIALS", broken)
    with pytest.raises(ConfigurationError) as caught:
        GoogleSheets()
    message = str(caught.value)
    assert "GOOGLE_DRIVE_CREDENTIALS" in message and "not valid JSON" in message
    assert key_line not in message and caught.value.__cause__ is None

    corrupt = dict(sheets_service_account, private_key="-----BEGIN PRIVATE KEY-----\nabcd\n")
    with pytest.raises(ConfigurationError) as caught:
        GoogleSheets(corrupt)
    assert "GOOGLE_DRIVE_CREDENTIALS" in str(caught.value)
    assert "abcd" not in str(caught.value)

    with pytest.raises(ConfigurationError, match="lack token_uri"):
        GoogleSheets({k: v for k, v in sheets_service_account.items() if k != "token_uri"})
    with pytest.raises(ConfigurationError, match="cannot read the service-account key file"):
        GoogleSheets("/nonexistent/key.json")


def test_private_key_is_registered_with_the_redactor(
    google_sheets: GoogleSheets, sheets_service_account: dict[str, Any]
) -> None:
    key = sheets_service_account["private_key"]
    assert redact(f"oops {key}") == "oops ***"
    assert sheets_service_account["private_key_id"] not in redact(
        sheets_service_account["private_key_id"]
    )
    assert key not in repr(google_sheets)


def test_refused_token_is_an_authentication_error_naming_the_variable(
    sheets_emulator: EmulatorServer, sheets_service_account: dict[str, Any]
) -> None:
    from turnout.emulators.google_sheets import generate_private_key, service_account_info

    impostor = service_account_info(
        sheets_emulator.url,
        client_email=sheets_service_account["client_email"],
        private_key=generate_private_key(),
    )
    sheets = GoogleSheets(impostor, api_base_url=sheets_emulator.url, retry_policy=FAST_RETRIES)
    with pytest.raises(AuthenticationError) as caught:
        sheets.create_spreadsheet("Nope")
    assert "GOOGLE_DRIVE_CREDENTIALS" in str(caught.value)
    assert "Invalid JWT Signature" in str(caught.value)
    assert impostor["private_key"].splitlines()[1] not in str(caught.value)


def test_find_spreadsheets_by_exact_name_in_a_folder_oldest_first(
    google_sheets: GoogleSheets, sheets_emulator: EmulatorServer
) -> None:
    folder = sheets_emulator.app.create_folder("Organizers")
    other_folder = sheets_emulator.app.create_folder("Elsewhere")
    first = google_sheets.create_spreadsheet("Dup", folder_id=folder)
    second = google_sheets.create_spreadsheet("Dup", folder_id=folder)
    elsewhere = google_sheets.create_spreadsheet("Dup", folder_id=other_folder)
    quoted = google_sheets.create_spreadsheet("Dup's \\ list", folder_id=folder)
    google_sheets.create_spreadsheet("Dup 2", folder_id=folder)
    sheets_emulator.app.store.create_file("Dup", "text/plain", [folder])  # not a spreadsheet

    assert google_sheets.find_spreadsheets("Dup", folder_id=folder) == [first, second]
    assert google_sheets.find_spreadsheets("Dup") == [first, second, elsewhere]
    assert google_sheets.find_spreadsheets("Dup's \\ list", folder_id=folder) == [quoted]
    assert google_sheets.find_spreadsheets("Nothing", folder_id=folder) == []
    query = sheets_emulator.app.requests_to("/drive/v3/files", "GET")[0].query
    assert "trashed+%3D+false" in query


def test_a_truncated_token_reply_is_retried(
    google_sheets: GoogleSheets, sheets_emulator: EmulatorServer
) -> None:
    spreadsheet_id = sheets_emulator.app.add_spreadsheet("Token", [["a"]])
    sheets_emulator.app.faults.inject("truncate", 1, path_contains="/token")
    assert google_sheets.list_worksheets(spreadsheet_id) == ["Sheet1"]
    assert [r.fault for r in sheets_emulator.app.requests_to("/token")] == ["truncate", None]


def test_the_refresh_google_auth_runs_after_a_401_is_checked_too(
    google_sheets: GoogleSheets, sheets_emulator: EmulatorServer
) -> None:
    spreadsheet_id = sheets_emulator.app.add_spreadsheet("Token", [["a"]])
    google_sheets.list_worksheets(spreadsheet_id)
    google_sheets.gspread_client.http_client.auth.token = "ya29.revoked"  # the server refuses it
    sheets_emulator.app.faults.inject("truncate", 1, path_contains="/token")

    assert google_sheets.list_worksheets(spreadsheet_id) == ["Sheet1"]
    assert [r.fault for r in sheets_emulator.app.requests_to("/token")] == [None, "truncate", None]


@pytest.mark.parametrize(
    ("kind", "options", "error", "says"),
    [
        ("truncate", {}, ResponseFormatError, "not a complete JSON object"),
        ("server_error", {"status": 503}, ServerError, "HTTP 503"),
        ("rate_limit", {}, RateLimitError, "HTTP 429"),
        ("drop", {}, TransportError, "failed"),
        ("slow", {"delay": 0.5}, TransportError, "failed: ReadTimeout"),
    ],
)
def test_token_endpoint_failures_after_the_retries_are_turnout_errors_naming_its_url(
    kind: str,
    options: dict[str, Any],
    error: type[Exception],
    says: str,
    sheets_emulator: EmulatorServer,
    sheets_keyfile: Path,
) -> None:
    sheets = GoogleSheets(
        str(sheets_keyfile),
        api_base_url=sheets_emulator.url,
        retry_policy=FAST_RETRIES,
        timeout=0.25,
    )
    spreadsheet_id = sheets_emulator.app.add_spreadsheet("Token", [["a"]])
    sheets_emulator.app.faults.inject(kind, None, path_contains="/token", **options)
    with pytest.raises(error) as caught:
        sheets.list_worksheets(spreadsheet_id)
    assert f"POST {sheets_emulator.url}/token (token endpoint)" in str(caught.value)
    assert says in str(caught.value)
    # turnout's retries, not google-auth's own seconds-long ones; no API call was sent.
    assert len(sheets_emulator.app.requests_to("/token")) == FAST_RETRIES.attempts
    assert sheets_emulator.app.requests_to("/v4/") == []


def test_no_secret_reaches_the_logs(
    caplog: pytest.LogCaptureFixture,
    google_sheets: GoogleSheets,
    sheets_service_account: dict[str, Any],
) -> None:
    caplog.set_level(logging.DEBUG)
    spreadsheet_id = google_sheets.create_spreadsheet("Logs")
    google_sheets.overwrite_sheet(spreadsheet_id, Table([{"a": 1}]))
    token = google_sheets.gspread_client.http_client.auth.token
    assert token and token not in caplog.text
    assert sheets_service_account["private_key"].splitlines()[1] not in caplog.text
    assert "PUT http://127.0.0.1" in caplog.text  # one DEBUG line per call


# --- reading -----------------------------------------------------------------------------------


@pytest.fixture
def seeded(sheets_emulator: EmulatorServer) -> str:
    app = sheets_emulator.app
    spreadsheet_id = app.add_spreadsheet(
        "Seeded", [["report"], ["id", "zip"], ["1", "02134"], ["2", "94110"]], "Summary"
    )
    spreadsheet = app.store.spreadsheet(spreadsheet_id)
    from turnout.emulators.google_sheets.batch import batch_update

    batch_update(app.store, spreadsheet, [{"addSheet": {"properties": {"title": "Raw"}}}])
    spreadsheet.sheets[1].values[(0, 0)] = "only"
    return spreadsheet_id


def test_list_and_index_worksheets(
    google_sheets: GoogleSheets, seeded: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert google_sheets.list_worksheets(seeded) == ["Summary", "Raw"]
    assert google_sheets.get_worksheet_index(seeded, "Raw") == 1
    with caplog.at_level(logging.WARNING):
        assert google_sheets.get_sheet_index_with_title(seeded, "Summary") == 0
    assert "deprecated" in caplog.text
    with pytest.raises(WorksheetNotFoundError) as caught:
        google_sheets.get_worksheet_index(seeded, "raw")
    assert "'raw'" in str(caught.value) and "['Summary', 'Raw']" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_get_worksheet_by_index_title_and_skip(google_sheets: GoogleSheets, seeded: str) -> None:
    table = google_sheets.get_worksheet(seeded, 0, skip_header_rows=1)
    assert table.columns == ["id", "zip"]
    assert list(table) == [{"id": "1", "zip": "02134"}, {"id": "2", "zip": "94110"}]
    assert list(google_sheets.get_worksheet(seeded, "Raw")) == []
    assert google_sheets.get_worksheet(seeded, "Raw").columns == ["only"]
    assert google_sheets.read_sheet(seeded, 0)[0] == {"report": "id", "": "zip"}
    assert google_sheets.read_sheet_with_title(seeded, "Raw").columns == ["only"]
    with pytest.raises(WorksheetNotFoundError, match="index 5"):
        google_sheets.get_worksheet(seeded, 5)


def test_unknown_spreadsheet_is_named(google_sheets: GoogleSheets) -> None:
    with pytest.raises(SpreadsheetNotFoundError) as caught:
        google_sheets.get_worksheet("1NoSuchSpreadsheet")
    assert "'1NoSuchSpreadsheet'" in str(caught.value)
    assert isinstance(caught.value, NotFoundError)
    assert isinstance(caught.value, gspread.exceptions.SpreadsheetNotFound)
    assert isinstance(caught.value, requests.exceptions.HTTPError)


# --- lifecycle and sharing ---------------------------------------------------------------------


def test_create_in_folder_with_editor_then_delete(
    google_sheets: GoogleSheets, sheets_emulator: EmulatorServer
) -> None:
    folder = sheets_emulator.app.create_folder("Organizers")
    spreadsheet_id = google_sheets.create_spreadsheet(
        "Volunteer Attendance Records", editor_email="lead@example.org", folder_id=folder
    )
    drive_file = sheets_emulator.app.store.files[spreadsheet_id]
    assert (drive_file.name, drive_file.parents) == ("Volunteer Attendance Records", [folder])
    permissions = google_sheets.get_spreadsheet_permissions(spreadsheet_id)
    assert [(p["role"], p["emailAddress"]) for p in permissions] == [
        ("owner", google_sheets.client_email),
        ("writer", "lead@example.org"),
    ]
    invite = sheets_emulator.app.requests_to(
        f"/drive/v3/files/{spreadsheet_id}/permissions", "POST"
    )
    assert "sendNotificationEmail=True" in invite[0].query

    google_sheets.delete_spreadsheet(spreadsheet_id)
    assert spreadsheet_id not in sheets_emulator.app.store.files
    with pytest.raises(SpreadsheetNotFoundError):
        google_sheets.list_worksheets(spreadsheet_id)
    with pytest.raises(SpreadsheetNotFoundError):
        google_sheets.delete_spreadsheet(spreadsheet_id)


def test_create_in_unknown_folder_names_it(google_sheets: GoogleSheets) -> None:
    with pytest.raises(NotFoundError, match="folder 'nope' was not found"):
        google_sheets.create_spreadsheet("X", folder_id="nope")


def test_share_spreadsheet(google_sheets: GoogleSheets, blank: str) -> None:
    google_sheets.share_spreadsheet(blank, "crew@example.org", share_type="group", role="writer")
    google_sheets.share_spreadsheet(blank, None, share_type="anyone", role="reader")
    rows = list(google_sheets.get_spreadsheet_permissions(blank))
    assert [(r["type"], r["role"]) for r in rows] == [
        ("user", "owner"),
        ("group", "writer"),
        ("anyone", "reader"),
    ]


def test_add_sheet_returns_its_index(
    google_sheets: GoogleSheets, blank: str, sheets_emulator: EmulatorServer
) -> None:
    assert google_sheets.add_sheet(blank, "February", rows=10, cols=4) == 1
    assert google_sheets.add_sheet(blank) == 2
    assert google_sheets.list_worksheets(blank) == ["Sheet1", "February", "Sheet3"]
    sheet = sheets_emulator.app.store.spreadsheet(blank).sheets[1]
    assert (sheet.row_count, sheet.column_count) == (10, 4)


# --- writing -----------------------------------------------------------------------------------


def test_overwrite_keeps_types_as_text(
    google_sheets: GoogleSheets, blank: str, sheets_emulator: EmulatorServer
) -> None:
    table = Table(
        [
            {
                "zip": "02134",
                "count": 3,
                "person": {"given_name": "Lou", "id": 1},
                "tags": ["a", "b"],
                "link": '=HYPERLINK("https://example.org","site")',
                "missing": None,
            }
        ]
    )
    google_sheets.overwrite_sheet(blank, table)
    assert values(sheets_emulator, blank) == [
        ["zip", "count", "person", "tags", "link", "missing"],
        [
            "02134",
            3,
            '{"given_name": "Lou", "id": 1}',
            '["a", "b"]',
            '=HYPERLINK("https://example.org","site")',
        ],
    ]
    assert google_sheets.get_worksheet(blank)[0]["zip"] == "02134"


def test_user_entered_value_parses(
    google_sheets: GoogleSheets, blank: str, sheets_emulator: EmulatorServer
) -> None:
    table = Table([{"zip": "02134", "link": '=HYPERLINK("https://example.org","site")'}])
    google_sheets.overwrite_sheet(blank, table, user_entered_value=True)
    assert values(sheets_emulator, blank)[1][0] == 2134
    assert list(google_sheets.get_worksheet(blank)) == [{"zip": "2134", "link": "site"}]


def test_overwrite_replaces_values_and_keeps_formats(
    google_sheets: GoogleSheets, blank: str, sheets_emulator: EmulatorServer
) -> None:
    google_sheets.overwrite_sheet(blank, Table([["a", "b"], [1, 2], [3, 4]]))
    google_sheets.format_cells(blank, "A1", {"backgroundColor": RED})
    google_sheets.overwrite_sheet(blank, Table([["c"], [5]]))
    assert values(sheets_emulator, blank) == [["c"], [5]]
    assert sheets_emulator.app.sheet_formats(blank) == {(0, 0): {"backgroundColor": RED}}


def test_overwrite_with_columns_but_no_rows_leaves_the_header(
    google_sheets: GoogleSheets, blank: str, sheets_emulator: EmulatorServer
) -> None:
    google_sheets.overwrite_sheet(blank, Table([["a"], [1]]))
    google_sheets.overwrite_sheet(blank, Table([["id", "name"]]))
    assert values(sheets_emulator, blank) == [["id", "name"]]


def test_append_matches_columns_by_header(
    google_sheets: GoogleSheets, blank: str, sheets_emulator: EmulatorServer
) -> None:
    google_sheets.overwrite_sheet(blank, Table([{"id": 1, "name": "Lou", "zip": "02134"}]))
    google_sheets.append_to_sheet(blank, Table([{"zip": "94110", "id": 2, "name": "Ari"}]))
    assert values(sheets_emulator, blank) == [
        ["id", "name", "zip"],
        [1, "Lou", "02134"],
        [2, "Ari", "94110"],
    ]


def test_append_adds_a_missing_column_past_unlabelled_data(
    google_sheets: GoogleSheets, sheets_emulator: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    # Column B has no header but holds a note; the new column must not land there.
    spreadsheet_id = sheets_emulator.app.add_spreadsheet(
        "Notes", [["id", "", "zip"], ["1", "note"]]
    )
    spreadsheet = sheets_emulator.app.store.spreadsheet(spreadsheet_id)
    spreadsheet.sheets[0].values[(2, 3)] = "stray"
    with caplog.at_level(logging.WARNING):
        google_sheets.append_to_sheet(spreadsheet_id, Table([{"id": 2, "email": "a@b.org"}]))
    assert "adding columns ['email']" in caplog.text
    assert values(sheets_emulator, spreadsheet_id) == [
        ["id", "", "zip", "", "email"],
        ["1", "note"],
        ["", "", "", "stray"],
        [2, "", "", "", "a@b.org"],
    ]


def test_append_strict_refuses_a_missing_column(
    google_sheets: GoogleSheets, blank: str, sheets_emulator: EmulatorServer
) -> None:
    google_sheets.overwrite_sheet(blank, Table([{"id": 1}]))
    with pytest.raises(HeaderMismatchError, match=r"lacks the Table's columns \['email'\]"):
        google_sheets.append_to_sheet(blank, Table([{"id": 2, "email": "x"}]), strict_columns=True)
    assert values(sheets_emulator, blank) == [["id"], [1]]


def test_append_refuses_an_ambiguous_header(
    google_sheets: GoogleSheets, sheets_emulator: EmulatorServer
) -> None:
    spreadsheet_id = sheets_emulator.app.add_spreadsheet("Dup", [["id", "id"]])
    with pytest.raises(HeaderMismatchError, match=r"repeats \['id'\]"):
        google_sheets.append_to_sheet(spreadsheet_id, Table([{"id": 2}]))


def test_append_to_header_only_sheet_keeps_the_header(
    google_sheets: GoogleSheets, blank: str, sheets_emulator: EmulatorServer
) -> None:
    google_sheets.overwrite_sheet(blank, Table([["id", "name"]]))
    google_sheets.append_to_sheet(blank, Table([{"name": "Lou", "id": 1}]))
    assert values(sheets_emulator, blank) == [["id", "name"], [1, "Lou"]]


def test_append_to_blank_sheet_writes_the_header_first(
    google_sheets: GoogleSheets, blank: str, sheets_emulator: EmulatorServer
) -> None:
    google_sheets.append_to_sheet(blank, Table([{"id": 1, "name": "Lou"}]))
    assert values(sheets_emulator, blank) == [["id", "name"], [1, "Lou"]]


def test_append_empty_table_writes_nothing_and_warns(
    google_sheets: GoogleSheets,
    blank: str,
    sheets_emulator: EmulatorServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    google_sheets.overwrite_sheet(blank, Table([{"id": 1}]))
    before = len(sheets_emulator.app.requests)
    with caplog.at_level(logging.WARNING):
        google_sheets.append_to_sheet(blank, Table([["id"]]))
    assert "no rows" in caplog.text
    assert len(sheets_emulator.app.requests) == before
    assert values(sheets_emulator, blank) == [["id"], [1]]


def test_append_by_title_and_deprecated_sheet_index(
    google_sheets: GoogleSheets, blank: str, sheets_emulator: EmulatorServer
) -> None:
    google_sheets.add_sheet(blank, "February")
    google_sheets.append_to_sheet(blank, Table([{"a": 1}]), "February")
    google_sheets.append_to_sheet(blank, Table([{"a": 2}]), sheet_index=1)
    assert values(sheets_emulator, blank, "February") == [["a"], [1], [2]]
    with pytest.raises(WorksheetNotFoundError, match="'March'"):
        google_sheets.append_to_sheet(blank, Table([{"a": 3}]), "March")


def test_paste_data_in_sheet_at_an_offset(
    google_sheets: GoogleSheets, blank: str, sheets_emulator: EmulatorServer
) -> None:
    google_sheets.paste_data_in_sheet(
        blank, Table([{"a": 1, "b": "02134"}]), startrow=2, startcol=1
    )
    google_sheets.paste_data_in_sheet(blank, Table([{"a": 9}]), header=False, startrow=0)
    assert values(sheets_emulator, blank) == [[9], [], ["", "a", "b"], ["", 1, "02134"]]
    assert writes(sheets_emulator, blank)[0].path.endswith("/values/'Sheet1'!B3:C4")


def test_format_cells_and_the_gspread_client(
    google_sheets: GoogleSheets, blank: str, sheets_emulator: EmulatorServer
) -> None:
    google_sheets.overwrite_sheet(blank, Table([{"a": 1, "b": 2}]))
    google_sheets.format_cells(blank, "A1:B1", {"textFormat": {"bold": True}}, worksheet=0)
    worksheet = google_sheets.gspread_client.open("Blank").sheet1
    worksheet.format("A2", {"backgroundColor": RED})
    assert sheets_emulator.app.sheet_formats(blank) == {
        (0, 0): {"textFormat": {"bold": True}},
        (0, 1): {"textFormat": {"bold": True}},
        (1, 0): {"backgroundColor": RED},
    }


def test_large_tables_grow_the_grid_and_go_in_chunks(
    sheets_emulator: EmulatorServer, sheets_keyfile: Path
) -> None:
    sheets = GoogleSheets(
        str(sheets_keyfile),
        api_base_url=sheets_emulator.url,
        retry_policy=FAST_RETRIES,
        max_payload_bytes=20_000,
    )
    spreadsheet_id = sheets.create_spreadsheet("Big")
    rows = [{f"c{n}": f"{i}-{n}" for n in range(30)} for i in range(1500)]
    sheets.overwrite_sheet(spreadsheet_id, Table(rows))
    header = [f"c{n}" for n in range(30)]
    expected_chunks = list(chunks([header] + [list(r.values()) for r in rows], 20_000))
    assert len(expected_chunks) > 3
    assert len(writes(sheets_emulator, spreadsheet_id)) == len(expected_chunks)
    stored = values(sheets_emulator, spreadsheet_id)
    assert stored[0] == header
    assert stored[1:] == [list(r.values()) for r in rows]
    sheet = sheets_emulator.app.store.spreadsheet(spreadsheet_id).sheets[0]
    assert (sheet.row_count, sheet.column_count) == (1501, 30)


# --- faults ------------------------------------------------------------------------------------


def _settled(server: EmulatorServer) -> None:
    """Wait until the emulator has answered every request it received (late ones included)."""
    for _ in range(500):
        if all(record.status for record in list(server.app.requests)):
            return
        time.sleep(0.01)
    raise AssertionError("the emulator still holds an unanswered request after 5 s")


def _timing_out_sheets(server: EmulatorServer, keyfile: Path) -> GoogleSheets:
    return GoogleSheets(
        str(keyfile), api_base_url=server.url, retry_policy=FAST_RETRIES, timeout=0.25
    )


OLD_ROWS = [["old", "x", "y"], ["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], ["a", "b", "c"]]
NEW_TABLE = [{"id": 1, "name": "Ana"}, {"id": 2, "name": "Bo"}]
NEW_VALUES = [["id", "name"], [1, "Ana"], [2, "Bo"]]


@pytest.mark.parametrize(
    ("path_contains", "method"), [(":batchClear", "POST"), ("/values/", "PUT")]
)
def test_overwrite_whose_request_lands_late_keeps_the_new_rows(
    path_contains: str, method: str, sheets_emulator: EmulatorServer, sheets_keyfile: Path
) -> None:
    sheets = _timing_out_sheets(sheets_emulator, sheets_keyfile)
    spreadsheet_id = sheets_emulator.app.add_spreadsheet("Late", OLD_ROWS)
    sheets.list_worksheets(spreadsheet_id)  # the token, before the fault
    # The server runs the request 0.6 s late, after the client gave up at 0.25 s and retried.
    sheets_emulator.app.faults.inject(
        "slow", 1, path_contains=path_contains, methods=[method], delay=0.6
    )

    sheets.overwrite_sheet(spreadsheet_id, Table(NEW_TABLE))
    _settled(sheets_emulator)

    assert dict(sheets_emulator.app.faults.injected) == {"slow": 1}
    sent = [r for r in sheets_emulator.app.requests_to(path_contains) if r.method == method]
    assert [r.fault for r in sent] == ["slow", None]  # sent twice, the first ran late
    assert values(sheets_emulator, spreadsheet_id) == NEW_VALUES


def test_overwrite_of_a_sheet_with_nothing_beyond_the_table_sends_no_clear(
    google_sheets: GoogleSheets, sheets_emulator: EmulatorServer
) -> None:
    spreadsheet_id = sheets_emulator.app.add_spreadsheet("Small", [["a"], ["1"]])
    google_sheets.overwrite_sheet(spreadsheet_id, Table(NEW_TABLE))
    assert sheets_emulator.app.requests_to(":batchClear") == []
    assert sheets_emulator.app.requests_to(":clear") == []
    assert values(sheets_emulator, spreadsheet_id) == NEW_VALUES


def test_overwrite_requests_replayed_in_reverse_order_leave_the_same_sheet(
    google_sheets: GoogleSheets, sheets_emulator: EmulatorServer
) -> None:
    spreadsheet_id = sheets_emulator.app.add_spreadsheet("Replay", OLD_ROWS)
    before = len(sheets_emulator.app.requests)
    google_sheets.overwrite_sheet(spreadsheet_id, Table(NEW_TABLE))
    sent = [
        r
        for r in list(sheets_emulator.app.requests)[before:]
        if r.method != "GET" and r.path != "/token"
    ]
    assert [r.method for r in sent] == ["PUT", "POST"]  # one write, then one batchClear

    for record in reversed(sent):
        reply = requests.request(
            record.method,
            f"{sheets_emulator.url}{record.path}?{record.query}",
            data=record.body,
            headers={k: v for k, v in record.headers.items() if k.lower() != "host"},
            timeout=5,
        )
        assert reply.status_code == 200, reply.text

    assert values(sheets_emulator, spreadsheet_id) == NEW_VALUES


def test_quota_faults_are_retried_without_duplicate_rows(
    sheets_emulator: EmulatorServer, sheets_keyfile: Path
) -> None:
    sheets = GoogleSheets(
        str(sheets_keyfile),
        api_base_url=sheets_emulator.url,
        retry_policy=FAST_RETRIES,
        max_payload_bytes=300,
    )
    spreadsheet_id = sheets.create_spreadsheet("Retries")
    sheets.overwrite_sheet(spreadsheet_id, Table([{"id": 0, "name": "first"}]))
    faults = sheets_emulator.app.faults
    # The second chunk meets a 429, then a reply lost after the write landed, then a 503.
    faults.inject("rate_limit", 1, after=1, path_contains="/values/", methods=["PUT"])
    faults.inject("drop", 1, path_contains="/values/", methods=["PUT"])
    faults.inject("server_error", 1, status=503, path_contains="/values/", methods=["PUT"])
    faults.inject("rate_limit", 1, path_contains="/values/", methods=["GET"])
    new_rows = [{"id": i, "name": f"volunteer {i:02d}"} for i in range(1, 21)]
    sheets.append_to_sheet(spreadsheet_id, Table(new_rows))
    assert dict(faults.injected) == {"rate_limit": 2, "drop": 1, "server_error": 1}
    puts = writes(sheets_emulator, spreadsheet_id)
    assert puts[2].path == puts[3].path == puts[4].path == puts[5].path  # one chunk, four tries
    assert values(sheets_emulator, spreadsheet_id) == [
        ["id", "name"],
        [0, "first"],
        *[[i, f"volunteer {i:02d}"] for i in range(1, 21)],
    ]


def test_quota_exhausted_after_retries_is_a_rate_limit_error(
    google_sheets: GoogleSheets, blank: str, sheets_emulator: EmulatorServer
) -> None:
    sheets_emulator.app.faults.inject("rate_limit", None, path_contains="/values/")
    with pytest.raises(RateLimitError) as caught:
        google_sheets.overwrite_sheet(blank, Table([{"a": 1}]))
    assert caught.value.status == 429
    assert "Quota exceeded" in str(caught.value)
    assert isinstance(caught.value, TurnoutError)
    assert len(sheets_emulator.app.requests_to("/values/")) == FAST_RETRIES.attempts


def test_create_is_not_retried_blindly_after_a_5xx(
    google_sheets: GoogleSheets, sheets_emulator: EmulatorServer
) -> None:
    sheets_emulator.app.faults.inject(
        "server_error", 1, status=500, path_contains="/drive/v3/files"
    )
    with pytest.raises(UnknownOutcomeError, match="'Once'"):
        google_sheets.create_spreadsheet("Once")
    assert len(sheets_emulator.app.requests_to("/drive/v3/files", "POST")) == 1


def test_a_create_whose_reply_times_out_is_an_unknown_outcome_the_lookup_then_finds(
    sheets_emulator: EmulatorServer, sheets_keyfile: Path
) -> None:
    sheets = _timing_out_sheets(sheets_emulator, sheets_keyfile)
    folder = sheets_emulator.app.create_folder("Organizers")
    sheets.find_spreadsheets("Late", folder_id=folder)  # the token, before the fault
    sheets_emulator.app.faults.inject(
        "slow", 1, path_contains="/drive/v3/files", methods=["POST"], delay=0.6
    )
    with pytest.raises(UnknownOutcomeError, match="find_spreadsheets"):
        sheets.create_spreadsheet("Late", folder_id=folder)
    _settled(sheets_emulator)
    assert len(sheets_emulator.app.requests_to("/drive/v3/files", "POST")) == 1
    (created,) = sheets.find_spreadsheets("Late", folder_id=folder)
    assert sheets_emulator.app.store.files[created].parents == [folder]


def test_subject_is_sent_for_delegation(
    sheets_emulator: EmulatorServer, sheets_service_account: dict[str, Any]
) -> None:
    import base64

    sheets = GoogleSheets(
        sheets_service_account,
        subject="lead@example.org",
        api_base_url=sheets_emulator.url,
        retry_policy=FAST_RETRIES,
    )
    sheets.create_spreadsheet("Delegated")
    grant = sheets_emulator.app.requests_to("/token", "POST")[-1].body.decode()
    assertion = grant.split("assertion=", 1)[1].split("&", 1)[0]
    payload = assertion.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["sub"] == "lead@example.org"
    assert claims["scope"] == (
        "https://spreadsheets.google.com/feeds https://www.googleapis.com/auth/drive"
    )


def test_append_refuses_an_unnamed_table_column(
    google_sheets: GoogleSheets, blank: str, sheets_emulator: EmulatorServer
) -> None:
    sheets_emulator.app.store.spreadsheet(blank).sheets[0].values[(0, 0)] = "id"
    with pytest.raises(HeaderMismatchError, match="empty name"):
        google_sheets.append_to_sheet(blank, Table([["id", ""], [1, "x"]]))
    assert values(sheets_emulator, blank) == [["id"]]


def test_format_cells_names_a_bad_range(google_sheets: GoogleSheets, blank: str) -> None:
    with pytest.raises(ConfigurationError, match="'not a range' is not an A1 range"):
        google_sheets.format_cells(blank, "not a range", {"backgroundColor": RED})
