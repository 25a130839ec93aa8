"""The long fault soak: both workflows, seed after seed, until at least 1,000 faults were
injected. Run it with

    python -m pytest tests/faults/test_soak.py --soak -s -p no:cacheprovider

It prints its figures (and writes them as JSON to $TURNOUT_SOAK_REPORT when set); the last
figures are in tests/faults/RESULTS.md.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.faults.scenarios import action_network_scenario, sheets_scenario
from tests.faults.workflows import ScenarioResult, load_example
from tests.fixtures.postgres import unique_schema_name
from turnout.emulators.base import EmulatorServer
from turnout.emulators.google_sheets import (
    create_app,
    generate_private_key,
    public_key_pem,
    service_account_info,
)
from turnout.warehouse.identifiers import quote_identifier

MIN_FAULTS = 1_000
MAX_SEEDS = 200
PROBABILITY = 0.25
FIRST_SEED = 1000


def _action_network(seed: int, postgres_url: str, work_dir: Path) -> ScenarioResult:
    schema = unique_schema_name("soak")
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {quote_identifier(schema)}")
    try:
        return action_network_scenario(
            seed,
            people=40,
            attendances=60,
            probability=PROBABILITY,
            postgres_url=postgres_url,
            schema=schema,
            work_dir=work_dir,
        )
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {quote_identifier(schema)} CASCADE")


def _sheets(seed: int, private_key: Any, work_dir: Path, header: list[str]) -> ScenarioResult:
    server = EmulatorServer(create_app(seed=seed)).start()
    try:
        info = service_account_info(server.url, private_key=private_key)
        server.app.register_service_account(info["client_email"], public_key_pem(info))
        keyfile = work_dir / f"key-{seed}.json"
        keyfile.write_text(json.dumps(info), encoding="utf-8")
        return sheets_scenario(
            seed,
            people=40,
            attendances=80,
            probability=PROBABILITY,
            sheets_server=server,
            keyfile=keyfile,
            header=header,
        )
    finally:
        server.stop()


def figures(results: list[ScenarioResult]) -> dict[str, Any]:
    """The soak's totals, overall and by workflow."""
    report: dict[str, Any] = {}
    for workflow in [*sorted({r.workflow for r in results}), "all"]:
        chosen = [r for r in results if workflow in ("all", r.workflow)]
        faults: Counter[str] = Counter()
        details: Counter[str] = Counter()
        errors: Counter[str] = Counter()
        for r in chosen:
            faults.update(r.faults)
            details.update(r.fault_details)
            errors.update(r.errors)
        report[workflow] = {
            "scenarios": len(chosen),
            "runs": sum(r.runs for r in chosen),
            "failed_runs": sum(r.failed_runs for r in chosen),
            "records": sum(r.records for r in chosen),
            "lost": sum(len(r.lost) for r in chosen),
            "duplicated": sum(len(r.duplicated) for r in chosen),
            "problems": sum(len(r.problems) for r in chosen),
            "leftover_spreadsheets": sum(r.leftover_spreadsheets for r in chosen),
            "faults_injected": faults.total(),
            "faults_by_kind": dict(sorted(faults.items())),
            "rate_limits_and_server_errors": dict(sorted(details.items())),
            "failed_run_errors": dict(sorted(errors.items())),
        }
    return report


@pytest.mark.soak
def test_soak_both_workflows_lose_and_duplicate_nothing(postgres_url: str, tmp_path: Path) -> None:
    private_key = generate_private_key()
    header = load_example("mobilize_to_sheets").COLUMNS
    results: list[ScenarioResult] = []
    seed = FIRST_SEED
    while sum(r.faults.total() for r in results) < MIN_FAULTS and seed < FIRST_SEED + MAX_SEEDS:
        results.append(_action_network(seed, postgres_url, tmp_path))
        results.append(_sheets(seed, private_key, tmp_path, header))
        seed += 1

    report = figures(results)
    text = json.dumps(report, indent=2)
    print(text)
    if os.environ.get("TURNOUT_SOAK_REPORT"):
        Path(os.environ["TURNOUT_SOAK_REPORT"]).write_text(text, encoding="utf-8")
    bad = [r for r in results if r.lost or r.duplicated or r.problems]
    assert report["all"]["faults_injected"] >= MIN_FAULTS
    assert (report["all"]["lost"], report["all"]["duplicated"], bad) == (0, 0, [])
