"""Civis against the loopback Civis API stub, through the civis package's own client over real
HTTP: its spec download, query polling, file upload, CSV preprocess and import jobs."""

from __future__ import annotations

import csv
import datetime as dt
import io
import socket
from collections.abc import Iterator

import pytest

import turnout
from tests.connectors.civis_server import (
    CREDENTIAL_ID,
    DATABASE_ID,
    DATABASE_NAME,
    CivisStub,
    StoredTable,
)
from tests.fixtures.network import forbid_non_loopback
from turnout.connectors.civis import Civis, CivisClient
from turnout.emulators.base import EmulatorServer
from turnout.errors import (
    AuthenticationError,
    ConfigurationError,
    TransportError,
    WarehouseError,
)
from turnout.table import Table

API_KEY = "civis-test-key-7f3a9"
FAST = 0.02  # polling interval for the tests' own futures


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any connection or name lookup beyond loopback."""
    forbid_non_loopback(monkeypatch)


@pytest.fixture(scope="module")
def stub_server() -> Iterator[EmulatorServer]:
    with EmulatorServer(CivisStub(api_key=API_KEY)) as server:
        yield server


@pytest.fixture
def stub(stub_server: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> CivisStub:
    """The stub, emptied, with the civis client's endpoint variable pointing at it."""
    app = stub_server.app
    assert isinstance(app, CivisStub)
    app.reset()
    monkeypatch.setenv("CIVIS_API_ENDPOINT", stub_server.url)
    for name in ("CIVIS_API_KEY", "CIVIS_DATABASE", "CIVIS_JOB_ID", "CIVIS_RUN_ID"):
        monkeypatch.delenv(name, raising=False)
    return app


@pytest.fixture
def civis_client(stub: CivisStub) -> CivisClient:
    return Civis(db=DATABASE_NAME, api_key=API_KEY)


def _seed(stub: CivisStub, schema: str, table: str, header: list[str], rows: list[list]) -> None:
    columns = [{"name": name, "sqlType": "VARCHAR(256)"} for name in header]
    stub.tables[(schema, table)] = StoredTable(columns, rows)


def _uploaded_csv(stub: CivisStub) -> list[list[str]]:
    uploads = [f for f in stub.files.values() if "detectedInfo" not in f]
    content = uploads[-1]["content"].decode()
    return list(csv.reader(io.StringIO(content, newline="")))


def test_civis_is_the_parsons_client_class_and_a_package_export():
    assert Civis is CivisClient
    assert turnout.Civis is CivisClient


def test_query_returns_the_preview_rows_as_a_table(stub, civis_client):
    _seed(stub, "scratch", "people", ["id", "name"], [["1", "Ada"], ["2", "Bo"], ["3", "Cy"]])

    result = civis_client.query(
        "SELECT * FROM scratch.people", preview_rows=2, polling_interval=FAST
    )

    assert list(result) == [{"id": "1", "name": "Ada"}, {"id": "2", "name": "Bo"}]
    sent = stub.requests_to("/queries", "POST")[0]
    assert sent.headers["Authorization"].startswith("Basic ")
    query = next(iter(stub.queries.values()))
    assert (query["database"], query["credential"]) == (DATABASE_ID, CREDENTIAL_ID)
    assert (query["previewRows"], query["hidden"]) == (2, True)


def test_running_queries_and_imports_are_polled_until_done(stub, civis_client):
    stub.reset(pending_polls=2)

    civis_client.table_import(Table([{"id": 1}]), "scratch.t", polling_interval=FAST)
    result = civis_client.query("SELECT * FROM scratch.t", polling_interval=FAST)

    assert list(result) == [{"id": "1"}]
    query_id = next(iter(stub.queries))
    assert len(stub.requests_to(f"/queries/{query_id}", "GET")) == 3
    import_id = next(iter(stub.imports))
    assert len(stub.requests_to(f"/jobs/{import_id}/runs/", "GET")) == 3


def test_query_without_rows_returns_none(stub, civis_client):
    _seed(stub, "scratch", "empty", ["id"], [])

    assert civis_client.query("SELECT * FROM scratch.empty", polling_interval=FAST) is None
    assert civis_client.query("DROP TABLE scratch.empty", polling_interval=FAST) is None
    assert ("scratch", "empty") not in stub.tables


def test_query_wait_false_returns_the_future(stub, civis_client):
    _seed(stub, "scratch", "t", ["id"], [["1"]])

    future = civis_client.query("SELECT * FROM scratch.t", polling_interval=FAST, wait=False)

    result = future.result()
    assert result["result_rows"] == [["1"]]
    assert result["result_columns"] == ["id"]


def test_a_failed_query_raises_warehouse_error_with_civis_message(stub, civis_client):
    with pytest.raises(WarehouseError, match=r'relation "scratch\.missing" does not exist'):
        civis_client.query("SELECT * FROM scratch.missing", polling_interval=FAST)


def test_table_import_sends_typed_columns_and_lands_every_value(stub, civis_client):
    tbl = Table(
        [
            {"id": 1, "zip": "02134", "active": True, "joined": dt.date(2024, 1, 2), "n": None},
            {"id": 2, "zip": "10001", "active": False, "joined": None, "n": 2.5},
        ]
    )

    run = civis_client.table_import(tbl, "scratch.people", polling_interval=FAST)

    assert run["state"] == "succeeded"
    body = next(iter(stub.imports.values()))
    assert body["destination"]["schema"] == "scratch"
    assert body["destination"]["table"] == "people"
    assert body["destination"]["remoteHostId"] == DATABASE_ID
    assert body["destination"]["credentialId"] == CREDENTIAL_ID
    assert body["existingTableRows"] == "fail"
    assert body["firstRowIsHeader"] is True
    assert body["tableColumns"] == [
        {"name": "id", "sqlType": "BIGINT"},
        {"name": "zip", "sqlType": "VARCHAR(5)"},
        {"name": "active", "sqlType": "BOOLEAN"},
        {"name": "joined", "sqlType": "DATE"},
        {"name": "n", "sqlType": "DOUBLE PRECISION"},
    ]
    assert _uploaded_csv(stub) == [
        ["id", "zip", "active", "joined", "n"],
        ["1", "02134", "true", "2024-01-02", ""],
        ["2", "10001", "false", "", "2.5"],
    ]
    result = civis_client.query("SELECT * FROM scratch.people", polling_interval=FAST)
    assert list(result) == [
        {"id": "1", "zip": "02134", "active": "true", "joined": "2024-01-02", "n": None},
        {"id": "2", "zip": "10001", "active": "false", "joined": None, "n": "2.5"},
    ]


def test_table_import_into_an_existing_table_fails_by_default(stub, civis_client):
    _seed(stub, "scratch", "t", ["id"], [["1"]])

    with pytest.raises(WarehouseError, match=r"import into 'scratch\.t' failed.*already exists"):
        civis_client.table_import(Table([{"id": 2}]), "scratch.t", polling_interval=FAST)

    assert stub.tables[("scratch", "t")].rows == [["1"]]


def test_table_import_append_matches_columns_by_name(stub, civis_client):
    _seed(stub, "scratch", "t", ["id", "name"], [["1", "Ada"]])

    civis_client.table_import(
        Table([{"name": "Bo", "id": 2}]),
        "scratch.t",
        existing_table_rows="append",
        polling_interval=FAST,
    )

    assert stub.tables[("scratch", "t")].rows == [["1", "Ada"], ["2", "Bo"]]
    assert next(iter(stub.imports.values()))["existingTableRows"] == "append"


def test_table_import_rejects_an_unknown_mode(civis_client):
    with pytest.raises(ValueError, match="existing_table_rows must be one of"):
        civis_client.table_import(Table([{"id": 1}]), "scratch.t", existing_table_rows="replace")


def test_database_and_key_come_from_the_environment(stub, monkeypatch):
    monkeypatch.setenv("CIVIS_API_KEY", API_KEY)
    monkeypatch.setenv("CIVIS_DATABASE", str(DATABASE_ID))

    client = Civis()

    assert client.db == DATABASE_ID
    assert client.api_key == API_KEY
    assert API_KEY not in repr(client)
    _seed(stub, "scratch", "t", ["id"], [["1"]])
    assert list(client.query("SELECT * FROM scratch.t", polling_interval=FAST)) == [{"id": "1"}]
    assert stub.requests_to("/databases", "GET") == []  # an id needs no lookup


def test_missing_key_and_database_name_their_variables(stub):
    with pytest.raises(ConfigurationError, match="CIVIS_API_KEY"):
        Civis(db=DATABASE_NAME)
    with pytest.raises(ConfigurationError, match="CIVIS_DATABASE"):
        Civis(api_key=API_KEY)


def test_a_wrong_key_is_an_authentication_error_that_hides_the_key(stub):
    wrong = "wrong-key-31337-abcdef"

    with pytest.raises(AuthenticationError) as caught:
        Civis(db=DATABASE_NAME, api_key=wrong)

    assert caught.value.status == 401
    assert wrong not in str(caught.value)


def test_an_unreachable_api_is_a_transport_error(monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("CIVIS_API_ENDPOINT", f"http://127.0.0.1:{port}")

    with pytest.raises(TransportError, match="cannot reach the Civis API"):
        Civis(db=DATABASE_NAME, api_key="unreachable-key-0001")
