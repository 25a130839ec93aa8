"""turnout's top-level surface: exactly these names, each importable, none pulled in early.

The expected surface is written out: adding, removing or moving a public name is a deliberate
change to this list (and to docs/parsons_compatibility.md when it touches Parsons' names).
"""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
import types

import pytest

import turnout

# Public name -> (module that defines it, what it is).
EXPECTED_SURFACE: dict[str, tuple[str, str]] = {
    "APIConnector": ("turnout.http.connector", "class"),
    "ActionNetwork": ("turnout.connectors.action_network.connector", "class"),
    "Civis": ("turnout.connectors.civis", "class"),
    "DuckDB": ("turnout.warehouse.duckdb", "class"),
    "GoogleBigQuery": ("turnout.warehouse.bigquery", "class"),
    "GoogleSheets": ("turnout.connectors.google_sheets.client", "class"),
    "MobilizeAmerica": ("turnout.connectors.mobilize.connector", "class"),
    "Postgres": ("turnout.warehouse.postgres", "class"),
    "Redshift": ("turnout.warehouse.redshift", "class"),
    "Table": ("turnout.table.table", "class"),
    "TurnoutError": ("turnout.errors", "class"),
    "sync": ("turnout.sync", "module"),
}


def test_all_lists_exactly_the_expected_surface():
    assert turnout.__all__ == sorted(EXPECTED_SURFACE)


@pytest.mark.parametrize("name", sorted(EXPECTED_SURFACE))
def test_each_exported_name_imports_from_its_module(name):
    module_name, sort = EXPECTED_SURFACE[name]
    namespace: dict = {}
    exec(f"from turnout import {name}", namespace)  # the line a user's script has
    value = namespace[name]
    assert value is getattr(turnout, name)
    if sort == "module":
        assert isinstance(value, types.ModuleType)
        assert value.__name__ == module_name
    else:
        assert inspect.isclass(value)
        assert value.__module__ == module_name


def test_civis_is_parsons_civisclient():
    civis = importlib.import_module("turnout.connectors.civis")
    assert turnout.Civis is civis.CivisClient
    assert civis.Civis is civis.CivisClient


def test_star_import_gives_the_surface():
    namespace: dict = {}
    exec("from turnout import *", namespace)
    assert sorted(name for name in namespace if not name.startswith("__")) == sorted(
        EXPECTED_SURFACE
    )


def test_dir_shows_every_public_name():
    assert set(EXPECTED_SURFACE) <= set(dir(turnout))


def test_an_unknown_name_is_an_attribute_error_naming_it():
    with pytest.raises(AttributeError, match="'NoSuchThing'"):
        turnout.NoSuchThing  # noqa: B018
    with pytest.raises(ImportError, match="NoSuchThing"):
        exec("from turnout import NoSuchThing", {})


def test_a_table_only_script_imports_no_driver_or_vendor_client():
    """Names load lazily: `from turnout import Table` never pulls in database drivers."""
    program = (
        "import sys\n"
        "from turnout import Table\n"
        "Table([{'a': 1}]).num_rows\n"
        "heavy = ('psycopg', 'duckdb', 'google', 'gspread', 'civis', 'boto3', 'sqlglot')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
