"""One parametrized fixture runs the shared warehouse tests on every SQL engine.

`warehouse` yields an `Engine`: the connector, a fresh schema for the test, and `name(table)`
for a schema-qualified table name. Engines: DuckDB (a file in tmp_path), PostgreSQL (the real
server of tests/fixtures/postgres.py), and Redshift's SQL path run on that PostgreSQL server
(`postgres_compatible=True`) with its loads staged through a local S3: moto in server mode on
127.0.0.1 and a free port, a fresh bucket per test, checked empty afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.postgres import unique_schema_name

# Re-exported: tests/examples imports these (with the s3 fixtures below) from this module.
from tests.warehouse.engines import (  # noqa: F401
    ENGINES,
    S3_ACCESS_KEY,
    S3_SECRET_KEY,
    SIZED_ENGINES,
    Engine,
    build_engine,
    make_redshift,
    s3_client,
)


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


@pytest.fixture(params=ENGINES)
def warehouse(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """Every SQL engine in turn."""
    yield from build_engine(request, request.param, tmp_path)


@pytest.fixture(params=SIZED_ENGINES)
def sized_warehouse(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """The engines whose varchar(n) has a width limit (DuckDB's does not)."""
    yield from build_engine(request, request.param, tmp_path)
