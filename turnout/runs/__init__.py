"""Run history and the run context: `turnout run`, `turnout schedule`, `turnout runs`.

A script reports its counts with `current_run().add(rows_in=..., rows_out=..., failures=...)`;
outside `turnout run` that call does nothing but count. The history is a SQLite file of its
own (see `turnout.runs.paths`), never the warehouse a script writes.
"""

from __future__ import annotations

import argparse

from turnout.runs.context import RunContext, current_run
from turnout.runs.history import RunHistory, RunRecord
from turnout.runs.runner import run_script
from turnout.runs.schedule import cron_trigger, install_instructions, schedule_script

__all__ = [
    "RunContext",
    "RunHistory",
    "RunRecord",
    "cron_trigger",
    "current_run",
    "install_instructions",
    "main",
    "run_script",
    "schedule_script",
]


def main(args: argparse.Namespace) -> int:
    """Entry point from `turnout.cli` for the run, schedule and runs commands."""
    from turnout.runs.commands import main as dispatch

    return dispatch(args)
