"""The engines the shared warehouse tests run on, and how each is built.

DuckDB (a file in tmp_path), PostgreSQL (the real server of tests/fixtures/postgres.py), and
Redshift's SQL path on that PostgreSQL server (`postgres_compatible=True`) with its loads staged
through a local S3 (moto in server mode on 127.0.0.1 and a free port, a fresh bucket per test,
checked empty afterwards). The fixtures that use these live in conftest.py.
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


def build_engine(request: pytest.FixtureRequest, kind: str, tmp_path) -> Iterator[Engine]:
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
