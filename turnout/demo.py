"""`turnout demo`: both first workflows, end to end, against local emulators and DuckDB.

It starts the Mobilize, Google Sheets/Drive and Action Network emulators on free loopback
ports, then runs the two example scripts from `examples/` exactly as a user would run them
against the real services, only with base URLs pointed at the emulators:

1. Mobilize -> transform -> Google Sheets (`examples/mobilize_to_sheets.py`).
2. Mobilize -> DuckDB -> SQL -> Action Network with a log table
   (`examples/mobilize_to_action_network.py`), twice: the Action Network emulator refuses two
   sign-ups in the first run, and the second run retries just those two and syncs nobody new.

Everything it writes lives in a temporary directory that is removed at the end.
"""

from __future__ import annotations

import importlib.util
import logging
import tempfile
from contextlib import ExitStack
from pathlib import Path
from types import ModuleType
from typing import Any

from rich.console import Console
from rich.table import Table as RichTable

from turnout.errors import ConfigurationError

logger = logging.getLogger(__name__)

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
DEMO_ORGANIZATION_ID = 101
# The emulator refuses the third and fourth sign-ups of the first run with a 422.
INJECTED_FAILURES = 2


def load_example(name: str) -> ModuleType:
    """Import `examples/<name>.py` by path (the examples are scripts, not a package)."""
    path = EXAMPLES_DIR / f"{name}.py"
    if not path.exists():
        raise ConfigurationError(
            f"example script {path.name} not found in {EXAMPLES_DIR}; `turnout demo` runs "
            "from a source checkout installed with `pip install -e .`"
        )
    spec = importlib.util.spec_from_file_location(f"turnout_example_{name}", path)
    if spec is None or spec.loader is None:
        raise ConfigurationError(f"cannot load example script {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_demo(console: Console | None = None) -> int:
    """Run both workflows and print what they wrote; returns the process exit code."""
    console = console or Console()
    with tempfile.TemporaryDirectory(prefix="turnout-demo-") as workdir, ExitStack() as stack:
        servers = _start_emulators(stack)
        for name, server in servers.items():
            console.print(f"[dim]{name} emulator on {server.url}[/dim]")

        console.rule("Workflow 1: Mobilize -> transform -> Google Sheets")
        sheets_summary = _workflow_sheets(servers, Path(workdir))
        _print_sheets_summary(console, sheets_summary)

        console.rule("Workflow 2: Mobilize -> DuckDB -> SQL -> Action Network")
        runs = _workflow_action_network(servers, Path(workdir))
        _print_sync_summaries(console, runs, servers["action_network"])
    console.print("[bold green]demo finished[/bold green]")
    return 0


def _start_emulators(stack: ExitStack) -> dict[str, Any]:
    from turnout.emulators.action_network import create_app as action_network_app
    from turnout.emulators.base import EmulatorServer
    from turnout.emulators.google_sheets import create_app as sheets_app
    from turnout.emulators.mobilize import create_app as mobilize_app

    apps = {
        "mobilize": mobilize_app(seed=0, attendances=200, people=80),
        "google_sheets": sheets_app(seed=0),
        # Faster than the real 4 requests/second so the demo takes seconds, not minutes; the
        # connector below is told the same limit, so it still never sees a 429.
        "action_network": action_network_app(seed=0, rate=25.0),
    }
    servers = {}
    for name, app in apps.items():
        server = EmulatorServer(app).start()
        stack.callback(server.stop)
        servers[name] = server
    return servers


def _mobilize(servers: dict[str, Any]) -> Any:
    from turnout.connectors.mobilize import MobilizeAmerica
    from turnout.emulators.mobilize import DEFAULT_API_KEY

    return MobilizeAmerica(
        DEFAULT_API_KEY,
        organization_id=DEMO_ORGANIZATION_ID,
        uri=servers["mobilize"].url + "/v1/",
        per_page=100,
    )


def _workflow_sheets(servers: dict[str, Any], workdir: Path) -> dict[str, Any]:
    from turnout.connectors.google_sheets import GoogleSheets
    from turnout.emulators.google_sheets import write_keyfile

    example = load_example("mobilize_to_sheets")
    sheets_server = servers["google_sheets"]
    keyfile = workdir / "service-account.json"
    write_keyfile(keyfile, sheets_server.url)
    folder_id = sheets_server.app.create_folder("Organizers")

    google_sheets = GoogleSheets(str(keyfile), api_base_url=sheets_server.url)
    return example.run(_mobilize(servers), google_sheets, folder_id)


def _workflow_action_network(servers: dict[str, Any], workdir: Path) -> list[Any]:
    from turnout.connectors.action_network import ActionNetwork
    from turnout.emulators.action_network import DEFAULT_TOKEN
    from turnout.warehouse.duckdb import DuckDB

    example = load_example("mobilize_to_action_network")
    action_network_server = servers["action_network"]
    action_network_server.app.faults.inject(
        "server_error",
        count=INJECTED_FAILURES,
        after=2,
        status=422,
        path_contains="/people",
        methods=["POST"],
    )
    action_network = ActionNetwork(
        DEFAULT_TOKEN, api_url=action_network_server.url + "/api/v2", rate_limit=20.0
    )
    warehouse = DuckDB(workdir / "warehouse.duckdb")
    journal = workdir / "sync-journal.sqlite"

    runs = []
    for _ in range(2):
        runs.append(
            example.run(_mobilize(servers), action_network, warehouse, journal_path=journal)
        )
    return runs


def _print_sheets_summary(console: Console, summary: dict[str, Any]) -> None:
    console.print(
        f"spreadsheet [bold]{summary['spreadsheet_name']}[/bold] ({summary['spreadsheet_id']})"
    )
    tabs = RichTable("tab", "rows written", title="Rows per tab")
    for tab, rows in summary["rows_per_tab"].items():
        tabs.add_row(tab, str(rows))
    console.print(tabs)

    months = RichTable("month", "attendances", title="Attendances per month")
    for month, rows in summary["rows_per_month"].items():
        months.add_row(month, str(rows))
    console.print(months)

    counts = RichTable("event title", "sign-ups", title="Sign-ups by event")
    for title, count in sorted(summary["counts_by_event"].items()):
        counts.add_row(title, str(count))
    console.print(counts)


def _print_sync_summaries(console: Console, runs: list[Any], action_network_server: Any) -> None:
    table = RichTable(
        "run", "people", "pushed", "succeeded", "failed", "skipped", title="Sync runs"
    )
    for number, summary in enumerate(runs, start=1):
        table.add_row(
            str(number),
            str(summary.total),
            str(summary.pushed),
            str(summary.succeeded),
            str(summary.failed),
            str(summary.skipped),
        )
    console.print(table)
    first, second = runs[0], runs[1]
    console.print(
        f"run 1 synced {first.succeeded} people; the emulator refused {first.failed} sign-ups "
        f"({', '.join(str(k) for k in first.failed_keys)})."
    )
    console.print(
        f"run 2 found {second.total} people without a success row in the log (nobody new), "
        f"retried them and synced {second.succeeded}."
    )
    console.print(
        f"Action Network now holds {action_network_server.app.person_count} people "
        "(seeded ones included)."
    )
