"""The Sheets/Drive/OAuth emulator, driven by real gspread (plus raw requests for wire shapes)."""

from __future__ import annotations

import json
from typing import Any

import google.auth.exceptions
import gspread
import pytest
import requests
from google.oauth2 import service_account

from turnout.emulators.base import EmulatorServer
from turnout.emulators.google_sheets import generate_private_key, service_account_info
from turnout.emulators.google_sheets.a1 import A1Range, format_range, parse_range, quote_title

SCOPES = ["https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive"]


def local_client(base_url: str) -> type[gspread.HTTPClient]:
    """The contract's hook: an HTTPClient subclass rewriting both Google hosts."""

    class LocalHTTPClient(gspread.HTTPClient):
        def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> Any:
            for host in ("https://sheets.googleapis.com", "https://www.googleapis.com"):
                if endpoint.startswith(host):
                    endpoint = base_url + endpoint[len(host) :]
            return super().request(method, endpoint, *args, **kwargs)

    return LocalHTTPClient


@pytest.fixture
def gc(sheets_emulator: EmulatorServer, sheets_service_account: dict[str, Any]) -> gspread.Client:
    credentials = service_account.Credentials.from_service_account_info(
        sheets_service_account, scopes=SCOPES
    )
    return gspread.authorize(credentials, http_client=local_client(sheets_emulator.url))


@pytest.fixture
def token(sheets_emulator: EmulatorServer, gc: gspread.Client) -> str:
    gc.http_client.login()
    return gc.http_client.auth.token


# --- A1 notation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'Sheet1'", A1Range("Sheet1")),
        ("Sheet1", A1Range("Sheet1")),
        ("'My Tab'!A1:B2", A1Range("My Tab", 0, 2, 0, 2)),
        ("'Ti''tle'!C3", A1Range("Ti'tle", 2, 3, 2, 3, single_cell=True)),
        ("Sheet1!A:B", A1Range("Sheet1", None, None, 0, 2)),
        ("'Sheet1'!A2:1000", A1Range("Sheet1", 1, 1000, 0, None)),
        ("A1:1", A1Range(None, 0, 1, 0, None)),
        ("'S'!A2:B", A1Range("S", 1, None, 0, 2)),
        ("AA10", A1Range(None, 9, 10, 26, 27, single_cell=True)),
    ],
)
def test_parse_range(text: str, expected: A1Range) -> None:
    assert parse_range(text, ["Sheet1"]) == expected


def test_format_and_quote_titles() -> None:
    assert format_range("Sheet1", 0, 1000, 0, 26) == "Sheet1!A1:Z1000"
    assert format_range("My Tab", 1, 2, 2, 3) == "'My Tab'!C2"
    assert quote_title("It's") == "'It''s'"
    assert quote_title("A1") == "'A1'"


# --- OAuth -------------------------------------------------------------------------------------


def test_token_exchange_verifies_the_signature(
    sheets_emulator: EmulatorServer, sheets_service_account: dict[str, Any]
) -> None:
    impostor = service_account_info(
        sheets_emulator.url,
        client_email=sheets_service_account["client_email"],
        private_key=generate_private_key(),
    )
    credentials = service_account.Credentials.from_service_account_info(impostor, scopes=SCOPES)
    gc = gspread.authorize(credentials, http_client=local_client(sheets_emulator.url))
    with pytest.raises(google.auth.exceptions.RefreshError, match="Invalid JWT Signature"):
        gc.create("never")
    assert sheets_emulator.app.store.files == {}


def test_token_endpoint_rejects_other_grants(sheets_emulator: EmulatorServer) -> None:
    reply = requests.post(
        sheets_emulator.url + "/token", data={"grant_type": "password", "assertion": "x"}
    )
    assert reply.status_code == 400
    assert reply.json() == {
        "error": "unsupported_grant_type",
        "error_description": "Invalid grant_type: password",
    }
    reply = requests.post(
        sheets_emulator.url + "/token",
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "a.b"},
    )
    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid_grant"


def test_api_calls_need_a_known_bearer_token(sheets_emulator: EmulatorServer) -> None:
    reply = requests.get(sheets_emulator.url + "/v4/spreadsheets/abc")
    assert reply.status_code == 401
    assert reply.json()["error"]["status"] == "UNAUTHENTICATED"
    assert reply.json()["error"]["code"] == 401
    reply = requests.get(
        sheets_emulator.url + "/drive/v3/files", headers={"Authorization": "Bearer ya29.forged"}
    )
    assert reply.status_code == 401
    assert reply.json()["error"]["message"].startswith("Request had invalid authentication")


def test_revoked_token_is_refreshed_by_google_auth(
    sheets_emulator: EmulatorServer, gc: gspread.Client
) -> None:
    spreadsheet = gc.create("Refresh me")
    issued = sheets_emulator.app.tokens.issued
    sheets_emulator.app.tokens.revoke_all()
    assert gc.open_by_key(spreadsheet.id).title == "Refresh me"
    assert sheets_emulator.app.tokens.issued == issued + 1


# --- Drive -------------------------------------------------------------------------------------


def test_create_in_folder_open_by_title_and_delete(
    sheets_emulator: EmulatorServer, gc: gspread.Client
) -> None:
    app = sheets_emulator.app
    folder = app.create_folder("Organizers")
    spreadsheet = gc.create("Attendance", folder_id=folder)
    gc.create("Attendance elsewhere")
    assert app.store.files[spreadsheet.id].parents == [folder]
    assert spreadsheet.sheet1.title == "Sheet1"
    assert (spreadsheet.sheet1.row_count, spreadsheet.sheet1.col_count) == (1000, 26)
    assert gc.open("Attendance", folder_id=folder).id == spreadsheet.id
    assert [f["name"] for f in gc.list_spreadsheet_files(folder_id=folder)] == ["Attendance"]
    meta = gc.http_client.get_file_drive_metadata(spreadsheet.id)
    assert sorted(meta) == ["createdTime", "id", "modifiedTime", "name"]

    gc.del_spreadsheet(spreadsheet.id)
    assert app.requests_to(f"/drive/v3/files/{spreadsheet.id}", "DELETE")[-1].status == 204
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        gc.open_by_key(spreadsheet.id)


def test_create_in_unknown_folder_is_a_drive_404(gc: gspread.Client) -> None:
    with pytest.raises(gspread.exceptions.APIError) as caught:
        gc.create("Lost", folder_id="no-such-folder")
    assert caught.value.code == 404
    assert caught.value.error["errors"][0]["reason"] == "notFound"
    assert caught.value.error["message"] == "File not found: no-such-folder."


def test_files_list_pages_and_drive_query_forms(
    sheets_emulator: EmulatorServer, token: str
) -> None:
    app = sheets_emulator.app
    folder = app.create_folder("F")
    for name in ("one", "two", "three"):
        app.store.create_file(name, "application/vnd.google-apps.spreadsheet", [folder])
    headers = {"Authorization": f"Bearer {token}"}
    query = f"'{folder}' in parents and trashed = false"
    first = requests.get(
        sheets_emulator.url + "/drive/v3/files",
        params={"q": query, "pageSize": 2, "fields": "nextPageToken,files(id,name)"},
        headers=headers,
    ).json()
    assert [f["name"] for f in first["files"]] == ["one", "two"]
    assert sorted(first["files"][0]) == ["id", "name"]
    second = requests.get(
        sheets_emulator.url + "/drive/v3/files",
        params={"q": query, "pageSize": 2, "pageToken": first["nextPageToken"]},
        headers=headers,
    ).json()
    assert [f["name"] for f in second["files"]] == ["three"]
    assert "nextPageToken" not in second
    bad = requests.get(
        sheets_emulator.url + "/drive/v3/files", params={"q": "starred = true"}, headers=headers
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["errors"][0]["location"] == "q"


def test_permissions_create_list_dedupe_and_remove(gc: gspread.Client) -> None:
    spreadsheet = gc.create("Shared")
    spreadsheet.share("ally@example.org", perm_type="user", role="reader", notify=False)
    spreadsheet.share("ally@example.org", perm_type="user", role="writer")
    spreadsheet.share("example.org", perm_type="domain", role="reader")
    permissions = spreadsheet.list_permissions()
    assert [
        (p["type"], p["role"], p.get("emailAddress") or p.get("domain")) for p in permissions
    ] == [
        ("user", "owner", "turnout-emulator@turnout-demo.iam.gserviceaccount.com"),
        ("user", "writer", "ally@example.org"),
        ("domain", "reader", "example.org"),
    ]
    spreadsheet.remove_permissions("ally@example.org")
    assert len(spreadsheet.list_permissions()) == 2
    with pytest.raises(gspread.exceptions.APIError) as caught:
        spreadsheet.share("someone@example.org", perm_type="user", role="owner")
    assert caught.value.code == 403


# --- values ------------------------------------------------------------------------------------


def test_values_update_raw_keeps_text_and_user_entered_parses(
    sheets_emulator: EmulatorServer, gc: gspread.Client
) -> None:
    worksheet = gc.create("Types").sheet1
    worksheet.update([["02134", "=SUM(1,2)", 7, 1.5, True, ""]], "A1")
    worksheet.update(
        [["02134", '=HYPERLINK("https://x.org","x")', "TRUE", "'007"]], "A2", raw=False
    )
    stored = sheets_emulator.app.sheet_values(worksheet.spreadsheet_id)
    assert stored[0] == ["02134", "=SUM(1,2)", 7, 1.5, True]
    assert stored[1][0] == 2134 and stored[1][2] is True and stored[1][3] == "007"
    assert worksheet.get_all_values() == [
        ["02134", "=SUM(1,2)", "7", "1.5", "TRUE"],
        ["2134", "x", "TRUE", "007", ""],
    ]
    assert worksheet.get("A1:E1", value_render_option="UNFORMATTED_VALUE") == [
        ["02134", "=SUM(1,2)", 7, 1.5, True]
    ]
    assert worksheet.get("B2", value_render_option="FORMULA") == [
        ['=HYPERLINK("https://x.org","x")']
    ]


def test_values_get_shapes(gc: gspread.Client, token: str, sheets_emulator: EmulatorServer) -> None:
    spreadsheet = gc.create("Shapes")
    url = f"{sheets_emulator.url}/v4/spreadsheets/{spreadsheet.id}/values/%27Sheet1%27"
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.get(url, headers=headers).json() == {
        "range": "Sheet1!A1:Z1000",
        "majorDimension": "ROWS",
    }
    spreadsheet.sheet1.update([["A1", "", "", "D1"], [], ["", "b3"]], "A1")
    assert requests.get(url, headers=headers).json()["values"] == [
        ["A1", "", "", "D1"],
        [],
        ["", "b3"],
    ]
    columns = requests.get(url, headers=headers, params={"majorDimension": "COLUMNS"}).json()
    assert columns["values"] == [["A1"], ["", "", "b3"], [], ["D1"]]


def test_values_update_outside_the_grid_or_range_is_refused(gc: gspread.Client) -> None:
    worksheet = gc.create("Grid").sheet1
    with pytest.raises(gspread.exceptions.APIError) as caught:
        worksheet.update([["x"]], "A1001")
    assert caught.value.code == 400
    assert str(caught.value.error["message"]) == (
        "Range (Sheet1!A1001) exceeds grid limits. Max rows: 1000, max columns: 26"
    )
    with pytest.raises(gspread.exceptions.APIError, match="tried writing to row"):
        worksheet.update([["a"], ["b"]], "A1:A1")
    with pytest.raises(gspread.exceptions.APIError, match=r"Invalid value at 'data\.values"):
        worksheet.update([[{"a": 1}]], "A1")


def test_values_update_null_keeps_a_cell_and_empty_string_clears_it(
    sheets_emulator: EmulatorServer, gc: gspread.Client
) -> None:
    worksheet = gc.create("Nulls").sheet1
    worksheet.update([["a", "b", "c"]], "A1")
    worksheet.update([[None, "", "C"]], "A1")
    assert sheets_emulator.app.sheet_values(worksheet.spreadsheet_id) == [["a", "", "C"]]


def test_append_writes_after_the_table_and_grows_the_grid(
    sheets_emulator: EmulatorServer, gc: gspread.Client
) -> None:
    worksheet = gc.create("Append").sheet1
    worksheet.resize(rows=2, cols=3)
    first = worksheet.append_rows([["h1", "h2"]], value_input_option="RAW")
    assert "tableRange" not in first
    second = worksheet.append_rows([["a", "b"], ["c", "d"]], value_input_option="RAW")
    assert second["tableRange"] == "Sheet1!A1:B1"
    assert second["updates"]["updatedRange"] == "Sheet1!A2:B3"
    assert sheets_emulator.app.sheet_values(worksheet.spreadsheet_id) == [
        ["h1", "h2"],
        ["a", "b"],
        ["c", "d"],
    ]
    sheet = sheets_emulator.app.store.spreadsheet(worksheet.spreadsheet_id).sheets[0]
    assert sheet.row_count == 3


def test_append_insert_rows_shifts_rows_below(
    sheets_emulator: EmulatorServer, gc: gspread.Client
) -> None:
    worksheet = gc.create("Insert").sheet1
    worksheet.update([["a"], ["b"], [""], ["footer"]], "A1")
    worksheet.append_rows(
        [["c"]], value_input_option="RAW", insert_data_option="INSERT_ROWS", table_range="A1:A2"
    )
    assert sheets_emulator.app.sheet_values(worksheet.spreadsheet_id) == [
        ["a"],
        ["b"],
        ["c"],
        [],
        ["footer"],
    ]


def test_clear_keeps_formats_and_batch_values(
    sheets_emulator: EmulatorServer, gc: gspread.Client
) -> None:
    worksheet = gc.create("Batch").sheet1
    worksheet.batch_update(
        [{"range": "A1:B1", "values": [["a", "b"]]}, {"range": "D4", "values": [["d"]]}]
    )
    assert worksheet.batch_get(["A1:B1", "D4"]) == [[["a", "b"]], [["d"]]]
    worksheet.format("A1", {"textFormat": {"bold": True}})
    worksheet.batch_clear(["D4"])
    assert worksheet.get_all_values() == [["a", "b"]]
    worksheet.clear()
    app = sheets_emulator.app
    assert app.sheet_values(worksheet.spreadsheet_id) == []
    assert app.sheet_formats(worksheet.spreadsheet_id) == {(0, 0): {"textFormat": {"bold": True}}}


# --- spreadsheet batchUpdate -------------------------------------------------------------------


def test_worksheets_add_rename_resize_delete(
    sheets_emulator: EmulatorServer, gc: gspread.Client
) -> None:
    spreadsheet = gc.create("Tabs")
    february = spreadsheet.add_worksheet("February", rows=10, cols=5)
    assert february.index == 1 and 0 < february.id < 2**31
    with pytest.raises(gspread.exceptions.APIError, match='A sheet with the name "February"'):
        spreadsheet.add_worksheet("February", rows=10, cols=5)
    february.update_title("Feb")
    february.resize(rows=20, cols=8)
    assert [(w.title, w.row_count, w.col_count) for w in spreadsheet.worksheets()] == [
        ("Sheet1", 1000, 26),
        ("Feb", 20, 8),
    ]
    spreadsheet.del_worksheet(spreadsheet.sheet1)
    with pytest.raises(gspread.exceptions.APIError, match="can't remove all the sheets"):
        spreadsheet.del_worksheet(spreadsheet.worksheets()[0])
    assert [w.title for w in spreadsheet.worksheets()] == ["Feb"]


def test_format_honours_the_fields_mask(
    sheets_emulator: EmulatorServer, gc: gspread.Client
) -> None:
    worksheet = gc.create("Formats").sheet1
    red = {"red": 1.0, "green": 0.0, "blue": 0.0}
    worksheet.format("A1:B2", {"backgroundColor": red, "textFormat": {"bold": True}})
    worksheet.format("B2", {"textFormat": {"italic": True}})
    formats = sheets_emulator.app.sheet_formats(worksheet.spreadsheet_id)
    assert formats[(0, 0)] == {"backgroundColor": red, "textFormat": {"bold": True}}
    assert formats[(1, 1)] == {"backgroundColor": red, "textFormat": {"italic": True}}
    assert len(formats) == 4
    grid = gc.http_client.spreadsheets_get(worksheet.spreadsheet_id, {"includeGridData": "true"})
    first = grid["sheets"][0]["data"][0]["rowData"][0]["values"][0]
    assert first["userEnteredFormat"]["backgroundColor"] == red


def test_batch_update_is_all_or_nothing(
    sheets_emulator: EmulatorServer, gc: gspread.Client
) -> None:
    spreadsheet = gc.create("Atomic")
    with pytest.raises(gspread.exceptions.APIError) as caught:
        spreadsheet.batch_update(
            {
                "requests": [
                    {"addSheet": {"properties": {"title": "New"}}},
                    {"deleteSheet": {"sheetId": 12345}},
                ]
            }
        )
    assert (
        caught.value.error["message"] == "Invalid requests[1].deleteSheet: No grid with id: 12345"
    )
    assert [w.title for w in spreadsheet.worksheets()] == ["Sheet1"]
    with pytest.raises(gspread.exceptions.APIError, match="does not support 'mergeCells'"):
        spreadsheet.batch_update({"requests": [{"mergeCells": {}}]})


def test_cell_limit_of_a_spreadsheet(gc: gspread.Client) -> None:
    worksheet = gc.create("Huge").sheet1
    with pytest.raises(gspread.exceptions.APIError, match="above the limit of 10000000 cells"):
        worksheet.resize(rows=400_000, cols=26)


# --- faults and quota --------------------------------------------------------------------------


def test_injected_faults_carry_googles_bodies(
    sheets_emulator: EmulatorServer, gc: gspread.Client
) -> None:
    spreadsheet = gc.create("Faults")
    sheets_emulator.app.faults.inject("rate_limit", path_contains="/values/")
    with pytest.raises(gspread.exceptions.APIError) as caught:
        spreadsheet.sheet1.get_all_values()
    error = caught.value.error
    assert caught.value.code == 429
    assert error["status"] == "RESOURCE_EXHAUSTED"
    assert error["details"][0]["metadata"]["quota_limit"] == "ReadRequestsPerMinutePerUser"
    sheets_emulator.app.faults.inject("server_error", status=503, path_contains="/values/")
    with pytest.raises(gspread.exceptions.APIError) as caught:
        spreadsheet.sheet1.update([["x"]], "A1")
    assert caught.value.error == {
        "code": 503,
        "message": "The service is currently unavailable.",
        "status": "UNAVAILABLE",
    }


def test_write_quota_per_minute(sheets_private_key: Any) -> None:
    from turnout.emulators.google_sheets import create_app, public_key_pem

    with EmulatorServer(create_app(write_quota_per_minute=2)) as server:
        info = service_account_info(server.url, private_key=sheets_private_key)
        server.app.register_service_account(info["client_email"], public_key_pem(info))
        credentials = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
        gc = gspread.authorize(credentials, http_client=local_client(server.url))
        worksheet = gc.create("Quota").sheet1  # write 1
        worksheet.update([["a"]], "A1")  # write 2
        with pytest.raises(gspread.exceptions.APIError) as caught:
            worksheet.update([["b"]], "A1")
        assert caught.value.code == 429
        assert "'Write requests per minute per user'" in caught.value.error["message"]
        assert worksheet.get_all_values() == [["a"]]  # reads have their own quota


def test_seeded_spreadsheet_reads_back(sheets_emulator: EmulatorServer, gc: gspread.Client) -> None:
    rows = [["id", "person"], ["1", json.dumps({"given_name": "Lou"})]]
    spreadsheet_id = sheets_emulator.app.add_spreadsheet("Seed", rows)
    assert gc.open_by_key(spreadsheet_id).sheet1.get_all_values() == rows


def test_turnout_emulate_builds_this_emulator_and_a_keyfile_works(tmp_path: Any) -> None:
    from turnout.emulators.google_sheets import GoogleSheetsEmulator, write_keyfile
    from turnout.emulators.serve import create_server

    server = create_server("google_sheets", seed=1)
    assert isinstance(server.app, GoogleSheetsEmulator)
    with server:
        info = write_keyfile(tmp_path / "key.json", server.url)
        assert (tmp_path / "key.json").stat().st_mode & 0o777 == 0o600
        loaded = json.loads((tmp_path / "key.json").read_text())
        assert loaded == info and loaded["token_uri"] == server.url + "/token"
        credentials = service_account.Credentials.from_service_account_file(
            str(tmp_path / "key.json"), scopes=SCOPES
        )
        gc = gspread.authorize(credentials, http_client=local_client(server.url))
        assert gc.create("From a key file").sheet1.title == "Sheet1"


def test_unregistered_accounts_are_checked_by_claims_or_refused(sheets_private_key: Any) -> None:
    from turnout.emulators.google_sheets import create_app

    for strict, expected in ((False, "Sheet1"), (True, "Invalid grant: account not found")):
        with EmulatorServer(create_app(require_registered_keys=strict)) as server:
            info = service_account_info(server.url, private_key=sheets_private_key)
            credentials = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
            gc = gspread.authorize(credentials, http_client=local_client(server.url))
            if strict:
                with pytest.raises(google.auth.exceptions.RefreshError, match=expected):
                    gc.create("Refused")
            else:
                assert gc.create("Accepted").sheet1.title == expected


def test_sheets_api_create(gc: gspread.Client, token: str, sheets_emulator: EmulatorServer) -> None:
    reply = requests.post(
        sheets_emulator.url + "/v4/spreadsheets",
        json={
            "properties": {"title": "Direct"},
            "sheets": [{"properties": {"title": "Main"}}, {"properties": {"title": "Extra"}}],
        },
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert reply["properties"]["title"] == "Direct"
    assert [s["properties"]["title"] for s in reply["sheets"]] == ["Main", "Extra"]
    assert [w.title for w in gc.open("Direct").worksheets()] == ["Main", "Extra"]
