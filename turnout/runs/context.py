"""The run context: how a script tells `turnout run` how many rows it moved.

    from turnout.runs import current_run
    current_run().add(rows_in=120, rows_out=118, failures=2)

Under `turnout run` / `turnout schedule` the counts land in the run history (the supervising
process passes the run id and the history file in the environment). Outside them the context
only keeps the totals in memory, so the same script runs unchanged from a plain `python`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from turnout.runs.history import RunHistory

logger = logging.getLogger(__name__)

RUN_ID_ENV = "TURNOUT_RUN_ID"
RUN_DB_ENV = "TURNOUT_RUN_DB"


class RunContext:
    """Counts of one run. `active` is True when the counts reach a run history."""

    def __init__(self, run_id: int | None = None, history: RunHistory | None = None) -> None:
        self.run_id = run_id
        self.history = history
        self.rows_in = 0
        self.rows_out = 0
        self.failures = 0

    @property
    def active(self) -> bool:
        return self.run_id is not None and self.history is not None

    def __repr__(self) -> str:
        return (
            f"RunContext(run_id={self.run_id!r}, rows_in={self.rows_in}, "
            f"rows_out={self.rows_out}, failures={self.failures})"
        )

    def add(self, *, rows_in: int = 0, rows_out: int = 0, failures: int = 0) -> None:
        """Add to this run's counts (call as often as you like; the counts add up)."""
        self.rows_in += rows_in
        self.rows_out += rows_out
        self.failures += failures
        if self.history is not None and self.run_id is not None:
            self.history.add_counts(
                self.run_id, rows_in=rows_in, rows_out=rows_out, failures=failures
            )


_current: RunContext | None = None
_current_key: tuple[str | None, str | None] | None = None


def current_run() -> RunContext:
    """The context of the run this process belongs to (a no-op one outside `turnout run`)."""
    global _current, _current_key
    key = (os.environ.get(RUN_ID_ENV), os.environ.get(RUN_DB_ENV))
    if _current is None or key != _current_key:
        _current = _context_from_environment(*key)
        _current_key = key
    return _current


def _context_from_environment(run_id: str | None, db: str | None) -> RunContext:
    if not run_id or not db:
        return RunContext()
    try:
        number = int(run_id)
    except ValueError:
        logger.warning("ignoring %s=%r: not a run id", RUN_ID_ENV, run_id)
        return RunContext()
    return RunContext(number, RunHistory(Path(db)))
