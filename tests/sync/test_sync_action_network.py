"""sync_records against the Action Network emulator over real HTTP: a real SIGKILL part-way,
a bad token, and records the API refuses."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.action_network import connect_action_network
from turnout import Table
from turnout.connectors.action_network import action_network_id
from turnout.emulators.action_network import API_PREFIX, DEFAULT_TOKEN
from turnout.emulators.base import EmulatorServer
from turnout.errors import SyncError
from turnout.sync import SyncJournal, sync_records
from turnout.warehouse.duckdb import DuckDB

LOG = "mobilize.mobilize_to_actionnetwork_log"

PEOPLE = [
    {"mobilizeid": 101 + i, "email_address": f"attendee{i}@example.org", "given_name": f"Ana{i}"}
    for i in range(8)
]

# The sync as a script of its own, so the test can kill it for real part-way through.
CHILD = """
import json, os, signal, sys
from turnout import Table
from turnout.connectors.action_network import ActionNetwork, action_network_id
from turnout.sync import sync_records
from turnout.warehouse.duckdb import DuckDB

config = json.loads(open(sys.argv[1]).read())
action_network = ActionNetwork(config["token"], api_url=config["url"], rate_limit=None)
pushes = 0

def push(person):
    global pushes
    response = action_network.upsert_person(
        email_address=person["email_address"], given_name=person["given_name"]
    )
    pushes += 1
    if pushes == config["kill_after"]:
        # The worst moment: the person exists in Action Network, the journal says in flight.
        os.kill(os.getpid(), signal.SIGKILL)
    return action_network_id(response)

sync_records(
    Table(config["people"]), "mobilizeid", push, DuckDB(config["warehouse"]), config["log"],
    target_column="actionnetworkid", journal_path=config["journal"], batch_size=3,
)
"""


def sync(action_network: Any, warehouse: DuckDB, journal: Path, people: list[dict]) -> Any:
    def push(person: dict[str, Any]) -> str | None:
        return action_network_id(
            action_network.upsert_person(
                email_address=person["email_address"], given_name=person["given_name"]
            )
        )

    def reconcile(person: dict[str, Any]) -> str | None:
        found = action_network.get_person_by_email(person["email_address"])
        return action_network_id(found) if found else None

    return sync_records(
        Table(people),
        "mobilizeid",
        push,
        warehouse,
        LOG,
        target_column="actionnetworkid",
        reconcile=reconcile,
        journal_path=journal,
    )


def log_rows(warehouse: DuckDB) -> list[tuple[Any, ...]]:
    rows = warehouse.query(f"SELECT * FROM {LOG} ORDER BY mobilizeid, date")
    assert rows is not None
    return [(r["mobilizeid"], r["actionnetworkid"], r["synced"], r["errors"]) for r in rows]


def test_a_sync_killed_part_way_ends_with_one_person_and_one_success_row_each(
    tmp_path: Path, action_network_emulator: EmulatorServer, action_network: Any
) -> None:
    config = {
        "token": DEFAULT_TOKEN,
        "url": action_network_emulator.url + API_PREFIX,
        "people": PEOPLE,
        "warehouse": str(tmp_path / "warehouse.duckdb"),
        "journal": str(tmp_path / "journal.sqlite"),
        "log": LOG,
        "kill_after": 5,
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    (tmp_path / "child.py").write_text(CHILD)

    child = subprocess.run(
        [sys.executable, str(tmp_path / "child.py"), str(tmp_path / "config.json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr

    with SyncJournal(tmp_path / "journal.sqlite", LOG) as left:
        # Pushes 1-3 reached the log in the first batch; 4 is done in the journal only; 5 in flight.
        assert (left.count("done"), left.count("in_flight")) == (1, 1)

    app = action_network_emulator.app
    posts_before = len(app.requests_to(API_PREFIX + "/people", "POST"))
    warehouse = DuckDB(tmp_path / "warehouse.duckdb")
    summary = sync(action_network, warehouse, tmp_path / "journal.sqlite", PEOPLE)

    assert (summary.replayed, summary.reconciled, summary.pushed, summary.skipped) == (1, 1, 3, 5)
    assert posts_before == 5
    assert len(app.requests_to(API_PREFIX + "/people", "POST")) == 8  # nobody pushed twice
    expected = []
    for person in PEOPLE:
        [stored] = app.people_with_email(person["email_address"])
        expected.append((person["mobilizeid"], action_network_id(stored), True, None))
    assert log_rows(warehouse) == expected


def test_a_bad_token_stops_the_run_before_any_log_row(
    tmp_path: Path, action_network_emulator: EmulatorServer
) -> None:
    wrong = connect_action_network(action_network_emulator, api_token="not-the-groups-token")
    warehouse = DuckDB(tmp_path / "warehouse.duckdb")
    people_before = action_network_emulator.app.person_count

    with pytest.raises(SyncError, match="rejected the credential") as raised:
        sync(wrong, warehouse, tmp_path / "journal.sqlite", PEOPLE)

    assert "not-the-groups-token" not in str(raised.value)
    assert warehouse.table_exists(LOG) is False
    assert action_network_emulator.app.person_count == people_before
    assert len(action_network_emulator.app.requests_to(API_PREFIX + "/people", "POST")) == 1


def test_people_the_api_refuses_are_logged_with_its_error_and_the_run_goes_on(
    tmp_path: Path, action_network: Any, action_network_emulator: EmulatorServer
) -> None:
    people = [
        PEOPLE[0],
        {"mobilizeid": 201, "email_address": "not-an-email", "given_name": "Bo"},
        {"mobilizeid": 202, "email_address": "long@example.org", "given_name": "N" * 300},
        PEOPLE[1],
    ]
    warehouse = DuckDB(tmp_path / "warehouse.duckdb")

    summary = sync(action_network, warehouse, tmp_path / "journal.sqlite", people)

    assert (summary.succeeded, summary.failed, summary.failed_keys) == (2, 2, [201, 202])
    rows = log_rows(warehouse)
    assert [(key, synced) for key, _, synced, _ in rows] == [
        (101, True),
        (102, True),
        (201, False),
        (202, False),
    ]
    assert "Email address not-an-email is invalid" in rows[2][3]
    assert "given_name is too long" in rows[3][3]
    assert rows[2][3].startswith("ClientError: POST ")
