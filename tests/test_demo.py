"""`turnout demo` end to end: both workflows against the emulators, with exact outcomes."""

import io

from rich.console import Console

from turnout.demo import run_demo


def test_demo_runs_both_workflows() -> None:
    out = io.StringIO()
    code = run_demo(Console(file=out, width=200, color_system=None))
    text = out.getvalue()

    assert code == 0
    assert "Workflow 1: Mobilize -> transform -> Google Sheets" in text
    assert "Volunteer Attendance Records" in text
    assert "run 1 synced 75 people; the emulator refused 2 sign-ups (80003, 80004)." in text
    assert "run 2 found 2 people without a success row in the log (nobody new)" in text
    assert "retried them and synced 2." in text
    assert "Action Network now holds 107 people (seeded ones included)." in text
    assert text.rstrip().endswith("demo finished")


def test_cli_demo_subcommand_exits_zero() -> None:
    from turnout.cli import main

    assert main(["demo"]) == 0
