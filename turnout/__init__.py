"""turnout: the Parsons API on a fast columnar core, for organizing data teams.

Public names are imported lazily, so `import turnout` stays fast and a script that uses only
`Table` never imports the database drivers or Google's client libraries.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

logging.getLogger(__name__).addHandler(logging.NullHandler())

__version__ = "0.1.0"

# Public name -> module that defines it.
_EXPORTS: dict[str, str] = {
    "Table": "turnout.table",
    "TurnoutError": "turnout.errors",
    "APIConnector": "turnout.http",
    "MobilizeAmerica": "turnout.connectors.mobilize",
    "GoogleSheets": "turnout.connectors.google_sheets",
    "ActionNetwork": "turnout.connectors.action_network",
    "Civis": "turnout.connectors.civis",
    "Postgres": "turnout.warehouse.postgres",
    "Redshift": "turnout.warehouse.redshift",
    "DuckDB": "turnout.warehouse.duckdb",
    "GoogleBigQuery": "turnout.warehouse.bigquery",
    "sync": "turnout.sync",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'turnout' has no attribute {name!r}")
    module = importlib.import_module(module_name)
    value = module if module_name.endswith("." + name) else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
