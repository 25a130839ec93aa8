"""`run_script` and the run context: a real child process, a real SQLite history."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from turnout.runs import RunHistory, current_run, run_script
from turnout.runs.context import RUN_DB_ENV, RUN_ID_ENV

COUNTING_SCRIPT = """
import logging, os
from turnout.runs import current_run

logging.getLogger("people_sync").info("token is %s", os.environ["AN_API_TOKEN"])
print("printed token", os.environ["AN_API_TOKEN"])
current_run().add(rows_in=5, rows_out=3, failures=2)
current_run().add(rows_in=1, rows_out=1)
"""


@pytest.fixture
def history(tmp_path: Path) -> RunHistory:
    return RunHistory(tmp_path / "runs.sqlite")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_run_records_its_counts_and_a_redacted_log(
    tmp_path: Path, history: RunHistory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AN_API_TOKEN", "an-token-5f3e9a1c")
    script = write(tmp_path, "people_sync.py", COUNTING_SCRIPT)
    echoed: list[str] = []

    record = run_script(script, history=history, echo=echoed.append)

    assert (record.status, record.exit_code) == ("succeeded", 0)
    assert (record.rows_in, record.rows_out, record.failures) == (6, 4, 2)
    assert record.script == str(script.resolve())
    assert record.ended_at is not None and record.started_at <= record.ended_at
    log_text = Path(record.log_file or "").read_text()
    assert "an-token-5f3e9a1c" not in log_text
    assert "INFO people_sync: token is ***" in log_text
    assert "printed token ***" in log_text
    assert echoed == log_text.splitlines()
    assert Path(record.log_file or "").parent == tmp_path / "logs"
    assert history.recent() == [record]


def test_a_failing_script_is_recorded_as_failed_with_its_error_in_the_log(
    tmp_path: Path, history: RunHistory
) -> None:
    script = write(tmp_path, "broken.py", "raise RuntimeError('no such table people')\n")

    record = run_script(script, history=history)

    assert (record.status, record.exit_code) == ("failed", 1)
    log_text = Path(record.log_file or "").read_text()
    assert "the script failed: RuntimeError: no such table people" in log_text
    assert "Traceback (most recent call last)" in log_text


def test_a_script_killed_by_a_signal_is_recorded_as_killed(
    tmp_path: Path, history: RunHistory
) -> None:
    script = write(
        tmp_path,
        "killed.py",
        "import os, signal\n"
        "from turnout.runs import current_run\n"
        "current_run().add(rows_in=7)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n",
    )

    record = run_script(script, history=history)

    assert (record.status, record.exit_code) == ("killed", -signal.SIGKILL)
    assert record.rows_in == 7  # counts reported before the kill survive it


def test_script_arguments_and_exit_codes_pass_through(tmp_path: Path, history: RunHistory) -> None:
    script = write(tmp_path, "exits.py", "import sys\nsys.exit(int(sys.argv[1]))\n")

    assert run_script(script, args=["0"], history=history).status == "succeeded"
    failed = run_script(script, args=["3"], history=history)

    assert (failed.status, failed.exit_code) == ("failed", 3)
    assert [r.id for r in history.recent(limit=1)] == [failed.id]


def test_a_missing_script_is_refused_before_any_run_is_recorded(
    tmp_path: Path, history: RunHistory
) -> None:
    with pytest.raises(FileNotFoundError, match="no script at"):
        run_script(tmp_path / "nowhere.py", history=history)
    assert history.recent() == []


def test_outside_turnout_run_the_context_only_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(RUN_ID_ENV, raising=False)
    monkeypatch.delenv(RUN_DB_ENV, raising=False)

    # The context is per process: another test in this worker (a sync) may have counted
    # before, so this checks what this add() added.
    context = current_run()
    before = (context.rows_in, context.rows_out, context.failures)
    context.add(rows_in=2, failures=1)

    assert context.active is False
    after = (context.rows_in, context.rows_out, context.failures)
    assert tuple(b - a for a, b in zip(before, after, strict=True)) == (2, 0, 1)
    assert current_run() is context


def test_the_context_writes_to_the_history_named_in_the_environment(
    tmp_path: Path, history: RunHistory, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = history.start("inline.py")
    monkeypatch.setenv(RUN_ID_ENV, str(run_id))
    monkeypatch.setenv(RUN_DB_ENV, str(history.path))

    current_run().add(rows_in=10, rows_out=9, failures=1)

    stored = history.get(run_id)
    assert (stored.status, stored.rows_in, stored.rows_out, stored.failures) == (
        "running",
        10,
        9,
        1,
    )


def test_the_public_surface_of_turnout_runs() -> None:
    import turnout.runs

    assert turnout.runs.__all__ == [
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
