"""One parametrized fixture runs the shared warehouse tests on every SQL engine.

`warehouse` yields an `Engine`: the connector, a fresh schema for the test, and `name(table)`
for a schema-qualified table name. Engines: DuckDB (a file in tmp_path), PostgreSQL (the real
server of tests/fixtures/postgres.py), and Redshift's SQL path run on that PostgreSQL server
(`postgres_compatible=True`) with its loads staged through a local S3: moto in server mode on
127.0.0.1 and a free port, a fresh bucket per test, checked empty afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.fixtures.postgres import unique_schema_name

ENGINES = ["duckdb", "postgres", "redshift_on_postgres"]
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


S3_ACCESS_KEY = "testing-access-key"
S3_SECRET_KEY = "testing-secret-key-0123"


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A local S3 (moto's server mode) on 127.0.0.1 and a free port."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> str:
    """A fresh bucket on the local S3."""
    name = unique_schema_name("bucket").replace("_", "-").lower()
    s3_client(s3_endpoint).create_bucket(Bucket=name)
    return name


def s3_client(endpoint: str):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=S3_ACCESS_KEY,
        aws_secret_access_key=S3_SECRET_KEY,
        region_name="us-east-1",
    )


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
        endpoint = request.getfixturevalue("s3_endpoint")
        bucket = request.getfixturevalue("s3_bucket")
        db = make_redshift(
            postgres_url,
            s3_temp_bucket=f"{bucket}/staging",
            aws_access_key_id=S3_ACCESS_KEY,
            aws_secret_access_key=S3_SECRET_KEY,
            s3_endpoint_url=endpoint,
        )
        yield Engine(kind, db, schema)
        # Every staged file was cleaned up after its load.
        assert s3_client(endpoint).list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0


@pytest.fixture(params=ENGINES)
def warehouse(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """Every SQL engine in turn."""
    yield from _engine(request, request.param, tmp_path)


@pytest.fixture(params=SIZED_ENGINES)
def sized_warehouse(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """The engines whose varchar(n) has a width limit (DuckDB's does not)."""
    yield from _engine(request, request.param, tmp_path)
