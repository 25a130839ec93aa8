"""One parametrized fixture runs the shared warehouse tests on every SQL engine.

`warehouse` yields an `Engine`: the connector, a fresh schema for the test, and `name(table)`
for a schema-qualified table name. Engines: DuckDB (a file in tmp_path), PostgreSQL (the real
server of tests/fixtures/postgres.py), and Redshift's SQL path run on that PostgreSQL server.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.fixtures.postgres import unique_schema_name

ENGINES = ["duckdb", "postgres"]
SIZED_ENGINES = [engine for engine in ENGINES if engine != "duckdb"]


@dataclass
class Engine:
    kind: str
    db: Any
    schema: str

    def name(self, table: str) -> str:
        return f"{self.schema}.{table}"

    def rows(self, sql: str, parameters: Any = None) -> list[dict]:
        result = self.db.query(sql, parameters)
        return [] if result is None else list(result)


def make_redshift(postgres_url: str, **options: Any):
    from psycopg.conninfo import conninfo_to_dict
    from turnout.warehouse.redshift import Redshift

    info = conninfo_to_dict(postgres_url)
    return Redshift(
        username=info.get("user"),
        password=info.get("password"),
        host=info.get("host"),
        db=info.get("dbname"),
        port=int(info.get("port") or 5432),
        postgres_compatible=True,
        **options,
    )


def _engine(request: pytest.FixtureRequest, kind: str, tmp_path) -> Iterator[Engine]:
    if kind == "duckdb":
        from turnout.warehouse.duckdb import DuckDB

        db = DuckDB(tmp_path / "warehouse.duckdb")
        schema = unique_schema_name()
        db.query(f'CREATE SCHEMA "{schema}"')
        yield Engine(kind, db, schema)
        db.close()
        return
    postgres_url = request.getfixturevalue("postgres_url")
    schema = request.getfixturevalue("pg_schema")
    if kind == "postgres":
        from turnout.warehouse.postgres import Postgres

        yield Engine(kind, Postgres(url=postgres_url), schema)
    else:
        yield Engine(kind, make_redshift(postgres_url), schema)


@pytest.fixture(params=ENGINES)
def warehouse(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """Every SQL engine in turn."""
    yield from _engine(request, request.param, tmp_path)


@pytest.fixture(params=SIZED_ENGINES)
def sized_warehouse(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """The engines whose varchar(n) has a width limit (DuckDB's does not)."""
    yield from _engine(request, request.param, tmp_path)
