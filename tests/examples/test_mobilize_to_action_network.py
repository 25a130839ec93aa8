"""examples/mobilize_to_action_network.py end to end: the Mobilize emulator in, DuckDB or
PostgreSQL in the middle, the Action Network emulator out, with the exact log rows checked."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.fixtures.action_network import connect_action_network
from tests.fixtures.mobilize import MOBILIZE_TEST_KEY
from tests.warehouse.conftest import (  # the local-S3 fixtures of the warehouse tests
    S3_ACCESS_KEY,
    S3_SECRET_KEY,
    make_redshift,
    s3_bucket,  # noqa: F401
    s3_endpoint,  # noqa: F401
)
from turnout.connectors.action_network import action_network_id
from turnout.emulators.action_network import API_PREFIX, DEFAULT_TOKEN
from turnout.emulators.base import EmulatorServer
from turnout.runs import RunHistory, run_script

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mobilize_to_action_network.py"
ORGANIZATION = 101
TAG = "Mobilize Event Attendee"
# Small Mobilize data: one organization, 12 attendances of 8 people (some attend twice).
MOBILIZE_SIZES = {"organizations": 1, "events": 3, "people": 8, "attendances": 12}
USER_IDS = [80001, 80002, 80003, 80004, 80005, 80006, 80007, 80008]


@pytest.fixture(scope="module")
def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mobilize_to_action_network", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(params=["duckdb", "postgres", "redshift_on_postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Any, str]]:
    """(warehouse, schema) on each engine the example supports: DuckDB, PostgreSQL, and
    Redshift's SQL and S3-staged COPY path run on PostgreSQL with a local S3."""
    if request.param == "duckdb":
        from turnout.warehouse.duckdb import DuckDB

        warehouse = DuckDB(tmp_path / "warehouse.duckdb")
        yield warehouse, "mobilize"
        warehouse.close()
        return
    schema = request.getfixturevalue("pg_schema")
    postgres_url = request.getfixturevalue("postgres_url")
    if request.param == "postgres":
        from turnout.warehouse.postgres import Postgres

        warehouse = Postgres(url=postgres_url)
    else:
        bucket = request.getfixturevalue("s3_bucket")
        warehouse = make_redshift(
            postgres_url,
            s3_temp_bucket=f"{bucket}/staging",
            aws_access_key_id=S3_ACCESS_KEY,
            aws_secret_access_key=S3_SECRET_KEY,
            s3_endpoint_url=request.getfixturevalue("s3_endpoint"),
        )
    yield warehouse, schema
    warehouse.client.close()  # before pg_schema drops the schema


@pytest.fixture
def mobilize_server(make_mobilize_emulator: Any) -> EmulatorServer:
    return make_mobilize_emulator(**MOBILIZE_SIZES)


def mobilize_people(server: EmulatorServer) -> dict[int, dict[str, Any]]:
    """The people behind the organization's attendances, by user id, from the emulator's data."""
    data = server.app.data
    people = {}
    for index in data.org_attendance_indexes(ORGANIZATION):
        person = data.person(data.person_of_attendance(index))
        people[person["user_id"]] = person
    return people


def log_rows(warehouse: Any, schema: str) -> list[tuple[Any, ...]]:
    rows = warehouse.query(
        f'SELECT * FROM "{schema}".mobilize_to_actionnetwork_log ORDER BY date, mobilizeid'
    )
    return [(r["mobilizeid"], r["actionnetworkid"], r["synced"], r["errors"]) for r in rows]


def test_a_second_run_syncs_nobody_new_and_retries_only_the_failures(
    example: ModuleType,
    engine: tuple[Any, str],
    mobilize_server: EmulatorServer,
    make_mobilize: Any,
    action_network_emulator: EmulatorServer,
    action_network: Any,
    tmp_path: Path,
) -> None:
    warehouse, schema = engine
    mobilize = make_mobilize(mobilize_server)
    an = action_network_emulator.app
    people = mobilize_people(mobilize_server)
    assert sorted(people) == USER_IDS
    # The third and fourth signups of the first run fail, as a rejected record would.
    an.faults.inject(
        "server_error", count=2, after=2, status=422, path_contains="/people", methods=["POST"]
    )

    def run() -> Any:
        return example.run(
            mobilize,
            action_network,
            warehouse,
            organization_id=ORGANIZATION,
            schema=schema,
            journal_path=tmp_path / "journal.sqlite",
        )

    first = run()
    posts_first = len(an.requests_to(API_PREFIX + "/people", "POST"))
    second = run()
    posts_second = len(an.requests_to(API_PREFIX + "/people", "POST")) - posts_first
    third = run()

    assert (first.total, first.pushed, first.succeeded, first.failed) == (8, 8, 6, 2)
    assert first.failed_keys == [80003, 80004]
    assert (second.total, second.pushed, second.succeeded, second.failed) == (2, 2, 2, 0)
    assert (posts_first, posts_second) == (8, 2)
    assert (third.total, third.pushed) == (0, 0)

    ids = {}
    for user_id, person in people.items():
        [stored] = an.people_with_email(person["email_addresses"][0]["address"])
        assert TAG in an.tag_names_of(action_network_id(stored))
        assert (
            stored["postal_addresses"][0]["postal_code"]
            == (person["postal_addresses"][0]["postal_code"])
        )
        ids[user_id] = action_network_id(stored)
    refused = (
        f"ClientError: POST {action_network_emulator.url}{API_PREFIX}/people returned"
        ' HTTP 422 UNPROCESSABLE ENTITY: {"error":"Validation failed: the request was not'
        ' accepted"}'
    )
    assert log_rows(warehouse, schema) == [
        (80001, ids[80001], True, None),
        (80002, ids[80002], True, None),
        (80003, None, False, refused),
        (80004, None, False, refused),
        (80005, ids[80005], True, None),
        (80006, ids[80006], True, None),
        (80007, ids[80007], True, None),
        (80008, ids[80008], True, None),
        (80003, ids[80003], True, None),
        (80004, ids[80004], True, None),
    ]
    attendances = warehouse.query(f'SELECT COUNT(*) AS n FROM "{schema}".attendances')
    assert attendances[0]["n"] == 12


def test_turnout_run_of_the_example_records_its_counts(
    tmp_path: Path,
    make_mobilize_emulator: Any,
    action_network_emulator: EmulatorServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Four people: the script's own connector paces itself at Action Network's 4 requests/s.
    mobilize_server = make_mobilize_emulator(organizations=1, events=2, people=4, attendances=6)
    assert sorted(mobilize_people(mobilize_server)) == USER_IDS[:4]
    environment = {
        "MOBILIZE_AMERICA_API_KEY": MOBILIZE_TEST_KEY,
        "MOBILIZE_AMERICA_URI": mobilize_server.url + "/v1/",
        "MOBILIZE_AMERICA_ORGANIZATION_ID": str(ORGANIZATION),
        "AN_API_TOKEN": DEFAULT_TOKEN,
        "AN_API_URL": action_network_emulator.url + API_PREFIX,
        "TURNOUT_WAREHOUSE": "duckdb",
        "TURNOUT_DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"),
        "TURNOUT_HOME": str(tmp_path / "home"),
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TURNOUT_RUNS_DB", raising=False)
    history = RunHistory(tmp_path / "home" / "runs.sqlite")

    record = run_script(EXAMPLE, history=history)

    log_text = Path(record.log_file or "").read_text()
    assert (record.status, record.rows_in, record.rows_out, record.failures) == (
        "succeeded",
        4,
        4,
        0,
    ), log_text
    assert "Successfully synced 4 mobilize users and failed to sync 0" in log_text
    assert DEFAULT_TOKEN not in log_text and MOBILIZE_TEST_KEY not in log_text
    assert (tmp_path / "home" / "sync").is_dir()  # the journal lives under TURNOUT_HOME
    checker = connect_action_network(action_network_emulator)
    assert (
        len(checker.get_people(filter=f"email_address eq '{_first_email(mobilize_server)}'")) == 1
    )


def _first_email(server: EmulatorServer) -> str:
    return mobilize_people(server)[USER_IDS[0]]["email_addresses"][0]["address"]


def test_the_warehouse_comes_from_turnout_warehouse(
    example: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TURNOUT_WAREHOUSE", "postgresql://someone:pw@127.0.0.1:1/db")
    assert type(example.warehouse_from_environment()).__name__ == "Postgres"
    monkeypatch.setenv("TURNOUT_WAREHOUSE", "duckdb")
    monkeypatch.setenv("TURNOUT_DUCKDB_PATH", str(tmp_path / "w.duckdb"))
    chosen = example.warehouse_from_environment()
    assert (type(chosen).__name__, chosen.database) == ("DuckDB", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("TURNOUT_WAREHOUSE", "snowflake")
    with pytest.raises(ValueError, match="TURNOUT_WAREHOUSE='snowflake'"):
        example.warehouse_from_environment()
