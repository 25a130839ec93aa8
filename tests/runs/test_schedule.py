"""Cron parsing, install instructions and a real, bounded schedule."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from turnout.errors import ConfigurationError
from turnout.runs import RunHistory, cron_trigger, install_instructions, schedule_script
from turnout.runs.schedule import systemd_calendar

UTC = ZoneInfo("UTC")
FRIDAY = datetime(2026, 12, 4, 15, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("cron", "next_fire"),
    [
        ("0 6 * * *", datetime(2026, 12, 5, 6, 0, tzinfo=UTC)),
        ("0 6 * * 1", datetime(2026, 12, 7, 6, 0, tzinfo=UTC)),  # crontab 1 = Monday
        ("30 2 * * 0", datetime(2026, 12, 6, 2, 30, tzinfo=UTC)),  # crontab 0 = Sunday
        ("30 2 * * 7", datetime(2026, 12, 6, 2, 30, tzinfo=UTC)),  # and so is 7
        ("0 9 * * 1-5", datetime(2026, 12, 7, 9, 0, tzinfo=UTC)),
        ("*/20 * * * *", datetime(2026, 12, 4, 15, 20, tzinfo=UTC)),
        ("15 * * * * *", datetime(2026, 12, 4, 15, 1, 15, tzinfo=UTC)),  # seconds first
    ],
)
def test_cron_expressions_fire_when_crontab_would(cron: str, next_fire: datetime) -> None:
    trigger = cron_trigger(cron, timezone="UTC")
    assert trigger.get_next_fire_time(None, FRIDAY) == next_fire


@pytest.mark.parametrize("cron", ["0 6 * *", "0 6 * * * * *", "61 * * * *", "0 6 * * 9"])
def test_a_bad_cron_expression_is_a_configuration_error_naming_it(cron: str) -> None:
    with pytest.raises(ConfigurationError, match="cron"):
        cron_trigger(cron)


@pytest.mark.parametrize(
    ("cron", "calendar"),
    [
        ("0 6 * * *", "*-*-* 06:00:00"),
        ("*/15 8-17 * * 1-5", "Mon,Tue,Wed,Thu,Fri *-*-* 8..17:0/15:00"),
        ("30 2 1 * *", "*-*-1 02:30:00"),
    ],
)
def test_systemd_calendar_matches_the_cron_expression(cron: str, calendar: str) -> None:
    assert systemd_calendar(cron) == calendar


def test_install_instructions_show_a_crontab_line_and_a_systemd_timer(tmp_path: Path) -> None:
    script = tmp_path / "sync.py"
    text = install_instructions(script, "0 6 * * *")
    assert (
        f"0 6 * * * {Path(__import__('sys').executable).with_name('turnout')} run {script}" in text
    )
    assert "OnCalendar=*-*-* 06:00:00" in text
    assert "systemctl --user enable --now turnout-sync.timer" in text


def test_a_schedule_firing_every_second_stops_after_max_runs(tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "runs.sqlite")
    script = tmp_path / "tick.py"
    script.write_text("from turnout.runs import current_run\ncurrent_run().add(rows_in=1)\n")

    records = schedule_script(script, "* * * * * *", max_runs=2, history=history)

    assert [(r.status, r.rows_in) for r in records] == [("succeeded", 1), ("succeeded", 1)]
    assert [r.id for r in history.recent()] == [records[1].id, records[0].id]
    assert records[0].started_at <= records[1].started_at


def test_max_runs_below_one_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="max_runs"):
        schedule_script(
            tmp_path / "x.py", "* * * * *", max_runs=0, history=RunHistory(tmp_path / "r")
        )


def test_scheduling_a_missing_script_is_refused_at_once(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no script at"):
        schedule_script(tmp_path / "gone.py", "* * * * * *", history=RunHistory(tmp_path / "r"))
