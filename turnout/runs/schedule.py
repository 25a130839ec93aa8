"""`turnout schedule SCRIPT --cron EXPR`: run a script on a cron schedule, in the foreground.

APScheduler 3's CronTrigger fires the runs; each run goes through `run_script`, so it is
recorded like any `turnout run`. A cron expression has the usual five fields (minute hour day
month weekday, weekday 0 or 7 = Sunday as in crontab); a sixth field in front gives seconds.
"""

from __future__ import annotations

import logging
import shlex
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from turnout.errors import ConfigurationError
from turnout.runs.history import RunHistory, RunRecord
from turnout.runs.runner import run_script

logger = logging.getLogger(__name__)

_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def cron_trigger(expression: str, timezone: str | None = None) -> CronTrigger:
    """A CronTrigger from a crontab expression (5 fields, or 6 with seconds first).

    APScheduler numbers weekdays from Monday = 0, crontab from Sunday = 0; numeric weekdays are
    translated to names so "0 6 * * 1" means Monday, as it does under cron.
    """
    fields = expression.split()
    if len(fields) not in (5, 6):
        raise ConfigurationError(
            f"cron expression {expression!r} must have 5 fields (minute hour day month weekday)"
            " or 6 (second first)"
        )
    second = fields[0] if len(fields) == 6 else "0"
    minute, hour, day, month, weekday = fields[-5:]
    try:
        return CronTrigger(
            second=second,
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=_crontab_weekdays(weekday),
            timezone=timezone,
        )
    except ValueError as error:
        raise ConfigurationError(f"cron expression {expression!r}: {error}") from error


def _crontab_weekdays(field: str) -> str:
    """Translate a crontab weekday field to APScheduler's names (Sunday = 0 or 7)."""
    if field == "*" or any(c.isalpha() for c in field):
        return field
    days: set[int] = set()
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if span == "*":
            low, high = 0, 6
        elif "-" in span:
            low_text, high_text = span.split("-", 1)
            low, high = int(low_text), int(high_text)
        else:
            low = high = int(span)
        if not (0 <= low <= 7 and 0 <= high <= 7 and low <= high and step > 0):
            raise ConfigurationError(f"cron weekday field {field!r} is out of range 0-7")
        days.update(day % 7 for day in range(low, high + 1, step))
    return ",".join(_WEEKDAYS[day] for day in sorted(days))


def install_instructions(script: str | Path, cron: str) -> str:
    """How to run the same schedule under cron or systemd instead of a foreground process."""
    script_path = Path(script).resolve()
    turnout = shlex.quote(str(Path(sys.executable).with_name("turnout")))
    run = f"{turnout} run {shlex.quote(str(script_path))}"
    fields = cron.split()
    crontab = " ".join(fields[-5:])
    name = script_path.stem
    return "\n".join(
        [
            "To run this schedule without a foreground process, either add to `crontab -e`:",
            f"    {crontab} {run}",
            f"or create ~/.config/systemd/user/turnout-{name}.service:",
            "    [Service]",
            "    Type=oneshot",
            f"    ExecStart={run}",
            f"and ~/.config/systemd/user/turnout-{name}.timer:",
            "    [Timer]",
            f"    OnCalendar={systemd_calendar(cron)}",
            "    Persistent=true",
            "    [Install]",
            "    WantedBy=timers.target",
            f"then: systemctl --user enable --now turnout-{name}.timer",
        ]
    )


def systemd_calendar(cron: str) -> str:
    """The systemd OnCalendar= form of a cron expression (5 fields, or 6 with seconds first)."""
    fields = cron.split()
    second = fields[0] if len(fields) == 6 else "0"
    minute, hour, day, month, weekday = fields[-5:]

    def part(field: str, start: int) -> str:
        field = field.replace("-", "..")
        if field.startswith("*/"):
            return f"{start}/{field[2:]}"
        return field

    weekdays = _crontab_weekdays(weekday)
    days = "" if weekdays == "*" else weekdays.replace("-", "..").title() + " "
    return (
        f"{days}*-{part(month, 1)}-{part(day, 1)} "
        f"{_two(part(hour, 0))}:{_two(part(minute, 0))}:{_two(part(second, 0))}"
    )


def _two(field: str) -> str:
    return field.zfill(2) if field.isdigit() else field


def schedule_script(
    script: str | Path,
    cron: str,
    *,
    max_runs: int | None = None,
    history: RunHistory | None = None,
    echo: Callable[[str], None] | None = None,
    timezone: str | None = None,
) -> list[RunRecord]:
    """Run `script` whenever `cron` fires, until interrupted or `max_runs` runs have ended.

    Runs never overlap: a firing while the previous run is still going is skipped. Returns the
    records of the runs made.
    """
    trigger = cron_trigger(cron, timezone)
    history = history or RunHistory()
    if max_runs is not None and max_runs < 1:
        raise ConfigurationError(f"max_runs must be at least 1, not {max_runs}")

    if not Path(script).is_file():
        raise FileNotFoundError(f"no script at {Path(script).resolve()}")

    records: list[RunRecord] = []
    attempts = 0
    finished = threading.Event()

    def one_run() -> None:
        nonlocal attempts
        attempts += 1
        try:
            records.append(run_script(script, history=history, echo=echo))
        except OSError as error:  # the script vanished, the disk is full: log, keep the schedule
            logger.error("scheduled run of %s could not start: %s", script, error)
        if max_runs is not None and attempts >= max_runs:
            finished.set()

    scheduler = BackgroundScheduler(timezone=timezone) if timezone else BackgroundScheduler()
    scheduler.add_job(
        one_run, trigger, id="turnout-run", max_instances=1, coalesce=True, misfire_grace_time=30
    )
    scheduler.start()
    job = scheduler.get_job("turnout-run")
    logger.info(
        "scheduled %s on %r; next run at %s", script, cron, job.next_run_time if job else "?"
    )
    try:
        while not finished.wait(timeout=0.5):
            pass
    finally:
        scheduler.shutdown(wait=True)
    return records
