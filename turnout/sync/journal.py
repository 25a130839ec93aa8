"""The sync journal: a local SQLite file that records each push as it happens.

Before a record is pushed its entry is committed as `in_flight`; once the push returns it is
committed as `done` with the outcome. Done entries are flushed to the warehouse log table in
batches and then deleted. So after a crash the journal holds exactly what the log table may be
missing: done entries to replay, and in-flight entries whose push may or may not have landed.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

IN_FLIGHT = "in_flight"
DONE = "done"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    log_table TEXT NOT NULL,
    key TEXT NOT NULL,
    key_value TEXT NOT NULL,
    state TEXT NOT NULL,
    target_id TEXT,
    synced INTEGER,
    errors TEXT,
    date TEXT,
    record TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (log_table, key)
)
"""


@dataclass(frozen=True)
class JournalEntry:
    """One record's entry in the journal."""

    key: str
    key_value: Any
    state: str
    target_id: str | None
    synced: bool | None
    errors: str | None
    date: str | None
    record: dict[str, Any]


class SyncJournal:
    """The journal of one log table, in a SQLite file (several log tables may share a file)."""

    def __init__(self, path: str | Path, log_table: str) -> None:
        self.path = Path(path)
        self.log_table = log_table
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock_fd: int | None = _lock(self.path.with_name(self.path.name + ".lock"), log_table)
        self._connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=FULL")
        self._connection.execute(_SCHEMA)
        row = self._connection.execute("SELECT COALESCE(MAX(seq), 0) FROM entries").fetchone()
        self._seq = int(row[0])

    def __repr__(self) -> str:
        return f"SyncJournal({str(self.path)!r}, {self.log_table!r})"

    def close(self) -> None:
        self._connection.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the lock
            self._lock_fd = None

    def __enter__(self) -> SyncJournal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def begin(self, key: str, key_value: Any, record: dict[str, Any]) -> None:
        """Commit `key` as in flight, before its push starts."""
        self._seq += 1
        self._connection.execute(
            "INSERT OR REPLACE INTO entries"
            " (log_table, key, key_value, state, record, seq) VALUES (?, ?, ?, ?, ?, ?)",
            (
                self.log_table,
                key,
                json.dumps(key_value, default=str),
                IN_FLIGHT,
                json.dumps(record, default=str),
                self._seq,
            ),
        )

    def finish(
        self, key: str, *, synced: bool, target_id: str | None, errors: str | None, date: str
    ) -> None:
        """Commit `key`'s outcome, once its push has returned or failed."""
        self._connection.execute(
            "UPDATE entries SET state = ?, synced = ?, target_id = ?, errors = ?, date = ?"
            " WHERE log_table = ? AND key = ?",
            (DONE, int(synced), target_id, errors, date, self.log_table, key),
        )

    def forget(self, keys: list[str]) -> None:
        """Delete entries (after they reached the log table, or when a push never started)."""
        self._connection.execute("BEGIN IMMEDIATE")
        try:
            self._connection.executemany(
                "DELETE FROM entries WHERE log_table = ? AND key = ?",
                [(self.log_table, key) for key in keys],
            )
        except sqlite3.Error:
            self._connection.execute("ROLLBACK")
            raise
        self._connection.execute("COMMIT")

    def entries(self, state: str) -> list[JournalEntry]:
        """This log table's entries in `state`, oldest first."""
        rows = self._connection.execute(
            "SELECT key, key_value, state, target_id, synced, errors, date, record FROM entries"
            " WHERE log_table = ? AND state = ? ORDER BY seq",
            (self.log_table, state),
        ).fetchall()
        return [
            JournalEntry(
                key=row[0],
                key_value=json.loads(row[1]),
                state=row[2],
                target_id=row[3],
                synced=None if row[4] is None else bool(row[4]),
                errors=row[5],
                date=row[6],
                record=json.loads(row[7]),
            )
            for row in rows
        ]

    def count(self, state: str) -> int:
        row = self._connection.execute(
            "SELECT COUNT(*) FROM entries WHERE log_table = ? AND state = ?",
            (self.log_table, state),
        ).fetchone()
        return int(row[0])


def _lock(path: Path, log_table: str) -> int:
    """Hold an exclusive lock on `path` so two syncs never share one journal at once (a
    scheduled run overlapping a manual one). The OS releases it when the process dies."""
    from turnout.errors import SyncError

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise SyncError(
            f"another sync of {log_table} is running (its journal {path} is locked)"
        ) from None
    return fd
