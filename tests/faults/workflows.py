"""The two example workflows run against fault-injecting emulators, and the oracles that compare
each destination with its source.

A scenario starts the emulators in this process (so they outlive any workflow process), turns
on a seeded random fault schedule on each, and runs a workflow again and again, as a person
would after a failed run, until one run ends with nothing failed. Then the destination is read
back from the emulator's own state (never through the connector under test) and compared, record
by record, with what the source holds: every record present once, nothing extra.
"""

from __future__ import annotations

import importlib.util
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import requests

from turnout.connectors.action_network import action_network_id
from turnout.emulators.action_network.store import digits
from turnout.emulators.base import FAULT_KINDS, EmulatorServer, Fault, FaultInjector
from turnout.errors import TurnoutError
from turnout.http import RetryPolicy

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

ORGANIZATION = 101  # the first customer organization of the Mobilize emulator
MOBILIZE_KEY = "faults-mobilize-key-5b21e0"
AN_TOKEN = "faults-an-token-9d7c44"
TAG = "Mobilize Event Attendee"

# Short client timeouts and a longer emulator delay: every "slow" fault outlasts the client's
# read timeout, so it is a real timeout, not a late answer.
READ_TIMEOUT = 0.25
SLOW_DELAY = 0.4
RETRY_AFTER = 0.02
FAST_RETRY = RetryPolicy(attempts=5, backoff=0.005, backoff_max=0.04, jitter=0.005)


def load_example(name: str) -> ModuleType:
    """An example script as a module (they are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Every fault kind on the Sheets emulator too, slow replies included: GoogleSheets.overwrite_sheet
# writes first and then clears only beyond the new values, so a late request cannot empty them.
SHEETS_FAULT_KINDS = FAULT_KINDS


class DetailedInjector(FaultInjector):
    """A FaultInjector that also counts what each fault looked like: 429s with and without
    Retry-After, and 5xx replies by status."""

    def __init__(self, seed: int = 0) -> None:
        super().__init__(seed)
        self.details: Counter[str] = Counter()

    def next_fault(self, method: str, path: str) -> Fault | None:
        fault = super().next_fault(method, path)
        if fault is not None and fault.kind == "rate_limit":
            with_header = fault.retry_after is not None
            self.details["429 with Retry-After" if with_header else "429 without Retry-After"] += 1
        elif fault is not None and fault.kind == "server_error":
            self.details[f"HTTP {fault.status}"] += 1
        return fault


def random_faults(
    seed: int, probability: float, kinds: tuple[str, ...] = FAULT_KINDS
) -> DetailedInjector:
    """A seeded injector failing each request with `probability`, the kind drawn from `kinds`
    (default all five: 429s with and without Retry-After, 500/502/503, slow past the client's
    timeout, connections dropped mid-body, truncated JSON)."""
    injector = DetailedInjector(seed)
    injector.randomize(probability, kinds, retry_after=RETRY_AFTER, delay=SLOW_DELAY)
    return injector


@dataclass
class ScenarioResult:
    """What one scenario did and found: counted by the soak and asserted by the tests."""

    workflow: str
    seed: int
    runs: int = 0
    failed_runs: int = 0
    records: int = 0
    lost: list[Any] = field(default_factory=list)
    duplicated: list[Any] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    faults: Counter[str] = field(default_factory=Counter)
    fault_details: Counter[str] = field(default_factory=Counter)
    leftover_spreadsheets: int = 0  # partial spreadsheets failed runs left in the folder
    errors: Counter[str] = field(default_factory=Counter)

    def add_faults(self, *injectors: FaultInjector) -> None:
        for injector in injectors:
            self.faults.update(injector.injected)
            self.fault_details.update(getattr(injector, "details", {}))


def run_until_clean(attempt: Any, result: ScenarioResult, max_runs: int) -> Any:
    """Call `attempt()` (one workflow run) until it returns without error and `is_clean`;
    returns the last successful return value. A run that raises a turnout error is a failed
    run, re-run as a person would."""
    last = None
    for _ in range(max_runs):
        result.runs += 1
        try:
            last = attempt()
        except (TurnoutError, requests.RequestException) as error:
            result.failed_runs += 1
            result.errors[type(error).__name__] += 1
            logger.info("run %s of %s failed: %s", result.runs, result.workflow, error)
            continue
        if getattr(last, "failed", 0) == 0:
            return last
        result.failed_runs += 1
        result.errors["records_failed"] += 1
    return last


# --- Mobilize -> PostgreSQL -> Action Network --------------------------------------------------


def mobilize_people(server: EmulatorServer, organization: int = ORGANIZATION) -> dict[int, Any]:
    """The people behind the organization's attendances, by Mobilize user id (emulator data)."""
    data = server.app.data
    people = {}
    for index in data.org_attendance_indexes(organization):
        person = data.person(data.person_of_attendance(index))
        people[person["user_id"]] = person
    return people


def stored_people(app: Any, person: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Action Network person matching a Mobilize person: by their primary email address,
    or, when they have none, by their primary phone number (as the workflow upserts them)."""
    address = _primary(person["email_addresses"], "address")
    if address:
        return app.people_with_email(address)
    number = _primary(person["phone_numbers"], "number")
    with app.store.lock:
        matching = [
            p
            for p in app.store.people.values()
            if any(digits(e.get("number")) == digits(number) for e in p["phone_numbers"])
        ]
        return [app.render_person(p) for p in matching]


def check_action_network(
    result: ScenarioResult,
    mobilize_server: EmulatorServer,
    an_server: EmulatorServer,
    warehouse: Any,
    schema: str,
    people_before: int,
) -> None:
    """Compare Action Network and the log table with the Mobilize source."""
    app = an_server.app
    source = mobilize_people(mobilize_server)
    result.records = len(source)
    expected_ids: dict[int, str] = {}
    for user_id, person in sorted(source.items()):
        stored = stored_people(app, person)
        if not stored:
            result.lost.append(user_id)
            continue
        if len(stored) > 1:
            result.duplicated.append(user_id)
        person_id = action_network_id(stored[0])
        assert person_id is not None
        expected_ids[user_id] = person_id
        if TAG not in app.tag_names_of(person_id):
            result.problems.append(f"{user_id}: not tagged {TAG!r}")
        postal = _primary(person["postal_addresses"], "postal_code")
        stored_postal = [a.get("postal_code") for a in stored[0].get("postal_addresses") or []]
        if postal and postal not in stored_postal:
            result.problems.append(f"{user_id}: postal code {postal} not in {stored_postal}")

    extra = app.person_count - people_before - len(source)
    if extra:
        result.problems.append(f"Action Network holds {extra} people more than the source gives")
    tagged = Counter(app.taggings_of(TAG))
    for person_id, times in tagged.items():
        if times > 1:
            result.duplicated.append(f"tagging of {person_id}")
    tags = [t for t in app.store.tags.values() if t["name"] == TAG]
    if len(tags) != 1:
        result.problems.append(f"{len(tags)} tags named {TAG!r}")

    check_log_table(result, warehouse, schema, expected_ids)
    attendances = warehouse.query(f'SELECT COUNT(*) AS n FROM "{schema}".attendances')
    count = len(mobilize_server.app.data.org_attendance_indexes(ORGANIZATION))
    if attendances[0]["n"] != count:
        result.problems.append(f"attendances table has {attendances[0]['n']} rows, not {count}")


def check_log_table(
    result: ScenarioResult, warehouse: Any, schema: str, expected_ids: dict[int, str]
) -> None:
    """Exactly one success row per person, with their Action Network id; every failure row
    carries an error and no id, and its person was synced later."""
    rows = warehouse.query(
        f'SELECT * FROM "{schema}".mobilize_to_actionnetwork_log ORDER BY date, mobilizeid'
    )
    successes: Counter[int] = Counter()
    for row in rows or []:
        key = int(row["mobilizeid"])
        if row["synced"]:
            successes[key] += 1
            if row["actionnetworkid"] != expected_ids.get(key):
                result.problems.append(
                    f"log row of {key} names {row['actionnetworkid']}, not {expected_ids.get(key)}"
                )
            if row["errors"] is not None:
                result.problems.append(f"success row of {key} has errors {row['errors']!r}")
        elif row["actionnetworkid"] is not None or not row["errors"] or not row["date"]:
            result.problems.append(f"failure row of {key} is incomplete: {dict(row)}")
    for key in expected_ids:
        if successes[key] == 0:
            result.problems.append(f"log table has no success row for {key}")
        elif successes[key] > 1:
            result.duplicated.append(f"log success row of {key}")
    for key in set(successes) - set(expected_ids):
        result.problems.append(f"log table has a success row for {key}, absent from the source")


# --- Mobilize -> Google Sheets -----------------------------------------------------------------


def raw_attendances(server: EmulatorServer, organization: int = ORGANIZATION) -> list[dict]:
    """The API's attendance records, read with plain requests before any fault is on."""
    records: list[dict[str, Any]] = []
    url = f"{server.url}/v1/organizations/{organization}/attendances"
    while url:
        page = requests.get(
            url, headers={"Authorization": f"Bearer {MOBILIZE_KEY}"}, timeout=10
        ).json()
        records.extend(page["data"])
        url = page["next"]
    return records


def _legible(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _primary(entries: list[dict[str, Any]], field_name: str) -> Any:
    chosen = next((e for e in entries if e.get("primary")), entries[0] if entries else {})
    return chosen.get(field_name)


def expected_sheet_rows(records: list[dict[str, Any]]) -> list[list[Any]]:
    """The rows the sheet workflow must write for these records: the first three months,
    in month order, each attendance once (trailing blanks trimmed as the emulator stores)."""
    rows = []
    for a in records:
        person = a["person"]
        rows.append(
            [
                a["id"],
                a["event"]["id"],
                a["event"]["title"],
                a["timeslot"]["id"],
                _legible(a["timeslot"]["start_date"]),
                _legible(a["timeslot"]["end_date"]),
                a["status"],
                "" if a["attended"] is None else a["attended"],
                person["id"],
                person["given_name"],
                person["family_name"],
                _primary(person["email_addresses"], "address"),
                _primary(person["phone_numbers"], "number"),
                _primary(person["postal_addresses"], "postal_code"),
            ]
        )
    months = sorted({row[4][:7] for row in rows})[:3]
    ordered = [row for month in months for row in rows if row[4].startswith(month)]
    return [_trimmed(row) for row in ordered]


def _trimmed(row: list[Any]) -> list[Any]:
    row = ["" if value is None else value for value in row]
    while row and row[-1] == "":
        row.pop()
    return row


def check_sheet(
    result: ScenarioResult,
    sheets_server: EmulatorServer,
    spreadsheet_id: str,
    records: list[dict[str, Any]],
    header: list[str],
) -> None:
    """Compare the written spreadsheet, cell by cell, with the source records."""
    store = sheets_server.app.store
    folder = store.files[spreadsheet_id].parents
    result.leftover_spreadsheets = sum(
        1 for f in store.files.values() if f.parents == folder and f.file_id != spreadsheet_id
    )
    expected = expected_sheet_rows(records)
    result.records = len(expected)
    stored = sheets_server.app.sheet_values(spreadsheet_id, "Sheet1")
    if not stored or stored[0] != header:
        result.problems.append(f"header is {stored[:1]}")
    body = stored[1:]
    written_ids = Counter(row[0] for row in body if row)
    for row in expected:
        times = written_ids[row[0]]
        if times == 0:
            result.lost.append(row[0])
        elif times > 1:
            result.duplicated.append(row[0])
    if body != expected and not (result.lost or result.duplicated):
        result.problems.append("Sheet1 differs from the source rows (values or order)")
    counts = Counter(a["event"]["title"] for a in records)
    counts_tab = sheets_server.app.sheet_values(spreadsheet_id, "Signups by event")
    expected_counts = [["event_title", "value"]] + [[k, v] for k, v in sorted(counts.items())]
    if counts_tab != expected_counts:
        result.problems.append(f"counts tab is {counts_tab}, not {expected_counts}")
