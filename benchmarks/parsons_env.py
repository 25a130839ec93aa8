"""Shared by the benchmark scripts: a throwaway venv with Parsons 6.1.0, and fresh-process runs.

`parsons_python()` creates `benchmarks/.work/parsons-6.1.0/` (git-ignored) on first use and
installs `parsons==6.1.0` into it with pip; later calls reuse it. `run_snippet()` runs a piece
of Python in a new interpreter: the `setup` code first (not timed), then the `work` code, timed
with a monotonic clock inside the child. The peak resident memory is the child's own
`ru_maxrss`, read from `wait4` when it exits, so it covers setup and work together.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
from dataclasses import dataclass
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
WORK = BENCHMARKS / ".work"
PARSONS_VERSION = "6.1.0"
PARSONS_VENV = WORK / f"parsons-{PARSONS_VERSION}"

_RESULT_MARK = "__BENCHMARK_RESULT__ "


@dataclass
class Measurement:
    """One workload run in a fresh process."""

    seconds: float
    peak_rss_mb: float
    output: dict


class SnippetError(RuntimeError):
    """The child process failed; the message holds its stderr."""


def parsons_python() -> str:
    """The interpreter of the Parsons venv, created and filled by pip on first use."""
    python = PARSONS_VENV / "bin" / "python"
    marker = PARSONS_VENV / ".installed"
    if python.exists() and marker.exists():
        return str(python)
    WORK.mkdir(parents=True, exist_ok=True)
    print(f"creating {PARSONS_VENV} with parsons=={PARSONS_VERSION} (first run only)...")
    subprocess.run([sys.executable, "-m", "venv", str(PARSONS_VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", f"parsons=={PARSONS_VERSION}"],
        check=True,
    )
    marker.write_text(PARSONS_VERSION)
    return str(python)


def _child_program(setup: str, work: str) -> str:
    return "\n".join(
        [
            "import json as _json, time as _time, warnings as _warnings",
            "_warnings.simplefilter('ignore')",
            "result = {}",
            textwrap.dedent(setup),
            "_start = _time.perf_counter()",
            textwrap.dedent(work),
            "_seconds = _time.perf_counter() - _start",
            f"print({_RESULT_MARK!r} + _json.dumps({{'seconds': _seconds, 'result': result}}))",
        ]
    )


def run_snippet(
    python: str, setup: str, work: str, *, env: dict[str, str] | None = None, timeout: float = 1800
) -> Measurement:
    """Run `setup` then the timed `work` in a fresh `python`; `work` may fill a dict `result`."""
    program = _child_program(setup, work)
    child_env = {**os.environ, **(env or {})}
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(
            [python, "-c", program],
            stdout=stdout,
            stderr=stderr,
            text=True,
            env=child_env,
            cwd=str(BENCHMARKS.parent),
        )
        # Kill the child (only this pid) if it runs past the timeout.
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        out, err = stdout.read(), stderr.read()

    if process.returncode != 0:
        raise SnippetError(f"exit {process.returncode}: {err.strip()[-3000:]}")
    line = next((text for text in out.splitlines() if text.startswith(_RESULT_MARK)), None)
    if line is None:
        raise SnippetError(f"no result line; stdout ends {out[-500:]!r}")
    payload = json.loads(line[len(_RESULT_MARK) :])
    # ru_maxrss is in kilobytes on Linux.
    return Measurement(payload["seconds"], usage.ru_maxrss / 1024, payload["result"])
