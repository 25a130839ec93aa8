"""The `turnout run`, `turnout schedule` and `turnout runs` commands, as a user types them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from turnout.runs import RunHistory
from turnout.runs.commands import runs_view
from turnout.runs.history import RunRecord
from turnout.runs.paths import HOME_ENV, RUNS_DB_ENV


def turnout(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "turnout.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (HOME_ENV, RUNS_DB_ENV)}
    env.update({HOME_ENV: str(tmp_path / "home"), "COLUMNS": "200"}, **extra)
    return env


def test_run_then_runs_lists_the_run(tmp_path: Path) -> None:
    script = tmp_path / "count.py"
    script.write_text(
        "from turnout.runs import current_run\n"
        "current_run().add(rows_in=4, rows_out=3, failures=1)\n"
    )
    env = environment(tmp_path)

    ran = turnout("run", str(script), env=env)
    listed = turnout("runs", env=env)

    assert ran.returncode == 0, ran.stderr
    assert "run 1 succeeded: rows in 4, rows out 3, failures 1" in ran.stdout
    history = RunHistory(tmp_path / "home" / "runs.sqlite")
    [record] = history.recent()
    assert (record.rows_in, record.rows_out, record.failures) == (4, 3, 1)
    assert listed.returncode == 0, listed.stderr
    [row] = [line for line in listed.stdout.splitlines() if "count.py" in line]
    cells = row.split()
    assert cells[:2] == ["1", "count.py"]
    assert cells[-4:] == ["succeeded", "4", "3", "1"]
    logs = tmp_path / "home" / "logs"
    assert f"log files in {logs}:" in listed.stdout
    assert f"  run 1: {Path(record.log_file or '').name}" in listed.stdout.splitlines()


def test_runs_is_readable_at_80_columns() -> None:
    logs = Path("/srv/turnout/logs")  # only displayed, never opened
    long_log = logs / "run-1234-20261204T153552Z-mobilize_to_action_network.log"
    records = [
        RunRecord(
            1234, "/home/me/scripts/mobilize_to_action_network.py", "2026-12-04T15:35:52+00:00",
            "2026-12-04T15:38:10+00:00", "succeeded", 0, 123456, 123400, 56, str(long_log), None,
        ),
        RunRecord(
            7, "/home/me/count.py", "2026-12-04T16:01:00+00:00", "2026-12-04T16:01:04+00:00",
            "failed", 1, 4, 3, 1, "/elsewhere/logs/run-7-20261204T160100Z-count.log", None,
        ),
    ]  # fmt: skip
    console = Console(width=80, record=True, color_system=None)

    console.print(runs_view(records, logs))

    lines = console.export_text().splitlines()
    assert max(len(line) for line in lines) <= 80
    rows = [line.split() for line in lines if line.strip().startswith(("1234 ", "7 "))]
    assert rows == [
        ["1234", "mobilize_to…", "2026-12-04", "15:35", "2m18s", "succeeded", "123456", "123400",
         "56"],
        ["7", "count.py", "2026-12-04", "16:01", "4s", "failed", "4", "3", "1"],
    ]  # fmt: skip
    assert lines[-3:] == [
        "log files in /srv/turnout/logs:",
        "  run 1234: run-1234-20261204T153552Z-mobilize_to_action_network.log",
        "  run 7: /elsewhere/logs/run-7-20261204T160100Z-count.log",
    ]


def test_a_failing_run_exits_non_zero_and_turnout_runs_db_moves_the_history(
    tmp_path: Path,
) -> None:
    script = tmp_path / "fails.py"
    script.write_text("import sys\nsys.exit(4)\n")
    env = environment(tmp_path, **{RUNS_DB_ENV: str(tmp_path / "elsewhere" / "history.db")})

    ran = turnout("run", str(script), env=env)

    assert ran.returncode == 1
    [record] = RunHistory(tmp_path / "elsewhere" / "history.db").recent()
    assert (record.status, record.exit_code) == ("failed", 4)
    assert Path(record.log_file or "").parent == tmp_path / "elsewhere" / "logs"
    assert not (tmp_path / "home" / "runs.sqlite").exists()


def test_schedule_prints_how_to_install_it_and_stops_after_max_runs(tmp_path: Path) -> None:
    script = tmp_path / "tick.py"
    script.write_text("print('tick')\n")
    env = environment(tmp_path)

    scheduled = turnout(
        "schedule", str(script), "--cron", "* * * * * *", "--max-runs", "2", env=env
    )

    assert scheduled.returncode == 0, scheduled.stderr
    assert "crontab -e" in scheduled.stdout
    assert f"* * * * * {Path(sys.executable).with_name('turnout')} run {script}" in scheduled.stdout
    assert [line for line in scheduled.stdout.splitlines() if line == "tick"] == ["tick", "tick"]
    statuses = [r.status for r in RunHistory(tmp_path / "home" / "runs.sqlite").recent()]
    assert statuses == ["succeeded", "succeeded"]


def test_schedule_with_a_bad_cron_exits_2_naming_the_expression(tmp_path: Path) -> None:
    script = tmp_path / "tick.py"
    script.write_text("print('tick')\n")

    scheduled = turnout("schedule", str(script), "--cron", "0 6 * *", env=environment(tmp_path))

    assert scheduled.returncode == 2
    assert "'0 6 * *'" in scheduled.stdout + scheduled.stderr


def test_verbose_run_passes_turnout_debug_lines_into_the_log(tmp_path: Path) -> None:
    script = tmp_path / "chatty.py"
    script.write_text(
        "import logging\n"
        "logging.getLogger('turnout.connectors.demo').debug('GET /people 200 in 0.01 s')\n"
        "logging.getLogger('other.library').debug('not this one')\n"
    )
    env = environment(tmp_path)

    quiet = turnout("run", str(script), env=env)
    verbose = turnout("-v", "run", str(script), env=env)

    assert quiet.returncode == verbose.returncode == 0
    quiet_log, verbose_log = (
        Path(r.log_file or "").read_text()
        for r in reversed(RunHistory(tmp_path / "home" / "runs.sqlite").recent())
    )
    assert "GET /people 200" not in quiet_log
    assert "DEBUG turnout.connectors.demo: GET /people 200 in 0.01 s" in verbose_log
    assert "not this one" not in verbose_log
