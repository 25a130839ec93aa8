"""The run history: one SQLite file recording every `turnout run` (start, end, status, counts).

SQLite in WAL mode lets the parent that supervises a run and the script's own run context write
the same row safely from two processes.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from turnout.runs.paths import runs_db_path

logger = logging.getLogger(__name__)

COUNTERS = ("rows_in", "rows_out", "failures")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    script TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL,
    exit_code INTEGER,
    rows_in INTEGER NOT NULL DEFAULT 0,
    rows_out INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    log_file TEXT,
    pid INTEGER
)
"""


def utc_now() -> str:
    """The current UTC time as an ISO-8601 string, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class RunRecord:
    """One row of the run history."""

    id: int
    script: str
    started_at: str
    ended_at: str | None
    status: str
    exit_code: int | None
    rows_in: int
    rows_out: int
    failures: int
    log_file: str | None
    pid: int | None


class RunHistory:
    """Reads and writes the run history file (default: `turnout.runs.paths.runs_db_path()`)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else runs_db_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.execute(_SCHEMA)

    def __repr__(self) -> str:
        return f"RunHistory({str(self.path)!r})"

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.path, timeout=30)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            with connection:  # commits, or rolls back on error
                yield connection
        finally:
            connection.close()

    def start(self, script: str, *, log_file: str | None = None, pid: int | None = None) -> int:
        """Record a run as started; returns its id."""
        with self._connect() as connection:
            cursor = connection.execute(
                "INSERT INTO runs (script, started_at, status, log_file, pid)"
                " VALUES (?, ?, ?, ?, ?)",
                (script, utc_now(), "running", log_file, pid),
            )
            run_id = int(cursor.lastrowid or 0)
        logger.debug("run %s of %s started", run_id, script)
        return run_id

    def set_log_file(self, run_id: int, log_file: str) -> None:
        with self._connect() as connection:
            connection.execute("UPDATE runs SET log_file = ? WHERE id = ?", (log_file, run_id))

    def set_pid(self, run_id: int, pid: int) -> None:
        with self._connect() as connection:
            connection.execute("UPDATE runs SET pid = ? WHERE id = ?", (pid, run_id))

    def add_counts(
        self, run_id: int, *, rows_in: int = 0, rows_out: int = 0, failures: int = 0
    ) -> None:
        """Add to a run's counters (a script may report several times)."""
        with self._connect() as connection:
            connection.execute(
                "UPDATE runs SET rows_in = rows_in + ?, rows_out = rows_out + ?,"
                " failures = failures + ? WHERE id = ?",
                (int(rows_in), int(rows_out), int(failures), run_id),
            )

    def finish(self, run_id: int, *, status: str, exit_code: int | None) -> None:
        """Record a run's end and outcome."""
        with self._connect() as connection:
            connection.execute(
                "UPDATE runs SET ended_at = ?, status = ?, exit_code = ? WHERE id = ?",
                (utc_now(), status, exit_code, run_id),
            )
        logger.debug("run %s finished: %s (exit code %s)", run_id, status, exit_code)

    def get(self, run_id: int) -> RunRecord:
        """One run by id (KeyError when there is none)."""
        with self._connect() as connection:
            row = connection.execute(
                f"SELECT {_COLUMNS} FROM runs WHERE id = ?", (run_id,)
            ).fetchone()
        if row is None:
            raise KeyError(f"no run with id {run_id} in {self.path}")
        return RunRecord(*row)

    def recent(self, limit: int = 20) -> list[RunRecord]:
        """The latest `limit` runs, newest first."""
        with self._connect() as connection:
            rows = connection.execute(
                f"SELECT {_COLUMNS} FROM runs ORDER BY id DESC LIMIT ?", (int(limit),)
            ).fetchall()
        return [RunRecord(*row) for row in rows]


_COLUMNS = (
    "id, script, started_at, ended_at, status, exit_code,"
    " rows_in, rows_out, failures, log_file, pid"
)
