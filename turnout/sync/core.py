"""`sync_records`: push rows to a service one by one, keeping the log table of the outcomes.

The loop the training guide writes by hand, made safe to re-run:

1. replay the journal: outcomes a crashed run committed locally but never wrote to the log;
2. reconcile records that were in flight when it crashed (the push may have landed): look each
   up in the target, and log it as synced when it is there;
3. skip every key the log table already has a success row for;
4. push the rest, journaling each push before and after, and flushing outcomes to the log
   table in batches;
5. log the counts, report them to the run context, return a `SyncSummary`.

An authentication error stops the run at once (`SyncError`): a bad token would otherwise fail
every record and fill the log with rows that say nothing about the people. Any error in
`record_errors` becomes that record's failure row; anything else (a bug in the push function)
propagates, leaving its record in flight for the next run to reconcile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from turnout.errors import (
    AuthenticationError,
    ColumnNotFoundError,
    HTTPError,
    SyncError,
    TransportError,
    UnknownOutcomeError,
)
from turnout.redaction import redact
from turnout.sync.journal import DONE, IN_FLIGHT, JournalEntry, SyncJournal
from turnout.sync.log import LogRow, SyncLog, Warehouse, key_text, log_date, truncate_error

logger = logging.getLogger(__name__)

# What a failed push of one record may raise and still let the run go on: any HTTP status error
# (4xx, 5xx and 429 after the connector's own retries), a connection that failed, a write whose
# outcome is unknown (retried next run through the idempotent upsert), and the ValueErrors
# connectors raise for a record they refuse before sending it (turnout's validation and
# response-format errors derive from ValueError, as Parsons' own checks do).
# AuthenticationError is an HTTPError too, but is always handled first: it stops the run.
RECORD_ERRORS: tuple[type[BaseException], ...] = (
    HTTPError,
    TransportError,
    UnknownOutcomeError,
    ValueError,
)

PushFunction = Callable[[dict[str, Any]], Any]
ReconcileFunction = Callable[[dict[str, Any]], Any]


@dataclass
class SyncSummary:
    """What one sync did. `pushed` counts calls of the push function, `succeeded` and `failed`
    their outcomes; `skipped` counts source rows whose key the log already had as synced;
    `duplicates` counts source rows whose key an earlier row of the same source already had
    (pushed once, not again); `reconciled` counts records found in the target after a crash
    and logged as synced without a second push; `replayed` counts journal outcomes a crashed
    run had not yet logged."""

    log_table: str
    total: int = 0
    pushed: int = 0
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0
    duplicates: int = 0
    reconciled: int = 0
    replayed: int = 0
    failed_keys: list[Any] = field(default_factory=list)

    def describe(self) -> str:
        """One line for a person: '8 records: 6 synced, 2 failed, 0 already synced'; source
        duplicates and crash recovery are mentioned only when they happened."""
        line = (
            f"{self.total} records: {self.succeeded} synced, {self.failed} failed,"
            f" {self.skipped} already synced"
        )
        if self.duplicates:
            line += (
                f", {self.duplicates} duplicate{'s' if self.duplicates != 1 else ''} in the source"
            )
        if self.reconciled:
            line += f", {self.reconciled} reconciled after a crash"
        if self.replayed:
            line += f", {self.replayed} replayed from the journal"
        return line

    def as_dict(self) -> dict[str, Any]:
        return {
            "log_table": self.log_table,
            "total": self.total,
            "pushed": self.pushed,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "skipped": self.skipped,
            "duplicates": self.duplicates,
            "reconciled": self.reconciled,
            "replayed": self.replayed,
            "failed_keys": list(self.failed_keys),
        }


def sync_records(
    source: Any,
    key_column: str,
    push: PushFunction,
    warehouse: Warehouse,
    log_table: str,
    *,
    target_column: str = "target_id",
    reconcile: ReconcileFunction | None = None,
    journal_path: str | Path | None = None,
    batch_size: int = 50,
    record_errors: tuple[type[BaseException], ...] = RECORD_ERRORS,
) -> SyncSummary:
    """Push each source row not yet synced and log every outcome in `log_table`.

    source: a Table (or any iterable of row dicts), or a SQL query run on `warehouse` after the
        journal is replayed. key_column: the column that identifies a record; the log table's
        key column has the same name. push: called with one row dict, pushes it (an
        idempotent upsert) and returns the target's id for it. reconcile: called with the row
        of a record that was in flight when a run crashed; returns the target id when the
        record exists in the target, or None. journal_path: the local journal file (default:
        beside the run history, one per log table).

    Returns a `SyncSummary`. Raises `SyncError` when the target rejects the credential.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    log = SyncLog(warehouse, log_table, key_column=key_column, target_column=target_column)
    if journal_path is None:
        from turnout.runs.paths import journal_path_for

        journal_path = journal_path_for(log_table)
    summary = SyncSummary(log_table=log_table)

    with SyncJournal(journal_path, log_table) as journal:
        try:
            _Sync(log, journal, push, reconcile, batch_size, record_errors, summary).run(source)
        finally:
            _report(summary)
    return summary


class _Sync:
    """One run of `sync_records` (state shared by its steps)."""

    def __init__(
        self,
        log: SyncLog,
        journal: SyncJournal,
        push: PushFunction,
        reconcile: ReconcileFunction | None,
        batch_size: int,
        record_errors: tuple[type[BaseException], ...],
        summary: SyncSummary,
    ) -> None:
        self.log = log
        self.journal = journal
        self.push = push
        self.reconcile = reconcile
        self.batch_size = batch_size
        self.record_errors = record_errors
        self.summary = summary
        self.unflushed = 0
        self.unkeyed: list[dict[str, Any]] = []

    def run(self, source: Any) -> None:
        logged = self.log.rows()
        self.summary.replayed = self.replay(logged)
        synced = {row.key for row in logged if row.synced}
        synced |= self.reconcile_in_flight()

        rows = self.source_rows(source)
        self.summary.total = len(rows)
        logger.info("%s records to consider for %s", len(rows), self.log.table_name)
        try:
            self.push_all(rows, synced)
        finally:
            self.flush()

    # --- 1. replay ------------------------------------------------------------------------------

    def replay(self, logged: list[LogRow]) -> int:
        """Write done journal entries the log table lacks; returns how many were written."""
        entries = self.journal.entries(DONE)
        if not entries:
            return 0
        present = {(row.key, row.date) for row in logged}
        missing = [e for e in entries if (e.key, e.date) not in present]
        self.log.append([self._log_row(e) for e in missing])
        self.journal.forget([e.key for e in entries])
        for entry in missing:  # so the caller's skip set sees the replayed successes
            logged.append(LogRow(entry.key, entry.target_id, bool(entry.synced), entry.date))
        logger.info(
            "replayed %s outcomes from the journal into %s", len(missing), self.log.table_name
        )
        return len(missing)

    # --- 2. reconcile ---------------------------------------------------------------------------

    def reconcile_in_flight(self) -> set[str]:
        """Resolve records in flight at a crash; returns the keys found in the target."""
        entries = self.journal.entries(IN_FLIGHT)
        if not entries:
            return set()
        if self.reconcile is None:
            logger.warning(
                "%s records were in flight when the last run stopped and no reconcile function"
                " was given; they will be pushed again (the push must be an idempotent upsert)",
                len(entries),
            )
            self.journal.forget([e.key for e in entries])
            return set()

        found: set[str] = set()
        for entry in entries:
            target_id = self._look_up(entry)
            if target_id is None:
                self.journal.forget([entry.key])  # not there: the next step pushes it again
                continue
            self.journal.finish(
                entry.key, synced=True, target_id=target_id, errors=None, date=log_date()
            )
            self.unflushed += 1
            found.add(entry.key)
        self.summary.reconciled = len(found)
        self.flush()
        logger.info(
            "reconciled %s of %s records in flight at the last stop (found in the target)",
            len(found),
            len(entries),
        )
        return found

    def _look_up(self, entry: JournalEntry) -> str | None:
        assert self.reconcile is not None
        try:
            target_id = self.reconcile(entry.record)
        except AuthenticationError as error:
            raise SyncError(
                f"sync to {self.log.table_name} stopped: the target rejected the credential"
                f" while reconciling ({redact(error)})"
            ) from error
        except self.record_errors as error:
            logger.warning(
                "could not look up %s=%s after the last stop (%s); pushing it again",
                self.log.key_column,
                entry.key,
                redact(error),
            )
            return None
        return None if target_id is None else str(target_id)

    # --- 3. source ------------------------------------------------------------------------------

    def source_rows(self, source: Any) -> list[dict[str, Any]]:
        if isinstance(source, str):
            source = self.log.warehouse.query(source)
            if source is None:
                return []
        columns = getattr(source, "columns", None)
        if columns is not None and len(columns) == 0:
            # A Table without columns (a query or API call that matched nothing): no rows, so
            # nothing to push, and no key column to check.
            return []
        if columns is not None and self.log.key_column not in columns:
            raise ColumnNotFoundError(self.log.key_column, list(columns))
        rows = [dict(row) for row in _iter_rows(source)]
        for index, row in enumerate(rows):
            if self.log.key_column not in row:
                raise ColumnNotFoundError(self.log.key_column, list(row))
            if row[self.log.key_column] is None:
                logger.warning(
                    "source row %s has no %s; it is logged as failed", index, self.log.key_column
                )
        return rows

    # --- 4. push --------------------------------------------------------------------------------

    def push_all(self, rows: list[dict[str, Any]], synced: set[str]) -> None:
        seen: set[str] = set()
        for index, row in enumerate(rows):
            key_value = row[self.log.key_column]
            if key_value is None:
                self._record_missing_key(index, row)
                continue
            key = key_text(key_value)
            if key in seen:  # a second row with this key in the same source
                self.summary.duplicates += 1
                continue
            seen.add(key)
            if key in synced:
                self.summary.skipped += 1
                continue
            self.push_one(key, key_value, row)
            if self.unflushed >= self.batch_size:
                self.flush()

    def push_one(self, key: str, key_value: Any, row: dict[str, Any]) -> None:
        self.journal.begin(key, key_value, row)
        self.summary.pushed += 1
        try:
            target = self.push(row)
        except AuthenticationError as error:
            self.journal.forget([key])  # rejected before anything was written
            self.summary.pushed -= 1
            raise SyncError(
                f"sync to {self.log.table_name} stopped at {self.log.key_column}={key}: the"
                f" target rejected the credential ({redact(error)}); nothing was logged for"
                " this record or the ones after it"
            ) from error
        except self.record_errors as error:
            message = truncate_error(redact(f"{type(error).__name__}: {error}"))
            logger.info("failed to sync %s=%s: %s", self.log.key_column, key, message)
            self.journal.finish(key, synced=False, target_id=None, errors=message, date=log_date())
            self.unflushed += 1
            self.summary.failed += 1
            self.summary.failed_keys.append(key_value)
            return
        target_id = None if target is None else str(target)
        self.journal.finish(key, synced=True, target_id=target_id, errors=None, date=log_date())
        self.unflushed += 1
        self.summary.succeeded += 1

    def _record_missing_key(self, index: int, row: dict[str, Any]) -> None:
        # Not journaled: a row without a key cannot be matched on a re-run anyway. Its log row
        # goes out with the next flush, beside rows whose keys give the column its type.
        message = f"source row {index} has no value in key column {self.log.key_column!r}"
        self.unkeyed.append(
            self.log.record(None, synced=False, target_id=None, errors=message, date=log_date())
        )
        self.summary.failed += 1
        self.summary.failed_keys.append(None)

    # --- flush ----------------------------------------------------------------------------------

    def flush(self) -> None:
        """Append the journal's done entries to the log table, then drop them from the journal."""
        entries = self.journal.entries(DONE)
        if not entries and not self.unkeyed:
            return
        self.log.append([self._log_row(e) for e in entries] + self.unkeyed)
        self.journal.forget([e.key for e in entries])
        self.unflushed = 0
        self.unkeyed = []
        logger.debug("flushed %s outcomes to %s", len(entries), self.log.table_name)

    def _log_row(self, entry: JournalEntry) -> dict[str, Any]:
        return self.log.record(
            entry.key_value,
            synced=bool(entry.synced),
            target_id=entry.target_id,
            errors=entry.errors,
            date=entry.date or log_date(),
        )


def _iter_rows(source: Any) -> Iterable[Mapping[str, Any]]:
    if hasattr(source, "to_dicts"):
        return source.to_dicts()
    return iter(source)


def _report(summary: SyncSummary) -> None:
    logger.info(
        "sync to %s: %s succeeded, %s failed, %s skipped (already synced), %s duplicates in"
        " the source, %s reconciled, %s pushes",
        summary.log_table,
        summary.succeeded,
        summary.failed,
        summary.skipped,
        summary.duplicates,
        summary.reconciled,
        summary.pushed,
    )
    from turnout.runs.context import current_run

    current_run().add(rows_in=summary.total, rows_out=summary.succeeded, failures=summary.failed)
