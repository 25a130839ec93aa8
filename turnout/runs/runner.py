"""`turnout run SCRIPT`: run a script once in a child process and record the run.

The child is `python -m turnout.runs.child SCRIPT`, so a script that crashes, exits non-zero or
is killed cannot take the record of its own run with it. Every line the child writes goes,
redacted, into the run's log file and, when asked, to the console.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from turnout.redaction import redact, register_secret
from turnout.runs.context import RUN_DB_ENV, RUN_ID_ENV
from turnout.runs.history import RunHistory, RunRecord
from turnout.runs.paths import logs_dir

logger = logging.getLogger(__name__)

# Environment variables whose values are credentials: registered as secrets in the supervisor
# too, so a line the script prints without logging is still redacted in the log file.
_SECRET_ENV = re.compile(r"(TOKEN|API_KEY|PASSWORD|SECRET|CREDENTIALS)", re.IGNORECASE)


def run_script(
    script: str | Path,
    *,
    args: Sequence[str] = (),
    history: RunHistory | None = None,
    echo: Callable[[str], None] | None = None,
    env: dict[str, str] | None = None,
) -> RunRecord:
    """Run `script` once in a child Python process; record start, end, status and log file.

    Returns the finished run's record: status `succeeded` (exit code 0), `failed` (non-zero) or
    `killed` (ended by a signal; exit_code is minus the signal number).
    """
    history = history or RunHistory()
    script_path = Path(script).resolve()
    if not script_path.is_file():
        raise FileNotFoundError(f"no script at {script_path}")

    run_id = history.start(str(script_path))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    log_file = logs_dir(history.path) / f"run-{run_id}-{stamp}-{script_path.stem}.log"
    history.set_log_file(run_id, str(log_file))

    child_env = dict(os.environ if env is None else env)
    child_env[RUN_ID_ENV] = str(run_id)
    child_env[RUN_DB_ENV] = str(history.path)
    child_env.setdefault("PYTHONUNBUFFERED", "1")
    for name, value in child_env.items():
        if _SECRET_ENV.search(name):
            register_secret(value)

    command = [sys.executable, "-m", "turnout.runs.child", str(script_path), *args]
    logger.info("run %s: %s (log: %s)", run_id, script_path, log_file)
    exit_code = _supervise(command, child_env, log_file, history, run_id, echo)

    status = "succeeded" if exit_code == 0 else "killed" if exit_code < 0 else "failed"
    history.finish(run_id, status=status, exit_code=exit_code)
    record = history.get(run_id)
    logger.info(
        "run %s %s: rows in %s, rows out %s, failures %s",
        run_id,
        status,
        record.rows_in,
        record.rows_out,
        record.failures,
    )
    return record


def _supervise(
    command: list[str],
    env: dict[str, str],
    log_file: Path,
    history: RunHistory,
    run_id: int,
    echo: Callable[[str], None] | None,
) -> int:
    with (
        log_file.open("w", encoding="utf-8") as log,
        subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            errors="replace",
        ) as child,
    ):
        history.set_pid(run_id, child.pid)
        assert child.stdout is not None
        try:
            for line in child.stdout:
                clean = redact(line)
                log.write(clean)
                log.flush()
                if echo is not None:
                    echo(clean.rstrip("\n"))
            return child.wait()
        except KeyboardInterrupt:
            # Ctrl-C reaches the child too (same process group); give it a moment to stop.
            child.send_signal(signal.SIGINT)
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            history.finish(run_id, status="interrupted", exit_code=child.returncode)
            raise
