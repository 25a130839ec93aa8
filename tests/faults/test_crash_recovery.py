"""Crash recovery with a real SIGKILL: the workflow process killed at a seeded point of extract,
load or sync, then run again, ends in the same state as a clean run; a copy killed mid-load
leaves the previous warehouse table readable and intact.

The emulators run in this (the parent) process, so they outlive the killed child, which gets
their URLs in its config file.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.faults.workflows import AN_TOKEN, MOBILIZE_KEY, ORGANIZATION, load_example
from turnout.emulators.action_network import API_PREFIX
from turnout.emulators.action_network import create_app as action_network_app
from turnout.emulators.base import EmulatorServer
from turnout.emulators.mobilize import create_app as mobilize_app
from turnout.emulators.mobilize.data import DEFAULT_EPOCH

CHILD = Path(__file__).resolve().parent / "crash_child.py"
SIZES = {"organizations": 1, "events": 3, "people": 10, "attendances": 16}
# Calls of a clean run of this data (per_page 5): 4 Mobilize pages; 2 bulk loads (the
# attendances, then the log table's one flush); get_tags, add_tag and 10 upserts.
CALLS = {"extract": 4, "load": 2, "sync": 12}
CHILD_TIMEOUT = 60


def start_servers() -> tuple[EmulatorServer, EmulatorServer]:
    mobilize = EmulatorServer(
        mobilize_app(api_keys=(MOBILIZE_KEY,), rate_limit=None, now=DEFAULT_EPOCH, **SIZES)
    ).start()
    action_network = EmulatorServer(action_network_app(token=AN_TOKEN, rate=None, people=3))
    return mobilize, action_network.start()


def run_child(config: dict[str, Any], path: Path) -> subprocess.CompletedProcess[str]:
    path.write_text(json.dumps(config), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(CHILD), str(path)],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )


def end_state(an_server: EmulatorServer, warehouse: Any, schema: str) -> dict[str, Any]:
    """What a run leaves, without the ids a run happens to draw: Action Network's people and
    tags, and the log and attendances tables, each person named by email address."""
    store = an_server.app.store
    with store.lock:
        people = {
            person_id: (
                tuple(sorted(e["address"] for e in p["email_addresses"])),
                tuple(sorted(n["number"] for n in p["phone_numbers"])),
                p.get("given_name"),
                p.get("family_name"),
                tuple(sorted(a.get("postal_code") or "" for a in p.get("postal_addresses") or [])),
            )
            for person_id, p in store.people.items()
        }
    tags = {person_id: tuple(an_server.app.tag_names_of(person_id)) for person_id in people}
    log = warehouse.query(f'SELECT * FROM "{schema}".mobilize_to_actionnetwork_log')
    attendances = warehouse.query(f'SELECT attendance_id FROM "{schema}".attendances')
    return {
        "people": sorted((identity, tags[person_id]) for person_id, identity in people.items()),
        "tags": sorted(t["name"] for t in store.tags.values()),
        "log": sorted(
            (
                int(row["mobilizeid"]),
                bool(row["synced"]),
                row["errors"],
                people.get(row["actionnetworkid"]),
            )
            for row in log
        ),
        "attendances": sorted(int(row["attendance_id"]) for row in attendances),
    }


@pytest.fixture(scope="module")
def clean_end_state(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The state one uninterrupted run leaves (in this process, on fresh emulators)."""
    from tests.fixtures.postgres import unique_schema_name
    from turnout.connectors.action_network import ActionNetwork
    from turnout.connectors.mobilize import MobilizeAmerica
    from turnout.warehouse.postgres import Postgres

    example = load_example("mobilize_to_action_network")
    mobilize_server, an_server = start_servers()
    warehouse = Postgres(url=postgres_url)
    schema = unique_schema_name("clean")
    warehouse.query(f'CREATE SCHEMA "{schema}"')
    try:
        summary = example.run(
            MobilizeAmerica(MOBILIZE_KEY, uri=f"{mobilize_server.url}/v1/", rate_limit=None),
            ActionNetwork(AN_TOKEN, api_url=an_server.url + API_PREFIX, rate_limit=None),
            warehouse,
            organization_id=ORGANIZATION,
            schema=schema,
            journal_path=tmp_path_factory.mktemp("clean") / "journal.sqlite",
        )
        assert (summary.pushed, summary.succeeded, summary.failed) == (10, 10, 0)
        yield end_state(an_server, warehouse, schema)
    finally:
        warehouse.query(f'DROP SCHEMA "{schema}" CASCADE')
        warehouse.client.close()
        mobilize_server.stop()
        an_server.stop()


# Seeds whose kill points cover every step: extract at page 2; load in the attendances copy
# (1) and in the log table's flush (2); sync after the 4th and 10th Action Network call.
@pytest.mark.parametrize(
    ("phase", "seed"), [("extract", 1), ("load", 2), ("load", 5), ("sync", 4), ("sync", 5)]
)
def test_a_workflow_killed_and_run_again_ends_as_a_clean_run(
    phase: str,
    seed: int,
    clean_end_state: dict[str, Any],
    postgres_url: str,
    pg_schema: str,
    tmp_path: Path,
) -> None:
    from turnout.warehouse.postgres import Postgres

    at = random.Random(seed).randint(1, CALLS[phase])
    mobilize_server, an_server = start_servers()
    warehouse = Postgres(url=postgres_url)
    try:
        config = {
            "mode": "workflow",
            "engine": "postgres",
            "postgres_url": postgres_url,
            "schema": pg_schema,
            "mobilize_url": f"{mobilize_server.url}/v1/",
            "mobilize_key": MOBILIZE_KEY,
            "an_url": an_server.url + API_PREFIX,
            "an_token": AN_TOKEN,
            "organization": ORGANIZATION,
            "journal": str(tmp_path / "journal.sqlite"),
            "kill": {"phase": phase, "at": at},
        }
        killed = run_child(config, tmp_path / "killed.json")
        assert killed.returncode == -signal.SIGKILL, killed.stderr

        rerun = run_child({**config, "kill": None}, tmp_path / "rerun.json")
        assert rerun.returncode == 0, rerun.stderr
        summary = json.loads(rerun.stdout.split("SUMMARY ", 1)[1])
        assert summary["failed"] == 0

        assert end_state(an_server, warehouse, pg_schema) == clean_end_state
        # Nobody was pushed more often than the crash can explain: one repeat at most.
        posts = len(an_server.app.requests_to(API_PREFIX + "/people", "POST"))
        assert 10 <= posts <= 11
    finally:
        warehouse.client.close()
        mobilize_server.stop()
        an_server.stop()


OLD_ROWS = [{"id": i, "name": f"old person {i}"} for i in range(50)]


@pytest.fixture(params=["duckdb", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """(warehouse, table name, child config) on each engine."""
    if request.param == "duckdb":
        from turnout.warehouse.duckdb import DuckDB

        path = tmp_path / "warehouse.duckdb"
        config = {"engine": "duckdb", "duckdb_path": str(path)}
        return (lambda: DuckDB(path)), "main.people", config
    from turnout.warehouse.postgres import Postgres

    schema = request.getfixturevalue("pg_schema")
    url = request.getfixturevalue("postgres_url")
    return (
        (lambda: Postgres(url=url)),
        f"{schema}.people",
        {"engine": "postgres", "postgres_url": url},
    )


def _close(warehouse: Any) -> None:
    if hasattr(warehouse, "close"):
        warehouse.close()
    else:
        warehouse.client.close()


@pytest.mark.parametrize("if_exists", ["drop", "truncate", "append"])
def test_a_copy_killed_mid_load_leaves_the_previous_table_intact(
    engine: Any, if_exists: str, tmp_path: Path
) -> None:
    from turnout import Table

    connect, table_name, engine_config = engine
    warehouse = connect()
    warehouse.copy(Table(OLD_ROWS), table_name, if_exists="drop")
    schema = table_name.split(".")[0]
    tables_before = _tables(warehouse, schema)
    _close(warehouse)  # DuckDB allows one writing process at a time

    config = {**engine_config, "mode": "copy", "table": table_name, "rows": 200_000}
    config["if_exists"] = if_exists
    (tmp_path / "copy.json").write_text(json.dumps(config), encoding="utf-8")
    with subprocess.Popen(
        [sys.executable, str(CHILD), str(tmp_path / "copy.json")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip() == "LOADING", child.stderr.read() if child.stderr else line
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=CHILD_TIMEOUT)
    assert child.returncode == -signal.SIGKILL

    warehouse = connect()
    try:
        quoted = ".".join(f'"{part}"' for part in table_name.split("."))
        rows = warehouse.query(f"SELECT id, name FROM {quoted} ORDER BY id")
        assert [(int(r["id"]), r["name"]) for r in rows] == [(r["id"], r["name"]) for r in OLD_ROWS]
        assert _tables(warehouse, schema) == tables_before
    finally:
        _close(warehouse)


def _tables(warehouse: Any, schema: str) -> list[str]:
    rows = warehouse.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
        " ORDER BY table_name",
        [schema],
    )
    return [row["table_name"] for row in rows or []]


# A clean run of the sheet workflow on SHEET_SIZES makes 6 Mobilize calls (per_page 5) and 20
# Sheets/Drive calls through gspread (find, create, reads, writes, formats) after its token.
SHEET_SIZES = {"organizations": 1, "events": 4, "people": 20, "attendances": 30}


@pytest.mark.parametrize(("phase", "seed"), [("extract", 11), ("load", 12), ("load", 13)])
def test_the_sheet_workflow_killed_and_run_again_writes_the_clean_spreadsheet(
    phase: str, seed: int, sheets_emulator: Any, sheets_keyfile: Path, tmp_path: Path
) -> None:
    from tests.faults.scenarios import mobilize_connector, start_mobilize
    from tests.faults.workflows import ScenarioResult, check_sheet, raw_attendances
    from turnout.connectors.google_sheets import GoogleSheets

    example = load_example("mobilize_to_sheets")
    at = random.Random(seed).randint(1, {"extract": 6, "load": 20}[phase])
    mobilize_server = start_mobilize(seed, **SHEET_SIZES)
    try:
        records = raw_attendances(mobilize_server)
        folder = sheets_emulator.app.create_folder("Organizers")
        config = {
            "mode": "sheets",
            "mobilize_url": f"{mobilize_server.url}/v1/",
            "mobilize_key": MOBILIZE_KEY,
            "sheets_url": sheets_emulator.url,
            "keyfile": str(sheets_keyfile),
            "folder": folder,
            "organization": ORGANIZATION,
            "kill": {"phase": phase, "at": at},
        }
        killed = run_child(config, tmp_path / "killed.json")
        assert killed.returncode == -signal.SIGKILL, killed.stderr

        google_sheets = GoogleSheets(str(sheets_keyfile), api_base_url=sheets_emulator.url)
        summary = example.run(
            mobilize_connector(mobilize_server),
            google_sheets,
            folder,
            organization_id=ORGANIZATION,
        )

        result = ScenarioResult("mobilize_to_sheets", seed)
        check_sheet(result, sheets_emulator, summary["spreadsheet_id"], records, example.COLUMNS)
        assert (result.lost, result.duplicated, result.problems) == ([], [], [])
        # The re-run reuses the spreadsheet the killed run created: one in the folder.
        store = sheets_emulator.app.store
        in_folder = [f.file_id for f in store.files.values() if f.parents == [folder]]
        assert in_folder == [summary["spreadsheet_id"]]
        assert result.leftover_spreadsheets == 0
    finally:
        mobilize_server.stop()
