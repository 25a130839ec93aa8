"""The run history file and the `turnout runs` table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rich.console import Console

from turnout.runs import RunHistory
from turnout.runs.commands import runs_view


def render(history: RunHistory) -> str:
    console = Console(width=200, record=True, force_terminal=False)
    console.print(runs_view(history.recent(), Path("/logs")))
    return console.export_text()


def table_rows(text: str) -> list[list[str]]:
    """The table's data rows, split on whitespace (a row starts with its run id)."""
    return [line.split() for line in text.splitlines() if line.strip()[:1].isdigit()]


def test_runs_are_listed_newest_first_with_their_counts(tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "runs.sqlite")
    first = history.start("/jobs/daily_sync.py", log_file="/logs/run-1.log")
    history.add_counts(first, rows_in=40, rows_out=38, failures=2)
    history.finish(first, status="succeeded", exit_code=0)
    second = history.start("/jobs/weekly.py", log_file="/logs/run-2.log")
    history.finish(second, status="failed", exit_code=1)

    text = render(history)
    rows = table_rows(text)

    assert [row[0:2] + row[-4:] for row in rows] == [
        ["2", "weekly.py", "failed", "0", "0", "0"],
        ["1", "daily_sync.py", "succeeded", "40", "38", "2"],
    ]
    assert " ".join(rows[1][2:4]) == history.get(first).started_at.replace("T", " ")[:16]
    assert text.splitlines()[-3:] == [
        "log files in /logs:",
        "  run 2: run-2.log",
        "  run 1: run-1.log",
    ]


def test_a_run_whose_process_is_gone_shows_as_lost(tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "runs.sqlite")
    finished_child = subprocess.Popen([sys.executable, "-c", "pass"])
    finished_child.wait()
    history.start("/jobs/orphan.py", pid=finished_child.pid)

    [row] = table_rows(render(history))

    assert (row[1], row[-4]) == ("orphan.py", "lost")
    assert history.recent()[0].status == "running"  # the file itself is not rewritten
