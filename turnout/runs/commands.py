"""The handlers of `turnout run`, `turnout schedule` and `turnout runs`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import datetime
from pathlib import Path

from rich import box
from rich.console import Console, Group
from rich.table import Table as RichTable
from rich.text import Text

from turnout.errors import ConfigurationError
from turnout.runs.child import LOG_LEVEL_ENV
from turnout.runs.history import RunHistory, RunRecord
from turnout.runs.paths import logs_dir
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
        console.print(runs_view(history.recent(args.limit), logs_dir(history.path)))
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


def runs_view(records: list[RunRecord], logs: Path | None = None) -> Group:
    """What `turnout runs` prints: the table of runs, then each run's log file on a line of
    its own (a path folded inside a table cell cannot be copied), by file name when it lies in
    `logs`, the run history's log directory."""
    lines = [Text(f"log files in {logs}:" if logs is not None else "log files:")]
    for record in records:
        if record.log_file:
            lines.append(Text(f"  run {record.id}: {_shown_log(record.log_file, logs)}"))
    return Group(runs_table(records), *(lines if len(lines) > 1 else []))


def runs_table(records: list[RunRecord]) -> RichTable:
    """A rich table of runs, newest first, readable at 80 columns: only the script name
    shortens (with an ellipsis), every other cell stays whole; the end shows as a duration."""
    table = RichTable(
        title="turnout runs", box=box.SIMPLE_HEAD, show_edge=False, collapse_padding=True
    )
    table.add_column("id", justify="right", no_wrap=True, min_width=2)
    table.add_column("script", overflow="ellipsis", min_width=10, max_width=32)
    table.add_column("started (UTC)", no_wrap=True, min_width=16)
    table.add_column("took", justify="right", no_wrap=True, min_width=4)
    table.add_column("status", no_wrap=True, min_width=9)
    for heading in ("in", "out", "failed"):
        table.add_column(heading, justify="right", no_wrap=True, min_width=len(heading))
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
            _short_time(record.started_at)[:16],
            _duration(record.started_at, record.ended_at),
            f"[{style}]{status}[/]" if style else status,
            str(record.rows_in),
            str(record.rows_out),
            str(record.failures),
        )
    return table


def _duration(started: str | None, ended: str | None) -> str:
    """'4s', '2m05s', '1h02m' between two ISO stamps; '' while a run has not ended."""
    if not started or not ended:
        return ""
    try:
        seconds = round(
            (datetime.fromisoformat(ended) - datetime.fromisoformat(started)).total_seconds()
        )
    except ValueError:
        return ""
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def _shown_log(log_file: str | None, logs: Path | None) -> str:
    """A log file's name when it lies in `logs`, else its whole path."""
    if not log_file:
        return ""
    path = Path(log_file)
    if logs is not None and path.parent == logs:
        return path.name
    return log_file
