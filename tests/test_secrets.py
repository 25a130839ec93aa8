"""Every connector with recognisable fake secrets, through success and failure paths (bad key,
5xx, connection refused on a closed loopback port): no secret in any log line (the `turnout`
loggers at DEBUG, and every logger through the CLI's RedactingFilter), exception message,
chained cause, traceback, repr, or the run history of `turnout run`."""

from __future__ import annotations

import io
import logging
import socket
import sqlite3
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.fixtures.google_sheets import FAST_RETRIES
from turnout.emulators.action_network import API_PREFIX
from turnout.emulators.action_network import create_app as action_network_app
from turnout.emulators.base import EmulatorServer
from turnout.emulators.mobilize import create_app as mobilize_app
from turnout.errors import TurnoutError
from turnout.http import RetryPolicy
from turnout.redaction import RedactingFilter
from turnout.runs import RunHistory, run_script

MOBILIZE_KEY = "FAKESECRET-mobilize-3f9a1c7e"
AN_TOKEN = "FAKESECRET-actionnetwork-8b2d4e6f"
PG_PASSWORD = "FAKESECRET-pgpass-51c0ffee"
REDSHIFT_PASSWORD = "FAKESECRET-redshift-9e8d7c6b"
AWS_SECRET = "FAKESECRET-aws-0a1b2c3d4e5f"
CIVIS_KEY = "FAKESECRET-civis-77aa88bb"
API_TOKEN = "FAKESECRET-apiconnector-4242abcd"
BIGQUERY_BAD_KEY = (
    "-----BEGIN PRIVATE KEY-----\nFAKESECRETbigquerykey0badbody==\n-----END PRIVATE KEY-----\n"
)
ONCE = RetryPolicy(attempts=2, backoff=0.001, backoff_max=0.002, jitter=0.0)
ERRORS = (TurnoutError, requests.RequestException, OSError, ValueError)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collector:
    """Runs calls, keeping what they raise and the objects whose reprs are scanned."""

    def __init__(self) -> None:
        self.errors: list[BaseException] = []
        self.objects: list[Any] = []

    def call(self, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except ERRORS as error:
            self.errors.append(error)
            return None

    def texts(self) -> Iterator[str]:
        for error in self.errors:
            seen: set[int] = set()
            current: BaseException | None = error
            while current is not None and id(current) not in seen:
                seen.add(id(current))
                yield str(current)
                yield repr(current)
                yield repr(current.args)
                # The chain as Python shows it: the cause, else an unsuppressed context.
                context = None if current.__suppress_context__ else current.__context__
                current = current.__cause__ or context
            yield "".join(traceback.format_exception(error))
        for thing in self.objects:
            yield repr(thing)


@pytest.fixture
def redacted_log() -> Iterator[io.StringIO]:
    """Every logger at DEBUG through the RedactingFilter, as `turnout run` logs."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def private_key_fragments(info: dict[str, Any]) -> list[str]:
    """Distinctive parts of a service-account key: lines of the PEM body and the key id."""
    body = [line for line in info["private_key"].splitlines() if "PRIVATE KEY" not in line]
    return [body[1], body[len(body) // 2], info["private_key_id"]]


def exercise_mobilize(collect: Collector, port: int) -> None:
    from turnout.connectors.mobilize import MobilizeAmerica

    server = EmulatorServer(
        mobilize_app(api_keys=(MOBILIZE_KEY,), rate_limit=None, organizations=1, people=3)
    ).start()
    try:
        good = MobilizeAmerica(MOBILIZE_KEY, uri=f"{server.url}/v1/", retry=ONCE)
        collect.objects.append(good)
        assert collect.call(lambda: good.get_attendances(101)) is not None
        server.app.faults.inject("server_error", 3, status=503)
        collect.call(lambda: good.get_attendances(101))
        server.app.faults.clear()
        bad = MobilizeAmerica(MOBILIZE_KEY + "-wrong", uri=f"{server.url}/v1/", retry=ONCE)
        collect.objects.append(bad)
        collect.call(lambda: bad.get_attendances(101))
        refused = MobilizeAmerica(MOBILIZE_KEY, uri=f"http://127.0.0.1:{port}/v1/", retry=ONCE)
        collect.call(lambda: refused.get_people(101))
    finally:
        server.stop()


def exercise_action_network(collect: Collector, port: int) -> None:
    from turnout.connectors.action_network import ActionNetwork

    server = EmulatorServer(action_network_app(token=AN_TOKEN, rate=None, people=2)).start()
    try:
        url = server.url + API_PREFIX
        good = ActionNetwork(AN_TOKEN, api_url=url, rate_limit=None, retry=ONCE)
        collect.objects.append(good)
        assert collect.call(lambda: good.upsert_person(email_address="a@example.org"))
        server.app.faults.inject("server_error", 3, status=500)
        collect.call(lambda: good.get_people())
        server.app.faults.clear()
        bad = ActionNetwork(AN_TOKEN + "-wrong", api_url=url, rate_limit=None, retry=ONCE)
        collect.call(lambda: bad.upsert_person(email_address="b@example.org"))
        refused = ActionNetwork(
            AN_TOKEN, api_url=f"http://127.0.0.1:{port}/api/v2", rate_limit=None, retry=ONCE
        )
        collect.call(lambda: refused.get_tags())
    finally:
        server.stop()


def exercise_google_sheets(
    collect: Collector, port: int, sheets_emulator: Any, info: dict[str, Any], keyfile: Path
) -> None:
    from turnout import Table
    from turnout.connectors.google_sheets import GoogleSheets

    good = GoogleSheets(str(keyfile), api_base_url=sheets_emulator.url, retry_policy=FAST_RETRIES)
    collect.objects.append(good)
    sheet_id = sheets_emulator.app.add_spreadsheet("secrets")
    collect.call(lambda: good.overwrite_sheet(sheet_id, Table([{"a": 1}])))
    sheets_emulator.app.faults.inject("server_error", 6, status=503)
    collect.call(lambda: good.get_worksheet(sheet_id))
    sheets_emulator.app.faults.clear()
    wrong = dict(info, client_email="nobody@example.iam.gserviceaccount.com")
    bad = GoogleSheets(wrong, api_base_url=sheets_emulator.url, retry_policy=FAST_RETRIES)
    collect.call(lambda: bad.get_worksheet(sheet_id))
    refused_info = dict(info, token_uri=f"http://127.0.0.1:{port}/token")
    refused = GoogleSheets(
        refused_info, api_base_url=f"http://127.0.0.1:{port}", retry_policy=FAST_RETRIES
    )
    collect.call(lambda: refused.get_worksheet(sheet_id))


def exercise_postgres(collect: Collector, port: int, postgres_url: str) -> None:
    from urllib.parse import urlsplit

    from turnout.warehouse.postgres import Postgres

    # The test server's URL with the fake password added, whatever its form: a TCP host
    # (TURNOUT_TEST_POSTGRES_URL) or pgserver's socket URL (`postgresql://user:@/db?host=/dir`).
    # Both servers trust local connections, so the password is carried but never checked.
    parts = urlsplit(postgres_url)
    user = parts.username or "postgres"
    host = f"{parts.hostname}:{parts.port or 5432}" if parts.hostname else ""
    query = f"?{parts.query}" if parts.query else ""
    good = Postgres(url=f"postgresql://{user}:{PG_PASSWORD}@{host}{parts.path}{query}")
    collect.objects.append(good)
    assert collect.call(lambda: good.query("SELECT 1 AS one")) is not None
    collect.call(lambda: good.query("SELECT * FROM no_such_table_for_secrets"))
    refused_url = Postgres(url=f"postgresql://someone:{PG_PASSWORD}@127.0.0.1:{port}/db", timeout=2)
    collect.objects.append(refused_url)
    collect.call(lambda: refused_url.query("SELECT 1"))
    refused_args = Postgres(
        username="someone", password=PG_PASSWORD, host="127.0.0.1", db="db", port=port, timeout=2
    )
    collect.objects.append(refused_args)
    collect.call(lambda: refused_args.query("SELECT 1"))


def exercise_redshift(collect: Collector, port: int) -> None:
    from turnout import Table
    from turnout.warehouse.redshift import Redshift

    redshift = Redshift(
        username="someone",
        password=REDSHIFT_PASSWORD,
        host="127.0.0.1",
        db="dev",
        port=port,
        timeout=2,
        s3_temp_bucket="bucket",
        aws_access_key_id="AKIAFAKEFAKEFAKE",
        aws_secret_access_key=AWS_SECRET,
        s3_endpoint_url=f"http://127.0.0.1:{port}",
        aws_region="us-east-1",
    )
    collect.objects.append(redshift)
    collect.call(lambda: redshift.query("SELECT 1"))
    collect.call(lambda: redshift.copy(Table([{"a": 1}]), "s.t"))


def exercise_bigquery(collect: Collector, port: int, info: dict[str, Any]) -> None:
    from turnout import Table
    from turnout.warehouse.bigquery import GoogleBigQuery

    refused_info = dict(info, token_uri=f"http://127.0.0.1:{port}/token", project_id="secrets")
    bigquery = GoogleBigQuery(
        app_creds=refused_info,
        client_options={"api_endpoint": f"http://127.0.0.1:{port}"},
        retry_deadline=1.0,
    )
    collect.objects.append(bigquery)
    collect.call(lambda: bigquery.query("SELECT 1"))
    collect.call(lambda: bigquery.copy(Table([{"a": 1}]), "ds.t"))
    # A key that does not parse: the error must not quote it.
    broken = dict(info, private_key=BIGQUERY_BAD_KEY)
    collect.call(lambda: GoogleBigQuery(app_creds=broken))


def exercise_civis(collect: Collector, port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from turnout.connectors.civis import Civis

    monkeypatch.setenv("CIVIS_API_ENDPOINT", f"http://127.0.0.1:{port}")
    collect.call(lambda: collect.objects.append(Civis(db="db", api_key=CIVIS_KEY)))


def exercise_api_connector(collect: Collector, port: int, sheets_emulator: Any) -> None:
    from turnout.http import APIConnector

    # Any emulator answers 404 to an unknown path; a bearer token and a key in the query.
    good = APIConnector(
        sheets_emulator.url, headers={"Authorization": f"Bearer {API_TOKEN}"}, retry=ONCE
    )
    collect.objects.append(good)
    collect.call(lambda: good.get_request("nowhere", params={"api_key": API_TOKEN}))
    sheets_emulator.app.faults.inject("server_error", 3, status=502)
    collect.call(lambda: good.get_request("v4/spreadsheets/x"))
    sheets_emulator.app.faults.clear()
    refused = APIConnector(f"http://127.0.0.1:{port}", auth=("user", API_TOKEN), retry=ONCE)
    collect.objects.append(refused)
    collect.call(lambda: refused.get_request("x", params={"token": API_TOKEN}))


def test_no_connector_leaks_a_secret(
    caplog: pytest.LogCaptureFixture,
    redacted_log: io.StringIO,
    sheets_emulator: Any,
    sheets_service_account: dict[str, Any],
    sheets_keyfile: Path,
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG, logger="turnout")
    port = closed_port()
    collect = Collector()

    exercise_mobilize(collect, port)
    exercise_action_network(collect, port)
    exercise_google_sheets(collect, port, sheets_emulator, sheets_service_account, sheets_keyfile)
    exercise_postgres(collect, port, postgres_url)
    exercise_redshift(collect, port)
    exercise_bigquery(collect, port, sheets_service_account)
    exercise_civis(collect, port, monkeypatch)
    exercise_api_connector(collect, port, sheets_emulator)

    secrets = [
        MOBILIZE_KEY, AN_TOKEN, PG_PASSWORD, REDSHIFT_PASSWORD, AWS_SECRET, CIVIS_KEY, API_TOKEN,
        "FAKESECRETbigquerykey0badbody",
        *private_key_fragments(sheets_service_account),
    ]  # fmt: skip
    turnout_lines = [
        record.getMessage() + "\n" + (record.exc_text or "")
        for record in caplog.records
        if record.name.startswith("turnout")
    ]
    places = {
        "turnout log": "\n".join(turnout_lines),
        "redacted log": redacted_log.getvalue(),
        "errors and reprs": "\n".join(collect.texts()),
    }
    # The failure paths did fail, each its own way (bad key, 5xx, refused, unparsable key).
    kinds = {type(error).__name__ for error in collect.errors}
    assert {"AuthenticationError", "ServerError", "TransportError", "WarehouseError"} <= kinds
    assert "ConfigurationError" in kinds
    assert len(collect.errors) == 20
    assert [e for e in collect.errors if not isinstance(e, TurnoutError)] == []
    leaks = [(place, s) for place, text in places.items() for s in secrets if s in text]
    assert leaks == []


SCRIPT = """
import logging, os
from turnout import ActionNetwork, MobilizeAmerica
from turnout.http import RetryPolicy

logging.getLogger("secrets-script").info("starting with %s", os.environ["AN_API_TOKEN"][:4])
mobilize = MobilizeAmerica(retry=RetryPolicy(attempts=1))
print(repr(mobilize))
ActionNetwork(retry=RetryPolicy(attempts=1), rate_limit=None).get_tags()
"""


def test_run_history_holds_no_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    port = closed_port()
    script = tmp_path / "secrets_script.py"
    script.write_text(SCRIPT, encoding="utf-8")
    environment = {
        "MOBILIZE_AMERICA_API_KEY": MOBILIZE_KEY,
        "MOBILIZE_AMERICA_URI": f"http://127.0.0.1:{port}/v1/",
        "AN_API_TOKEN": AN_TOKEN,
        "AN_API_URL": f"http://127.0.0.1:{port}/api/v2",
        "PGPASSWORD": PG_PASSWORD,
        "TURNOUT_HOME": str(tmp_path / "home"),
        "TURNOUT_LOG_LEVEL": "DEBUG",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TURNOUT_RUNS_DB", raising=False)
    history = RunHistory(tmp_path / "home" / "runs.sqlite")

    record = run_script(script, history=history)

    log_text = Path(record.log_file or "").read_text(encoding="utf-8")
    assert record.status == "failed"
    assert "TransportError" in log_text  # the refused call is in the log, redacted
    with sqlite3.connect(history.path) as connection:
        dump = "\n".join(connection.iterdump())
    database_bytes = history.path.read_bytes()
    for secret in (MOBILIZE_KEY, AN_TOKEN, PG_PASSWORD):
        assert secret not in log_text
        assert secret not in dump
        assert secret.encode() not in database_bytes
