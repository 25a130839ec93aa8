"""sync_records on a real DuckDB file: skips, retries, auth stops, journal replay, reconcile."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from turnout import Table
from turnout.errors import (
    AuthenticationError,
    ClientError,
    ColumnNotFoundError,
    InvalidRecordError,
    ServerError,
    SyncError,
)
from turnout.runs import RunHistory
from turnout.runs.context import RUN_DB_ENV, RUN_ID_ENV
from turnout.sync import SyncJournal, SyncLog, sync_records
from turnout.warehouse.duckdb import DuckDB

LOG = "mobilize.mobilize_to_actionnetwork_log"
DATE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$")


@pytest.fixture
def warehouse(tmp_path: Path) -> DuckDB:
    return DuckDB(tmp_path / "warehouse.duckdb")


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return tmp_path / "journal.sqlite"


def people(*ids: int) -> Table:
    return Table([{"mobilizeid": i, "email_address": f"person{i}@example.org"} for i in ids])


class Target:
    """A stand-in service: remembers pushes, fails the keys it is told to fail."""

    def __init__(self, failing: dict[int, Exception] | None = None) -> None:
        self.failing = failing or {}
        self.pushed: list[int] = []
        self.people: dict[str, int] = {}

    def push(self, row: dict[str, Any]) -> str:
        key = row["mobilizeid"]
        self.pushed.append(key)
        if key in self.failing:
            raise self.failing[key]
        self.people[row["email_address"]] = key
        return f"an-{key}"


def log_rows(warehouse: DuckDB) -> list[tuple[Any, ...]]:
    rows = warehouse.query(f"SELECT * FROM {LOG} ORDER BY date")
    assert rows is not None
    for row in rows:
        assert DATE.match(row["date"]), row["date"]
    return [(r["mobilizeid"], r["actionnetworkid"], r["synced"], r["errors"]) for r in rows]


def run(
    source: Any, push: Callable[[dict[str, Any]], Any], warehouse: DuckDB, journal: Path, **kw: Any
) -> Any:
    return sync_records(
        source,
        "mobilizeid",
        push,
        warehouse,
        LOG,
        target_column="actionnetworkid",
        journal_path=journal,
        **kw,
    )


def test_a_second_run_pushes_nothing(warehouse: DuckDB, journal: Path) -> None:
    target = Target()

    first = run(people(1, 2, 3), target.push, warehouse, journal)
    second = run(people(1, 2, 3), target.push, warehouse, journal)

    assert (first.pushed, first.succeeded, first.failed, first.skipped) == (3, 3, 0, 0)
    assert (second.pushed, second.succeeded, second.failed, second.skipped) == (0, 0, 0, 3)
    assert target.pushed == [1, 2, 3]
    assert log_rows(warehouse) == [
        (1, "an-1", True, None),
        (2, "an-2", True, None),
        (3, "an-3", True, None),
    ]


def test_a_re_run_retries_only_the_failures(warehouse: DuckDB, journal: Path) -> None:
    target = Target(
        {
            2: ClientError("Email address person2@ is invalid", status=400),
            4: ServerError("HTTP 503 after 3 attempts", status=503),
        }
    )
    first = run(people(1, 2, 3, 4), target.push, warehouse, journal, batch_size=3)
    target.failing = {}
    target.pushed.clear()

    second = run(people(1, 2, 3, 4, 5), target.push, warehouse, journal)

    assert (first.succeeded, first.failed, first.failed_keys) == (2, 2, [2, 4])
    assert target.pushed == [2, 4, 5]
    assert (second.pushed, second.succeeded, second.failed, second.skipped) == (3, 3, 0, 2)
    assert log_rows(warehouse) == [
        (1, "an-1", True, None),
        (2, None, False, "ClientError: Email address person2@ is invalid"),
        (3, "an-3", True, None),
        (4, None, False, "ServerError: HTTP 503 after 3 attempts"),
        (2, "an-2", True, None),
        (4, "an-4", True, None),
        (5, "an-5", True, None),
    ]


def test_a_first_batch_of_only_failures_then_successes_widens_the_log(
    warehouse: DuckDB, journal: Path
) -> None:
    refused = InvalidRecordError("person needs an email_address or a mobile_number")
    target = Target({1: refused, 2: refused})
    run(people(1, 2), target.push, warehouse, journal)
    target.failing = {}

    run(people(1, 2), target.push, warehouse, journal)

    message = "InvalidRecordError: person needs an email_address or a mobile_number"
    assert log_rows(warehouse) == [
        (1, None, False, message),
        (2, None, False, message),
        (1, "an-1", True, None),
        (2, "an-2", True, None),
    ]


def test_error_text_is_cut_to_999_characters(warehouse: DuckDB, journal: Path) -> None:
    target = Target({1: ClientError("x" * 5000, status=422)})

    run(people(1), target.push, warehouse, journal)

    [(_, _, synced, errors)] = log_rows(warehouse)
    assert synced is False
    assert errors == ("ClientError: " + "x" * 5000)[:999]
    assert len(errors) == 999


def test_an_authentication_error_stops_the_run_without_failure_rows(
    warehouse: DuckDB, journal: Path
) -> None:
    target = Target({3: AuthenticationError("HTTP 403: API Key invalid", status=403)})

    with pytest.raises(SyncError, match=r"stopped at mobilizeid=3: the target rejected"):
        run(people(1, 2, 3, 4, 5), target.push, warehouse, journal)

    assert target.pushed == [1, 2, 3]  # 4 and 5 never tried
    assert log_rows(warehouse) == [(1, "an-1", True, None), (2, "an-2", True, None)]
    with SyncJournal(journal, LOG) as left:
        assert (left.count("in_flight"), left.count("done")) == (0, 0)

    target.failing = {}
    target.pushed.clear()
    after = run(people(1, 2, 3, 4, 5), target.push, warehouse, journal)
    assert target.pushed == [3, 4, 5]
    assert (after.succeeded, after.skipped) == (3, 2)


def test_an_unexpected_error_propagates_and_its_record_is_reconciled_next_run(
    warehouse: DuckDB, journal: Path
) -> None:
    target = Target({2: TypeError("push_person() got an unexpected keyword 'tgs'")})

    with pytest.raises(TypeError, match="unexpected keyword"):
        run(people(1, 2, 3), target.push, warehouse, journal)

    assert log_rows(warehouse) == [(1, "an-1", True, None)]
    target.failing = {}
    looked_up: list[int] = []

    def reconcile(row: dict[str, Any]) -> str | None:
        looked_up.append(row["mobilizeid"])
        key = target.people.get(row["email_address"])
        return None if key is None else f"an-{key}"

    target.pushed.clear()
    after = run(people(1, 2, 3), target.push, warehouse, journal, reconcile=reconcile)

    assert looked_up == [2]  # the record in flight, found missing, so pushed again
    assert target.pushed == [2, 3]
    assert (after.reconciled, after.succeeded, after.skipped) == (0, 2, 1)


def test_the_journal_is_replayed_and_in_flight_records_reconciled(
    warehouse: DuckDB, journal: Path
) -> None:
    # What a run killed mid-way leaves: key 1 logged, key 2 done but not yet flushed,
    # key 3 pushed (it exists in the target) but still in flight in the journal.
    target = Target()
    run(people(1), target.push, warehouse, journal)
    with SyncJournal(journal, LOG) as crashed:
        crashed.begin("2", 2, {"mobilizeid": 2, "email_address": "person2@example.org"})
        crashed.finish(
            "2", synced=True, target_id="an-2", errors=None, date="2026-12-04 10:00:00.000002"
        )
        crashed.begin("3", 3, {"mobilizeid": 3, "email_address": "person3@example.org"})
    target.people["person3@example.org"] = 3
    target.pushed.clear()

    def reconcile(row: dict[str, Any]) -> str | None:
        key = target.people.get(row["email_address"])
        return None if key is None else f"an-{key}"

    summary = run(people(1, 2, 3, 4), target.push, warehouse, journal, reconcile=reconcile)

    assert target.pushed == [4]
    assert (summary.replayed, summary.reconciled, summary.succeeded, summary.skipped) == (
        1,
        1,
        1,
        3,
    )
    assert sorted(log_rows(warehouse)) == [
        (1, "an-1", True, None),
        (2, "an-2", True, None),
        (3, "an-3", True, None),
        (4, "an-4", True, None),
    ]
    with SyncJournal(journal, LOG) as left:
        assert (left.count("in_flight"), left.count("done")) == (0, 0)


def test_a_replay_does_not_duplicate_rows_that_reached_the_log(
    warehouse: DuckDB, journal: Path
) -> None:
    # A crash after the log append but before the journal forgot the entries.
    log = SyncLog(warehouse, LOG, key_column="mobilizeid", target_column="actionnetworkid")
    date = "2026-12-04 10:00:00.000001"
    log.append([log.record(1, synced=True, target_id="an-1", errors=None, date=date)])
    with SyncJournal(journal, LOG) as crashed:
        crashed.begin("1", 1, {"mobilizeid": 1})
        crashed.finish("1", synced=True, target_id="an-1", errors=None, date=date)

    summary = run(people(1), Target().push, warehouse, journal)

    assert (summary.replayed, summary.pushed, summary.skipped) == (0, 0, 1)
    assert log_rows(warehouse) == [(1, "an-1", True, None)]


def test_without_a_reconcile_function_in_flight_records_are_pushed_again(
    warehouse: DuckDB, journal: Path
) -> None:
    with SyncJournal(journal, LOG) as crashed:
        crashed.begin("7", 7, {"mobilizeid": 7, "email_address": "person7@example.org"})
    target = Target()

    summary = run(people(7), target.push, warehouse, journal)

    assert target.pushed == [7]
    assert (summary.reconciled, summary.succeeded) == (0, 1)


def test_the_source_may_be_a_query_and_duplicate_keys_are_pushed_once(
    warehouse: DuckDB, journal: Path
) -> None:
    warehouse.copy(people(5, 6, 5), "mobilize.users_to_sync", if_exists="drop")
    target = Target()

    summary = run(
        "SELECT * FROM mobilize.users_to_sync ORDER BY mobilizeid", target.push, warehouse, journal
    )

    assert target.pushed == [5, 6]
    assert (summary.total, summary.succeeded, summary.skipped, summary.duplicates) == (3, 2, 0, 1)
    assert (
        summary.describe()
        == "3 records: 2 synced, 0 failed, 0 already synced, 1 duplicate in the source"
    )


def test_a_table_without_columns_is_a_clean_no_op(
    warehouse: DuckDB, journal: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="turnout.sync")
    target = Target()

    summary = run(Table(), target.push, warehouse, journal)

    assert target.pushed == []
    assert summary.as_dict() == {
        "log_table": LOG,
        "total": 0,
        "pushed": 0,
        "succeeded": 0,
        "failed": 0,
        "skipped": 0,
        "duplicates": 0,
        "reconciled": 0,
        "replayed": 0,
        "failed_keys": [],
    }
    assert summary.describe() == "0 records: 0 synced, 0 failed, 0 already synced"
    assert [r.getMessage() for r in caplog.records if r.name == "turnout.sync.core"][-1] == (
        f"sync to {LOG}: 0 succeeded, 0 failed, 0 skipped (already synced), 0 duplicates in the"
        " source, 0 reconciled, 0 pushes"
    )


def test_a_key_synced_before_and_repeated_in_the_source_is_skipped_then_a_duplicate(
    warehouse: DuckDB, journal: Path
) -> None:
    target = Target()
    run(people(1), target.push, warehouse, journal)

    summary = run(people(1, 1, 2), target.push, warehouse, journal)

    assert target.pushed == [1, 2]
    assert (summary.skipped, summary.duplicates, summary.succeeded) == (1, 1, 1)


def test_a_missing_key_column_is_refused_before_any_push(warehouse: DuckDB, journal: Path) -> None:
    target = Target()
    with pytest.raises(ColumnNotFoundError, match="'user_id' does not exist"):
        sync_records(people(1), "user_id", target.push, warehouse, LOG, journal_path=journal)
    assert target.pushed == []
    assert warehouse.table_exists(LOG) is False


def test_a_row_without_a_key_is_logged_as_a_failure_naming_the_row(
    warehouse: DuckDB, journal: Path
) -> None:
    source = Table([{"mobilizeid": 1, "email_address": "a@example.org"}, {"mobilizeid": None}])
    target = Target()

    summary = run(source, target.push, warehouse, journal)

    assert (summary.succeeded, summary.failed, target.pushed) == (1, 1, [1])
    assert log_rows(warehouse) == [
        (1, "an-1", True, None),
        (None, None, False, "source row 1 has no value in key column 'mobilizeid'"),
    ]


def test_counts_reach_the_run_context(
    warehouse: DuckDB, journal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    history = RunHistory(tmp_path / "runs.sqlite")
    run_id = history.start("sync.py")
    monkeypatch.setenv(RUN_ID_ENV, str(run_id))
    monkeypatch.setenv(RUN_DB_ENV, str(history.path))
    target = Target({2: ClientError("bad", status=400)})

    run(people(1, 2, 3), target.push, warehouse, journal)

    stored = history.get(run_id)
    assert (stored.rows_in, stored.rows_out, stored.failures) == (3, 2, 1)


def test_two_syncs_of_one_journal_at_once_are_refused(warehouse: DuckDB, journal: Path) -> None:
    with (
        SyncJournal(journal, LOG),
        pytest.raises(SyncError, match=r"another sync of .* is running"),
    ):
        run(people(1), Target().push, warehouse, journal)

    assert run(people(1), Target().push, warehouse, journal).succeeded == 1


def test_the_public_surface_of_turnout_sync() -> None:
    import turnout
    import turnout.sync

    assert turnout.sync is turnout.__getattr__("sync")
    assert turnout.sync.__all__ == [
        "ERROR_LIMIT",
        "RECORD_ERRORS",
        "SyncJournal",
        "SyncLog",
        "SyncSummary",
        "quote_table",
        "sync_records",
    ]


def test_the_summary_describes_itself(warehouse: DuckDB, journal: Path) -> None:
    target = Target({2: ClientError("bad", status=400)})
    run(people(1, 2, 3), target.push, warehouse, journal)

    summary = run(people(1, 2, 3), target.push, warehouse, journal)

    assert summary.describe() == "3 records: 0 synced, 1 failed, 2 already synced"
    assert summary.as_dict() == {
        "log_table": LOG,
        "total": 3,
        "pushed": 1,
        "succeeded": 0,
        "failed": 1,
        "skipped": 2,
        "duplicates": 0,
        "reconciled": 0,
        "replayed": 0,
        "failed_keys": [2],
    }
