"""One fault scenario per workflow: emulators up, seeded random faults on, the workflow re-run
until clean, the destination compared with the source. Used by the quick tests and the soak."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.faults.workflows import (
    AN_TOKEN,
    FAST_RETRY,
    MOBILIZE_KEY,
    ORGANIZATION,
    READ_TIMEOUT,
    SHEETS_FAULT_KINDS,
    ScenarioResult,
    check_action_network,
    check_sheet,
    load_example,
    random_faults,
    raw_attendances,
    run_until_clean,
)
from turnout.emulators.action_network import API_PREFIX
from turnout.emulators.action_network import create_app as action_network_app
from turnout.emulators.base import EmulatorServer
from turnout.emulators.mobilize import create_app as mobilize_app
from turnout.emulators.mobilize.data import DEFAULT_EPOCH

TIMEOUT = (2.0, READ_TIMEOUT)


def start_mobilize(seed: int, **sizes: Any) -> EmulatorServer:
    return EmulatorServer(
        mobilize_app(
            seed=seed, api_keys=(MOBILIZE_KEY,), rate_limit=None, now=DEFAULT_EPOCH, **sizes
        )
    ).start()


def mobilize_connector(server: EmulatorServer, per_page: int = 7) -> Any:
    from turnout.connectors.mobilize import MobilizeAmerica

    return MobilizeAmerica(
        MOBILIZE_KEY,
        uri=f"{server.url}/v1/",
        per_page=per_page,
        rate_limit=None,
        retry=FAST_RETRY,
        timeout=TIMEOUT,
    )


def action_network_scenario(
    seed: int,
    *,
    people: int,
    attendances: int,
    probability: float,
    postgres_url: str,
    schema: str,
    work_dir: Path,
    max_runs: int = 12,
) -> ScenarioResult:
    """examples/mobilize_to_action_network.py on PostgreSQL under random Mobilize and Action
    Network faults."""
    from turnout.connectors.action_network import ActionNetwork
    from turnout.warehouse.postgres import Postgres

    example = load_example("mobilize_to_action_network")
    result = ScenarioResult("mobilize_to_action_network", seed)
    mobilize_server = start_mobilize(
        seed, organizations=1, events=4, people=people, attendances=attendances
    )
    an_server = EmulatorServer(
        action_network_app(seed=seed, token=AN_TOKEN, rate=None, people=5)
    ).start()
    warehouse = Postgres(url=postgres_url)
    try:
        people_before = an_server.app.person_count
        mobilize_server.app.faults = random_faults(seed * 2 + 1, probability)
        an_server.app.faults = random_faults(seed * 2 + 2, probability)
        mobilize = mobilize_connector(mobilize_server)
        action_network = ActionNetwork(
            AN_TOKEN,
            api_url=an_server.url + API_PREFIX,
            rate_limit=None,
            retry=FAST_RETRY,
            timeout=TIMEOUT,
        )

        def attempt() -> Any:
            return example.run(
                mobilize,
                action_network,
                warehouse,
                organization_id=ORGANIZATION,
                schema=schema,
                journal_path=work_dir / f"journal-{seed}.sqlite",
            )

        run_until_clean(attempt, result, max_runs)
        result.add_faults(mobilize_server.app.faults, an_server.app.faults)
        mobilize_server.app.faults.clear()
        an_server.app.faults.clear()
        check_action_network(result, mobilize_server, an_server, warehouse, schema, people_before)
    finally:
        warehouse.client.close()
        mobilize_server.stop()
        an_server.stop()
    return result


def sheets_scenario(
    seed: int,
    *,
    people: int,
    attendances: int,
    probability: float,
    sheets_server: EmulatorServer,
    keyfile: Path,
    header: list[str],
    max_runs: int = 12,
    sheets_kinds: tuple[str, ...] = SHEETS_FAULT_KINDS,
    warm_up: bool = False,
) -> ScenarioResult:
    """examples/mobilize_to_sheets.py under random Mobilize and Sheets faults.

    warm_up: fetch the OAuth token before the faults start (by default the token endpoint
    meets the faults too).
    """
    from turnout.connectors.google_sheets import GoogleSheets

    example = load_example("mobilize_to_sheets")
    result = ScenarioResult("mobilize_to_sheets", seed)
    mobilize_server = start_mobilize(
        seed, organizations=1, events=4, people=people, attendances=attendances
    )
    try:
        records = raw_attendances(mobilize_server)
        folder = sheets_server.app.create_folder(f"Organizers {seed}")
        mobilize = mobilize_connector(mobilize_server)
        google_sheets = GoogleSheets(
            str(keyfile),
            api_base_url=sheets_server.url,
            retry_policy=FAST_RETRY,
            timeout=READ_TIMEOUT,
        )
        if warm_up:
            google_sheets.list_worksheets(sheets_server.app.add_spreadsheet("warm-up"))
        mobilize_server.app.faults = random_faults(seed * 2 + 1, probability)
        sheets_server.app.faults = random_faults(seed * 2 + 2, probability, sheets_kinds)
        summaries: list[dict[str, Any]] = []

        def attempt() -> Any:
            summaries.append(
                example.run(mobilize, google_sheets, folder, organization_id=ORGANIZATION)
            )
            return summaries[-1]

        run_until_clean(attempt, result, max_runs)
        result.add_faults(mobilize_server.app.faults, sheets_server.app.faults)
        mobilize_server.app.faults.clear()
        sheets_server.app.faults.clear()
        if not summaries:
            result.lost.extend(a["id"] for a in records)
            result.problems.append(f"no clean run in {max_runs}")
            return result
        check_sheet(result, sheets_server, summaries[-1]["spreadsheet_id"], records, header)
    finally:
        mobilize_server.stop()
    return result


Scenario = Callable[..., ScenarioResult]
