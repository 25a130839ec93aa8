"""The process `turnout run` starts: configure logging, then run the script as `__main__`.

`python -m turnout.runs.child SCRIPT [ARGS...]`. Logging goes to stderr through the redacting
filter; the supervising process copies that stream into the run's log file. An uncaught
exception is logged (redacted) by the excepthook, and the exit code tells the supervisor how
the run ended.
"""

from __future__ import annotations

import logging
import os
import runpy
import sys
from types import TracebackType

from turnout.redaction import RedactingFilter

logger = logging.getLogger("turnout.runs")

LOG_LEVEL_ENV = "TURNOUT_LOG_LEVEL"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging() -> None:
    """INFO and above from every logger to stderr, secrets redacted (turnout's DEBUG lines
    too when `turnout -v run` set TURNOUT_LOG_LEVEL=DEBUG)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    if os.environ.get(LOG_LEVEL_ENV, "").upper() == "DEBUG":
        logging.getLogger("turnout").setLevel(logging.DEBUG)


def _log_uncaught(
    kind: type[BaseException], error: BaseException, traceback: TracebackType | None
) -> None:
    logger.error(
        "the script failed: %s: %s", kind.__name__, error, exc_info=(kind, error, traceback)
    )


def main(argv: list[str]) -> None:
    if not argv:
        raise SystemExit("usage: python -m turnout.runs.child SCRIPT [ARGS...]")
    configure_logging()
    sys.excepthook = _log_uncaught
    sys.argv = list(argv)
    runpy.run_path(argv[0], run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
