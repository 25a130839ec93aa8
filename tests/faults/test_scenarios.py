"""Both example workflows under seeded random faults: nothing lost, nothing duplicated, the log
table complete. The quick variant runs in the normal suite; `--soak` runs the long one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.faults.scenarios import action_network_scenario, sheets_scenario
from tests.faults.workflows import ScenarioResult, load_example

QUICK_SEEDS = [1, 2, 3]
QUICK_PROBABILITY = 0.3


def assert_clean(result: ScenarioResult) -> None:
    assert result.faults.total() > 0, "the schedule injected no fault"
    assert (result.lost, result.duplicated, result.problems) == ([], [], []), result


@pytest.mark.parametrize("seed", QUICK_SEEDS)
def test_mobilize_to_action_network_under_random_faults(
    seed: int, postgres_url: str, pg_schema: str, tmp_path: Path
) -> None:
    result = action_network_scenario(
        seed,
        people=20,
        attendances=30,
        probability=QUICK_PROBABILITY,
        postgres_url=postgres_url,
        schema=pg_schema,
        work_dir=tmp_path,
    )

    assert result.records == 20
    assert_clean(result)


@pytest.mark.parametrize("seed", QUICK_SEEDS)
def test_mobilize_to_sheets_under_random_faults(
    seed: int, sheets_emulator: Any, sheets_keyfile: Path
) -> None:
    header = load_example("mobilize_to_sheets").COLUMNS
    result = sheets_scenario(
        seed,
        people=20,
        attendances=30,
        probability=QUICK_PROBABILITY,
        sheets_server=sheets_emulator,
        keyfile=sheets_keyfile,
        header=header,
    )

    assert result.records > 0
    assert_clean(result)
