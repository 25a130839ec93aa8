"""Where turnout keeps its own files: the run history, run logs and sync journals.

Everything lives under one home directory, platformdirs' user data dir unless `TURNOUT_HOME`
says otherwise. `TURNOUT_RUNS_DB` points the run history (and the logs beside it) elsewhere.
None of these files is a warehouse: DuckDB allows one writer at a time, so the history a
scheduler writes must never share a file with the warehouse the script writes.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import platformdirs

HOME_ENV = "TURNOUT_HOME"
RUNS_DB_ENV = "TURNOUT_RUNS_DB"


def turnout_home() -> Path:
    """The directory turnout keeps its own state in (created on first use)."""
    configured = os.environ.get(HOME_ENV)
    home = Path(configured) if configured else Path(platformdirs.user_data_dir("turnout"))
    home.mkdir(parents=True, exist_ok=True)
    return home


def runs_db_path() -> Path:
    """The SQLite file of the run history."""
    configured = os.environ.get(RUNS_DB_ENV)
    path = Path(configured) if configured else turnout_home() / "runs.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def logs_dir(runs_db: Path | None = None) -> Path:
    """The directory run logs are written to: `logs/` beside the run history."""
    directory = (runs_db or runs_db_path()).parent / "logs"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def journal_path_for(log_table: str) -> Path:
    """The default sync journal of one log table: `sync/<log table>.journal.sqlite`, beside
    the run history."""
    # TODO: the name holds only the log table, not the warehouse; syncing a log table of the
    # same name in two warehouses needs explicit journal paths (documented in docs/sync.md).
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", log_table).strip("._") or "sync"
    directory = runs_db_path().parent / "sync"
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"{safe}.journal.sqlite"
