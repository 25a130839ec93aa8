"""The process the crash tests kill: `python crash_child.py CONFIG.json`.

mode "workflow": run examples/mobilize_to_action_network.py against the emulators named in the
config; with `kill` = {"phase": extract|load|sync, "at": n}, SIGKILL this process at the n-th
Mobilize call (extract), inside the n-th warehouse bulk load before its commit (load), or just
after the n-th Action Network call returned (sync: the server has acted, the journal not).

mode "sheets": run examples/mobilize_to_sheets.py; `kill` = {"phase": extract|load, "at": n}
kills it just after the n-th Mobilize call, or the n-th Sheets/Drive call, returned.

mode "copy": copy a large generated Table over an existing warehouse table; inside the bulk
load (all rows sent, transaction open) print LOADING and wait to be killed by the parent.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def counting(wrapped: Any, at: int, *, before: bool) -> Any:
    """`wrapped`, killing the process at its `at`-th call (before it runs, or after)."""
    calls = 0

    def call(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if before and calls == at:
            die()
        result = wrapped(*args, **kwargs)
        if not before and calls == at:
            die()
        return result

    return call


def warehouse(config: dict[str, Any]) -> Any:
    if config["engine"] == "duckdb":
        from turnout.warehouse.duckdb import DuckDB

        return DuckDB(config["duckdb_path"])
    from turnout.warehouse.postgres import Postgres

    return Postgres(url=config["postgres_url"])


def load_example(name: str) -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    return example


def run_workflow(config: dict[str, Any]) -> None:
    from turnout.connectors.action_network import ActionNetwork
    from turnout.connectors.mobilize import MobilizeAmerica
    from turnout.http import RetryPolicy

    example = load_example("mobilize_to_action_network")

    retry = RetryPolicy(attempts=3, backoff=0.005, backoff_max=0.02, jitter=0.0)
    mobilize = MobilizeAmerica(
        config["mobilize_key"], uri=config["mobilize_url"], per_page=5, rate_limit=None, retry=retry
    )
    action_network = ActionNetwork(
        config["an_token"], api_url=config["an_url"], rate_limit=None, retry=retry
    )
    target = warehouse(config)

    kill = config.get("kill")
    if kill is not None:
        phase, at = kill["phase"], kill["at"]
        if phase == "extract":
            mobilize.client.send = counting(mobilize.client.send, at, before=False)
        elif phase == "sync":
            action_network.client.send = counting(action_network.client.send, at, before=False)
        else:  # load: the rows are in the open transaction when the process dies
            target._bulk_load = counting(target._bulk_load, at, before=False)

    summary = example.run(
        mobilize,
        action_network,
        target,
        organization_id=config["organization"],
        schema=config["schema"],
        journal_path=config["journal"],
    )
    print("SUMMARY " + json.dumps(summary.as_dict()), flush=True)


def run_sheets(config: dict[str, Any]) -> None:
    from turnout.connectors.google_sheets import GoogleSheets
    from turnout.connectors.mobilize import MobilizeAmerica
    from turnout.http import RetryPolicy

    example = load_example("mobilize_to_sheets")
    retry = RetryPolicy(attempts=3, backoff=0.005, backoff_max=0.02, jitter=0.0)
    mobilize = MobilizeAmerica(
        config["mobilize_key"], uri=config["mobilize_url"], per_page=5, rate_limit=None, retry=retry
    )
    google_sheets = GoogleSheets(
        config["keyfile"], api_base_url=config["sheets_url"], retry_policy=retry
    )
    kill = config["kill"]
    if kill["phase"] == "extract":
        mobilize.client.send = counting(mobilize.client.send, kill["at"], before=False)
    else:
        http = google_sheets.gspread_client.http_client
        http.request = counting(http.request, kill["at"], before=False)
    summary = example.run(
        mobilize, google_sheets, config["folder"], organization_id=config["organization"]
    )
    print("SUMMARY " + json.dumps(summary), flush=True)


def run_copy(config: dict[str, Any]) -> None:
    from turnout import Table

    target = warehouse(config)
    rows = config["rows"]
    table = Table.from_columns(
        {"id": list(range(rows)), "name": [f"new person {i}" for i in range(rows)]}
    )
    bulk_load = target._bulk_load

    def loading(*args: Any, **kwargs: Any) -> None:
        bulk_load(*args, **kwargs)
        print("LOADING", flush=True)
        time.sleep(60)  # the parent kills the process here, before the commit

    target._bulk_load = loading
    target.copy(table, config["table"], if_exists=config["if_exists"])
    print("COMMITTED", flush=True)


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    if config["mode"] == "workflow":
        run_workflow(config)
    elif config["mode"] == "sheets":
        run_sheets(config)
    else:
        run_copy(config)


if __name__ == "__main__":
    main()
