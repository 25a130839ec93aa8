"""The `turnout` command: demo, run, schedule, runs, emulate.

The CLI is the only place that configures logging handlers (with the redacting filter);
library modules only log.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from rich.logging import RichHandler

from turnout.redaction import RedactingFilter

logger = logging.getLogger(__name__)


def _configure_logging(verbose: bool) -> None:
    handler = RichHandler(show_path=False, rich_tracebacks=False)
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("turnout").setLevel(logging.DEBUG if verbose else logging.INFO)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="turnout", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("demo", help="run both first workflows against local emulators")

    run = commands.add_parser("run", help="run a script once and record the run")
    run.add_argument("script")
    run.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script")

    schedule = commands.add_parser("schedule", help="run a script on a cron schedule")
    schedule.add_argument("script")
    schedule.add_argument(
        "--cron",
        required=True,
        help='a cron expression, e.g. "0 6 * * *" (a sixth field in front gives seconds)',
    )
    schedule.add_argument(
        "--max-runs", type=int, default=None, help="stop after this many runs (default: never)"
    )
    schedule.add_argument("--timezone", default=None, help="time zone of the cron expression")

    runs = commands.add_parser("runs", help="list past runs")
    runs.add_argument("--limit", type=int, default=20)

    emulate = commands.add_parser("emulate", help="serve an API emulator on loopback")
    emulate.add_argument("service", choices=["mobilize", "action_network", "google_sheets"])
    emulate.add_argument("--port", type=int, default=0)
    emulate.add_argument("--seed", type=int, default=0)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `turnout` console script."""
    args = _build_parser().parse_args(argv)
    _configure_logging(args.verbose)

    if args.command == "demo":
        from turnout.demo import run_demo

        return run_demo()
    if args.command in ("run", "schedule", "runs"):
        from turnout import runs as run_history

        return run_history.main(args)
    if args.command == "emulate":
        from turnout.emulators.serve import serve

        return serve(args.service, port=args.port, seed=args.seed)
    return 2


if __name__ == "__main__":
    sys.exit(main())
