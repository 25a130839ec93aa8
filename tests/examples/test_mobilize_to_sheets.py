"""examples/mobilize_to_sheets.py end to end: Mobilize emulator (or the spreadsheet copy) in,
the Sheets emulator out, with the exact sheet contents checked."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import requests

from turnout.connectors.google_sheets import GoogleSheets
from turnout.emulators.base import EmulatorServer

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mobilize_to_sheets.py"
RED = {"red": 1.0, "green": 0.0, "blue": 0.0}
HEADER = [
    "id",
    "event_id",
    "event_title",
    "timeslot_id",
    "timeslot_start_date",
    "timeslot_end_date",
    "status",
    "attended",
    "person_id",
    "given_name",
    "family_name",
    "email_address",
    "phone_number",
    "postal_code",
]


@pytest.fixture(scope="module")
def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mobilize_to_sheets", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def person(n: int, given: str, family: str, email: str, phone: str) -> str:
    return json.dumps(
        {
            "id": n,
            "given_name": given,
            "family_name": family,
            "email_address": email,
            "phone_number": phone,
            "postal_code": "78737",
        }
    )


# The spreadsheet copy of the guide: flat columns, `person` as JSON text, all values text.
GUIDE_SHEET = [
    ["id", "event_id", "event_title", "timeslot_id", "timeslot_start_date",
     "timeslot_end_date", "status", "attended", "person"],
    ["46273", "454545", "January Canvass", "738375", "1642865400", "1642872600", "REGISTERED",
     "true", person(1, "Lou", "Slainey", "lslainey0@unicef.org", "3271326753")],
    ["46274", "454546", "January Textbank", "239573", "1643563800", "1643527800", "REGISTERED",
     "true", person(2, "Arleyne", "Ransfield", "aransfield1@qq.com", "2174386332")],
    ["46275", "454547", "February Canvass", "183743", "1644939000", "1644946200", "REGISTERED",
     "true", person(3, "Alameda", "Blackmuir", "ablackmuir2@wisc.edu", "3844977654")],
    ["46276", "454548", "February Phonebank", "283666", "1645378200", "1645342200", "REGISTERED",
     "false", person(4, "Bondie", "Berrow", "bberrow3@discuz.net", "2275080414")],
    ["46277", "454549", "March Relational Organizing Hour", "477483", "1648218600",
     "1648225800", "REGISTERED", "true",
     person(5, "Korrie", "Spight", "kspight4@sakura.ne.jp", "9818241063")],
    ["46278", "454545", "January Canvass", "738375", "1642865400", "1642872600", "CANCELLED",
     "false", person(6, "Ana", "Ruiz", "ana@example.org", "5125550100")],
]  # fmt: skip


def test_sheet_path_end_to_end(
    example: ModuleType, google_sheets: GoogleSheets, sheets_emulator: EmulatorServer
) -> None:
    app = sheets_emulator.app
    source = app.add_spreadsheet("Fake Mobilize data", GUIDE_SHEET)
    folder = app.create_folder("Organizers")

    summary = example.run(None, google_sheets, folder, source_spreadsheet_id=source)

    sheet_id = summary["spreadsheet_id"]
    assert summary == {
        "spreadsheet_id": sheet_id,
        "spreadsheet_name": "Volunteer Attendance Records",
        "rows_per_tab": {"Sheet1": 6, "Signups by event": 5},
        "rows_per_month": {"2022-01": 3, "2022-02": 2, "2022-03": 1},
        "counts_by_event": {
            "February Canvass": 1,
            "February Phonebank": 1,
            "January Canvass": 2,
            "January Textbank": 1,
            "March Relational Organizing Hour": 1,
        },
    }
    assert app.store.files[sheet_id].parents == [folder]
    assert app.sheet_values(sheet_id, "Sheet1") == [
        HEADER,
        ["46273", "454545", "January Canvass", "738375", "2022-01-22 15:30:00",
         "2022-01-22 17:30:00", "REGISTERED", "true", 1, "Lou", "Slainey",
         "lslainey0@unicef.org", "3271326753", "78737"],
        ["46274", "454546", "January Textbank", "239573", "2022-01-30 17:30:00",
         "2022-01-30 07:30:00", "REGISTERED", "true", 2, "Arleyne", "Ransfield",
         "aransfield1@qq.com", "2174386332", "78737"],
        ["46278", "454545", "January Canvass", "738375", "2022-01-22 15:30:00",
         "2022-01-22 17:30:00", "CANCELLED", "false", 6, "Ana", "Ruiz", "ana@example.org",
         "5125550100", "78737"],
        ["46275", "454547", "February Canvass", "183743", "2022-02-15 15:30:00",
         "2022-02-15 17:30:00", "REGISTERED", "true", 3, "Alameda", "Blackmuir",
         "ablackmuir2@wisc.edu", "3844977654", "78737"],
        ["46276", "454548", "February Phonebank", "283666", "2022-02-20 17:30:00",
         "2022-02-20 07:30:00", "REGISTERED", "false", 4, "Bondie", "Berrow",
         "bberrow3@discuz.net", "2275080414", "78737"],
        ["46277", "454549", "March Relational Organizing Hour", "477483", "2022-03-25 14:30:00",
         "2022-03-25 16:30:00", "REGISTERED", "true", 5, "Korrie", "Spight",
         "kspight4@sakura.ne.jp", "9818241063", "78737"],
    ]  # fmt: skip
    assert app.sheet_values(sheet_id, "Signups by event") == [
        ["event_title", "value"],
        ["February Canvass", 1],
        ["February Phonebank", 1],
        ["January Canvass", 2],
        ["January Textbank", 1],
        ["March Relational Organizing Hour", 1],
    ]
    assert app.sheet_formats(sheet_id, "Sheet1") == {(0, 0): {"backgroundColor": RED}}


def test_a_rerun_after_a_failed_run_rewrites_the_one_spreadsheet_in_the_folder(
    example: ModuleType, google_sheets: GoogleSheets, sheets_emulator: EmulatorServer
) -> None:
    from turnout.errors import TurnoutError

    app = sheets_emulator.app
    source = app.add_spreadsheet("Fake Mobilize data", GUIDE_SHEET)
    folder = app.create_folder("Organizers")
    # addSheet (the counts tab) is not retried: one 503 fails the first run half-way.
    app.faults.inject("server_error", 1, status=503, path_contains=":batchUpdate", after=1)
    with pytest.raises(TurnoutError):
        example.run(None, google_sheets, folder, source_spreadsheet_id=source)
    (partial,) = [f.file_id for f in app.store.files.values() if f.parents == [folder]]

    summary = example.run(None, google_sheets, folder, source_spreadsheet_id=source)
    # Then a narrower run (January only) over the full one: the other months' rows go.
    january = example.run(None, google_sheets, folder, source_spreadsheet_id=source,
                          months=["2022-01"])  # fmt: skip

    assert summary["spreadsheet_id"] == january["spreadsheet_id"] == partial
    in_folder = [f.name for f in app.store.files.values() if f.parents == [folder]]
    assert in_folder == ["Volunteer Attendance Records"]
    assert [row[0] for row in app.sheet_values(partial, "Sheet1")] == [
        "id", "46273", "46274", "46278"
    ]  # fmt: skip
    tabs = sorted(app.store.spreadsheet(partial).sheets, key=lambda sheet: sheet.index)
    assert [tab.title for tab in tabs] == ["Sheet1", "Signups by event"]
    assert app.sheet_values(partial, "Signups by event") == [
        ["event_title", "value"],
        ["February Canvass", 1],
        ["February Phonebank", 1],
        ["January Canvass", 2],
        ["January Textbank", 1],
        ["March Relational Organizing Hour", 1],
    ]
    assert app.sheet_formats(partial, "Sheet1") == {(0, 0): {"backgroundColor": RED}}


def _legible(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _primary(entries: list[dict[str, Any]], field: str) -> Any:
    return next((e[field] for e in entries if e.get("primary")), None)


@pytest.mark.parametrize("faults", [False, True], ids=["clean", "with-faults"])
def test_api_path_end_to_end(
    example: ModuleType,
    google_sheets: GoogleSheets,
    sheets_emulator: EmulatorServer,
    mobilize_emulator: EmulatorServer,
    mobilize: Any,
    faults: bool,
) -> None:
    from tests.fixtures.mobilize import MOBILIZE_TEST_KEY
    from turnout.emulators.mobilize import FIRST_ORG_ID

    # The oracle: the raw API records, read with plain requests and reshaped by hand below.
    raw: list[dict[str, Any]] = []
    url = f"{mobilize_emulator.url}/v1/organizations/{FIRST_ORG_ID}/attendances"
    while url:
        page = requests.get(
            url, headers={"Authorization": f"Bearer {MOBILIZE_TEST_KEY}"}, timeout=10
        ).json()
        raw.extend(page["data"])
        url = page["next"]
    assert len(raw) == 40

    if faults:
        # A Mobilize 429 mid-pagination, then a Sheets quota error and a 503 while writing.
        mobilize_emulator.app.faults.inject("rate_limit", 1, after=2, retry_after=0.01)
        sheets_emulator.app.faults.inject("rate_limit", 1, after=1, methods=["PUT"])
        sheets_emulator.app.faults.inject("server_error", 1, status=503, methods=["PUT"])
    folder = sheets_emulator.app.create_folder("Organizers")
    summary = example.run(mobilize, google_sheets, folder, organization_id=FIRST_ORG_ID)
    if faults:
        assert mobilize_emulator.app.faults.injected["rate_limit"] == 1
        assert sheets_emulator.app.faults.injected == {"rate_limit": 1, "server_error": 1}

    expected_rows = [
        [
            a["id"],
            a["event"]["id"],
            a["event"]["title"],
            a["timeslot"]["id"],
            _legible(a["timeslot"]["start_date"]),
            _legible(a["timeslot"]["end_date"]),
            a["status"],
            "" if a["attended"] is None else a["attended"],
            a["person"]["id"],
            a["person"]["given_name"],
            a["person"]["family_name"],
            _primary(a["person"]["email_addresses"], "address"),
            _primary(a["person"]["phone_numbers"], "number"),
            _primary(a["person"]["postal_addresses"], "postal_code"),
        ]
        for a in raw
    ]
    months = sorted({row[4][:7] for row in expected_rows})[:3]
    by_month = [[row for row in expected_rows if row[4].startswith(m)] for m in months]
    written = [row for rows in by_month for row in rows]
    stored = sheets_emulator.app.sheet_values(summary["spreadsheet_id"], "Sheet1")
    assert stored[0] == HEADER
    assert stored[1:] == [_trimmed(row) for row in written]
    counts = Counter(a["event"]["title"] for a in raw)
    assert summary["counts_by_event"] == dict(sorted(counts.items()))
    assert summary["rows_per_month"] == {m: len(rows) for m, rows in zip(months, by_month)}
    assert summary["rows_per_tab"] == {"Sheet1": len(written), "Signups by event": len(counts)}


def _trimmed(row: list[Any]) -> list[Any]:
    # The emulator stores what was written; empty cells at the end of a row are not kept.
    row = ["" if value is None else value for value in row]
    while row and row[-1] == "":
        row.pop()
    return row


def test_main_builds_the_connectors_from_the_environment(
    example: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    sheets_emulator: EmulatorServer,
    sheets_keyfile: Path,
) -> None:
    app = sheets_emulator.app
    source = app.add_spreadsheet("Fake Mobilize data", GUIDE_SHEET[:3])
    folder = app.create_folder("Organizers")
    monkeypatch.setenv("GOOGLE_DRIVE_CREDENTIALS", str(sheets_keyfile))
    monkeypatch.setenv("GOOGLE_API_BASE_URL", sheets_emulator.url)
    monkeypatch.setenv("GOOGLE_DRIVE_FOLDER_ID", folder)

    assert example.main(["--from-sheet", source, "--name", "From main"]) == 0

    summary = json.loads(capsys.readouterr().out)
    assert summary["spreadsheet_name"] == "From main"
    assert summary["rows_per_month"] == {"2022-01": 2}
    assert app.store.files[summary["spreadsheet_id"]].parents == [folder]
    assert len(app.sheet_values(summary["spreadsheet_id"])) == 3
