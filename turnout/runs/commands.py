"""The handlers of `turnout run`, `turnout schedule` and `turnout runs`."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from rich.console import Console
from rich.table import Table as RichTable

from turnout.errors import ConfigurationError
from turnout.runs.child import LOG_LEVEL_ENV
from turnout.runs.history import RunHistory, RunRecord
from turnout.runs.runner import run_script
from turnout.runs.schedule import cron_trigger, install_instructions, schedule_script

logger = logging.getLogger(__name__)


def _echo(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(args: argparse.Namespace) -> int:
    """Dispatch one of the three run-history commands; returns the process exit code."""
    history = RunHistory()
    console = Console()
    if getattr(args, "verbose", False):
        os.environ[LOG_LEVEL_ENV] = "DEBUG"  # the child logs turnout's DEBUG lines too
    if args.command == "run":
        record = run_script(
            args.script, args=getattr(args, "args", None) or (), history=history, echo=_echo
        )
        console.print(_summary_line(record), highlight=False)
        return 0 if record.status == "succeeded" else 1
    if args.command == "schedule":
        try:
            cron_trigger(args.cron, getattr(args, "timezone", None))
        except ConfigurationError as error:
            logger.error("%s", error)
            return 2
        console.print(install_instructions(args.script, args.cron), highlight=False, markup=False)
        try:
            records = schedule_script(
                args.script,
                args.cron,
                max_runs=getattr(args, "max_runs", None),
                history=history,
                echo=_echo,
                timezone=getattr(args, "timezone", None),
            )
        except ConfigurationError as error:
            logger.error("%s", error)
            return 2
        except KeyboardInterrupt:
            logger.info("schedule stopped")
            return 0
        return 0 if all(r.status == "succeeded" for r in records) else 1
    if args.command == "runs":
        console.print(runs_table(history.recent(args.limit)))
        return 0
    return 2


def _summary_line(record: RunRecord) -> str:
    return (
        f"run {record.id} {record.status}: rows in {record.rows_in}, rows out {record.rows_out},"
        f" failures {record.failures}; log: {record.log_file}"
    )


def _short_time(stamp: str | None) -> str:
    """'2026-12-04T15:35:52+00:00' -> '2026-12-04 15:35:52' (the history keeps UTC)."""
    return (stamp or "").replace("T", " ").removesuffix("+00:00")


def _displayed_status(record: RunRecord) -> str:
    """`lost` for a run still marked running whose process is gone (its supervisor died)."""
    if record.status != "running" or record.pid is None:
        return record.status
    try:
        os.kill(record.pid, 0)
    except ProcessLookupError:
        return "lost"
    except PermissionError:  # alive, but someone else's
        return record.status
    return record.status


def runs_table(records: list[RunRecord]) -> RichTable:
    """A rich table of runs, newest first."""
    table = RichTable(title="turnout runs")
    for heading in ("id", "script", "start", "end", "status", "rows in", "rows out", "failures"):
        justify = "right" if heading in ("id", "rows in", "rows out", "failures") else "left"
        table.add_column(heading, justify=justify, no_wrap=heading in ("start", "end", "status"))
    table.add_column("log file", overflow="fold")
    styles = {
        "succeeded": "green",
        "failed": "red",
        "killed": "red",
        "lost": "red",
        "running": "yellow",
    }
    for record in records:
        status = _displayed_status(record)
        style = styles.get(status, "")
        table.add_row(
            str(record.id),
            record.script.rsplit("/", 1)[-1],
            _short_time(record.started_at),
            _short_time(record.ended_at),
            f"[{style}]{status}[/]" if style else status,
            str(record.rows_in),
            str(record.rows_out),
            str(record.failures),
            record.log_file or "",
        )
    return table
