"""GoogleBigQuery against the loopback BigQuery REST stub, through google-cloud-bigquery's own
request layer: real HTTP, the client's real load jobs, uploads and query result paging."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import random
import socket
from collections.abc import Iterator

import google.oauth2.credentials
import pytest
import sqlglot
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth.credentials import AnonymousCredentials

import turnout
from tests.fixtures.network import forbid_non_loopback
from tests.warehouse.bigquery_server import BigQueryStub
from turnout.emulators.base import EmulatorServer
from turnout.errors import (
    AuthenticationError,
    ConfigurationError,
    TableExistsError,
    TransportError,
    UnknownOutcomeError,
    WarehouseError,
)
from turnout.redaction import redact
from turnout.table import Table
from turnout.warehouse.bigquery import GoogleBigQuery, parse_table_name, quote_identifier

PROJECT = "turnout-test"


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any connection or name lookup beyond loopback, and keep google-auth's default
    lookup (metadata server, well-known files) out of reach."""
    for name in (
        "GOOGLE_APPLICATION_CREDENTIALS",
        "GOOGLE_CLOUD_PROJECT",
        "BIGQUERY_EMULATOR_HOST",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    monkeypatch.setenv("GCE_METADATA_HOST", "127.0.0.1:9")
    monkeypatch.setenv("GCE_METADATA_IP", "127.0.0.1:9")

    forbid_non_loopback(monkeypatch)


@pytest.fixture(scope="module")
def stub_server() -> Iterator[EmulatorServer]:
    with EmulatorServer(BigQueryStub()) as server:
        yield server


@pytest.fixture
def stub(stub_server: EmulatorServer) -> tuple[BigQueryStub, str]:
    """The stub with one empty dataset, `ds`, and nothing else."""
    app = stub_server.app
    assert isinstance(app, BigQueryStub)
    app.reset(datasets=((PROJECT, "ds"),))
    return app, stub_server.url


@pytest.fixture
def bq(stub: tuple[BigQueryStub, str]) -> GoogleBigQuery:
    _, url = stub
    return GoogleBigQuery(
        app_creds=AnonymousCredentials(), project=PROJECT, client_options={"api_endpoint": url}
    )


def _load_config(app: BigQueryStub) -> dict:
    loads = [job for job in app.jobs.values() if "load" in job.configuration]
    return loads[-1].configuration["load"]


def _fields(config: dict) -> list[tuple[str, str]]:
    return [(f["name"], f["type"]) for f in config["schema"]["fields"]]


def _rows(table: Table | None) -> list[dict]:
    assert table is not None
    return list(table)


UTC = dt.UTC
EASTERN = dt.timezone(dt.timedelta(hours=-5))


def test_the_package_exports_google_bigquery():
    assert turnout.GoogleBigQuery is GoogleBigQuery


def test_copy_new_table_loads_parquet_with_types_and_round_trips(stub, bq):
    app, _ = stub
    tbl = Table(
        [
            {
                "id": 1,
                "First Name": "Ada",
                "zip": "02134",
                "score": 1.5,
                "active": True,
                "joined": dt.date(2024, 1, 2),
                "seen": dt.datetime(2024, 1, 2, 3, 4, 5),
                "seen_tz": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=EASTERN),
                "tags": {"a": [1, 2]},
                "empty": None,
            },
            {
                "id": 2,
                "First Name": "Bo",
                "zip": "10001",
                "score": None,
                "active": False,
                "joined": None,
                "seen": None,
                "seen_tz": None,
                "tags": [1, "x"],
                "empty": None,
            },
        ]
    )

    job = bq.copy(tbl, "ds.people")

    assert job.state == "DONE"
    config = _load_config(app)
    assert config["sourceFormat"] == "PARQUET"
    assert config["writeDisposition"] == "WRITE_EMPTY"
    assert config["createDisposition"] == "CREATE_IF_NEEDED"
    assert config["destinationTable"] == {
        "projectId": PROJECT,
        "datasetId": "ds",
        "tableId": "people",
    }
    assert _fields(config) == [
        ("id", "INT64"),
        ("First Name", "STRING"),
        ("zip", "STRING"),
        ("score", "FLOAT64"),
        ("active", "BOOL"),
        ("joined", "DATE"),
        ("seen", "DATETIME"),
        ("seen_tz", "TIMESTAMP"),
        ("tags", "JSON"),
        ("empty", "STRING"),
    ]
    assert len(app.requests_to("/upload/bigquery/v2/projects/turnout-test/jobs", "POST")) == 1

    result = bq.query("SELECT * FROM `ds.people`")
    assert _rows(result) == [
        {
            "id": 1,
            "First Name": "Ada",
            "zip": "02134",
            "score": 1.5,
            "active": True,
            "joined": dt.date(2024, 1, 2),
            "seen": dt.datetime(2024, 1, 2, 3, 4, 5),
            "seen_tz": dt.datetime(2024, 1, 2, 8, 4, 5, tzinfo=UTC),
            "tags": {"a": [1, 2]},
            "empty": None,
        },
        {
            "id": 2,
            "First Name": "Bo",
            "zip": "10001",
            "score": None,
            "active": False,
            "joined": None,
            "seen": None,
            "seen_tz": None,
            "tags": [1, "x"],
            "empty": None,
        },
    ]
    assert type(result["id"][0]) is int
    assert type(result["zip"][0]) is str


def test_column_type_does_not_depend_on_row_order(stub, bq):
    app, _ = stub
    bq.copy(Table([{"v": True}, {"v": 5}]), "ds.first")
    first = _fields(_load_config(app))
    bq.copy(Table([{"v": 5}, {"v": True}]), "ds.second")
    second = _fields(_load_config(app))

    assert first == second == [("v", "STRING")]
    assert bq.query("SELECT * FROM ds.first")["v"] == ["true", "5"]


def test_wide_numbers_get_numeric_types_and_keep_every_digit(stub, bq):
    app, _ = stub
    tbl = Table(
        [
            {"n": 2**70, "wide": 10**35, "huge": 10**40, "money": decimal.Decimal("12.34")},
            {"n": None, "wide": -(10**35), "huge": 1, "money": None},
        ]
    )

    bq.copy(tbl, "ds.numbers")

    assert _fields(_load_config(app)) == [
        ("n", "NUMERIC"),
        ("wide", "BIGNUMERIC"),
        ("huge", "STRING"),
        ("money", "NUMERIC"),
    ]
    rows = _rows(bq.query("SELECT * FROM ds.numbers"))
    assert rows[0]["n"] == decimal.Decimal(2**70)
    assert rows[0]["wide"] == decimal.Decimal(10**35)
    assert rows[1]["wide"] == decimal.Decimal(-(10**35))
    assert rows[0]["huge"] == "1" + "0" * 40
    assert rows[0]["money"] == decimal.Decimal("12.34")


def test_fail_refuses_an_existing_table_without_uploading(stub, bq):
    app, _ = stub
    bq.copy(Table([{"id": 1}]), "ds.t")

    with pytest.raises(TableExistsError, match=r"'ds\.t' already exists"):
        bq.copy(Table([{"id": 2}]), "ds.t")

    assert len(app.requests_to("/upload/", "POST")) == 1
    assert bq.query("SELECT * FROM ds.t")["id"] == [1]


def test_append_matches_columns_by_name_and_keeps_the_schema(stub, bq):
    app, _ = stub
    bq.copy(Table([{"id": 1, "name": "Ada", "note": "first"}]), "ds.t")

    bq.copy(Table([{"name": "Bo", "id": 2}]), "ds.t", if_exists="append")

    config = _load_config(app)
    assert config["writeDisposition"] == "WRITE_APPEND"
    assert _fields(config) == [("id", "INTEGER"), ("name", "STRING"), ("note", "STRING")]
    assert _rows(bq.query("SELECT * FROM ds.t")) == [
        {"id": 1, "name": "Ada", "note": "first"},
        {"id": 2, "name": "Bo", "note": None},
    ]


def test_append_an_int_column_into_a_float_column(stub, bq):
    bq.copy(Table([{"x": 1.5}]), "ds.t")

    bq.copy(Table([{"x": 2}]), "ds.t", if_exists="append")

    values = bq.query("SELECT * FROM ds.t")["x"]
    assert values == [1.5, 2.0]
    assert [type(v) for v in values] == [float, float]


def test_append_a_column_the_table_lacks_names_it_and_uploads_nothing(stub, bq):
    app, _ = stub
    bq.copy(Table([{"id": 1}]), "ds.t")

    with pytest.raises(
        WarehouseError, match=r"'ds\.t' has no column\(s\) \['extra'\].*alter_table"
    ):
        bq.copy(Table([{"id": 2, "extra": "x"}]), "ds.t", if_exists="append")

    assert len(app.requests_to("/upload/", "POST")) == 1
    assert bq.query("SELECT * FROM ds.t")["id"] == [1]


def test_append_with_alter_table_adds_the_new_columns(stub, bq):
    app, _ = stub
    bq.copy(Table([{"id": 1, "name": "Ada"}]), "ds.t")

    bq.copy(
        Table([{"id": 2, "email": "bo@example.org", "joined": dt.date(2024, 5, 1)}]),
        "ds.t",
        if_exists="append",
        alter_table=True,
    )

    config = _load_config(app)
    assert config["schemaUpdateOptions"] == ["ALLOW_FIELD_ADDITION"]
    assert _fields(config) == [
        ("id", "INTEGER"),
        ("name", "STRING"),
        ("email", "STRING"),
        ("joined", "DATE"),
    ]
    assert _rows(bq.query("SELECT * FROM ds.t")) == [
        {"id": 1, "name": "Ada", "email": None, "joined": None},
        {"id": 2, "name": None, "email": "bo@example.org", "joined": dt.date(2024, 5, 1)},
    ]


def test_truncate_with_alter_table_keeps_old_columns_and_adds_new_ones(stub, bq):
    bq.copy(Table([{"id": 1, "name": "Ada"}]), "ds.t")

    bq.copy(Table([{"id": 2, "score": 9.5}]), "ds.t", if_exists="truncate", alter_table=True)

    assert _rows(bq.query("SELECT * FROM ds.t")) == [{"id": 2, "name": None, "score": 9.5}]


def test_append_text_into_an_int_column_names_the_column(stub, bq):
    app, _ = stub
    bq.copy(Table([{"id": 1}]), "ds.t")

    with pytest.raises(WarehouseError, match=r"'ds\.t'.*column 'id' holds text values.*INT64"):
        bq.copy(Table([{"id": "7"}]), "ds.t", if_exists="append")

    assert len(app.requests_to("/upload/", "POST")) == 1


def test_truncate_replaces_rows_and_keeps_the_schema(stub, bq):
    app, _ = stub
    bq.copy(Table([{"id": 1, "score": 1.5}, {"id": 2, "score": 2.5}]), "ds.t")

    bq.copy(Table([{"id": 3, "score": 3}]), "ds.t", if_exists="truncate")

    config = _load_config(app)
    assert config["writeDisposition"] == "WRITE_TRUNCATE"
    assert _fields(config) == [("id", "INTEGER"), ("score", "FLOAT")]
    assert _rows(bq.query("SELECT * FROM ds.t")) == [{"id": 3, "score": 3.0}]


def test_drop_replaces_schema_and_rows_in_one_job(stub, bq):
    app, _ = stub
    bq.copy(Table([{"id": 1, "old": "x"}]), "ds.t")

    bq.copy(Table([{"id": "a-1", "new": True}]), "ds.t", if_exists="drop")

    config = _load_config(app)
    assert config["writeDisposition"] == "WRITE_TRUNCATE"
    assert _fields(config) == [("id", "STRING"), ("new", "BOOL")]
    assert app.requests_to("/tables/t", "DELETE") == []
    assert _rows(bq.query("SELECT * FROM ds.t")) == [{"id": "a-1", "new": True}]


def test_a_rejected_load_leaves_the_old_table_intact(bq):
    bq.copy(
        Table([{"id": 1, "name": "Ada"}]),
        "ds.t",
        schema=[
            {"name": "id", "type": "INT64", "mode": "REQUIRED"},
            {"name": "name", "type": "STRING"},
        ],
    )

    with pytest.raises(WarehouseError, match=r"'ds\.t' failed; the table is unchanged.*id"):
        bq.copy(Table([{"id": None, "name": "Bo"}]), "ds.t", if_exists="truncate")

    assert _rows(bq.query("SELECT * FROM ds.t")) == [{"id": 1, "name": "Ada"}]


def test_copy_into_a_missing_dataset_names_table_and_dataset(stub, bq):
    with pytest.raises(
        WarehouseError, match=r"'nowhere\.t'.*Not found: Dataset turnout-test:nowhere"
    ):
        bq.copy(Table([{"id": 1}]), "nowhere.t")


def test_copy_with_a_schema_argument_and_a_project_qualified_name(stub, bq):
    app, _ = stub
    bq.copy(
        Table([{"id": 1, "code": "007"}]),
        f"{PROJECT}.ds.coded",
        schema=[{"name": "id", "type": "NUMERIC"}, {"name": "code", "field_type": "STRING"}],
    )

    assert _fields(_load_config(app)) == [("id", "NUMERIC"), ("code", "STRING")]
    assert _rows(bq.query(f"SELECT * FROM `{PROJECT}`.`ds`.`coded`")) == [
        {"id": decimal.Decimal(1), "code": "007"}
    ]


def test_an_empty_table_creates_the_table_with_inferred_types(stub, bq):
    app, _ = stub
    bq.copy(Table([["id", "name"]]), "ds.empty")

    assert _fields(_load_config(app)) == [("id", "STRING"), ("name", "STRING")]
    assert bq.table_exists("ds.empty")
    assert bq.query("SELECT * FROM ds.empty") is None
    assert bq.get_row_count("ds", "empty") == 0


def test_time_values_round_trip(stub, bq):
    app, _ = stub
    bq.copy(Table([{"starts": dt.time(9, 30)}, {"starts": dt.time(17, 45, 5, 250)}]), "ds.t")

    assert _fields(_load_config(app)) == [("starts", "TIME")]
    assert bq.query("SELECT * FROM ds.t")["starts"] == [dt.time(9, 30), dt.time(17, 45, 5, 250)]


def test_column_names_that_differ_only_in_case_are_refused(bq):
    with pytest.raises(WarehouseError, match=r"columns 'id' and 'ID' differ only in case"):
        bq.copy(Table([{"id": 1, "ID": 2}]), "ds.t")


def test_naive_datetimes_append_into_a_timestamp_column_as_utc(stub, bq):
    bq.copy(Table([{"at": dt.datetime(2024, 1, 1, tzinfo=UTC)}]), "ds.t")

    bq.copy(Table([{"at": dt.datetime(2024, 6, 1, 12, 30)}]), "ds.t", if_exists="append")

    assert bq.query("SELECT * FROM ds.t")["at"] == [
        dt.datetime(2024, 1, 1, tzinfo=UTC),
        dt.datetime(2024, 6, 1, 12, 30, tzinfo=UTC),
    ]


def test_aware_datetimes_do_not_append_into_a_datetime_column(stub, bq):
    bq.copy(Table([{"at": dt.datetime(2024, 1, 1)}]), "ds.t")

    with pytest.raises(WarehouseError, match=r"column 'at' holds timestamptz values.*DATETIME"):
        bq.copy(Table([{"at": dt.datetime(2024, 1, 1, tzinfo=UTC)}]), "ds.t", if_exists="append")


def test_a_table_without_columns_is_refused(bq):
    with pytest.raises(WarehouseError, match=r"no columns into 'ds\.t'"):
        bq.copy(Table(), "ds.t")


def test_copy_rejects_an_unknown_if_exists(bq):
    with pytest.raises(ValueError, match="if_exists must be one of"):
        bq.copy(Table([{"id": 1}]), "ds.t", if_exists="replace")


def test_a_large_table_goes_through_the_resumable_upload(stub, bq):
    app, _ = stub
    rows = 100_000
    # Distinct, barely compressible text makes a Parquet file above the 5 MiB multipart limit.
    noise = random.Random(0)
    tbl = Table.from_columns(
        {"id": range(rows), "blob": [noise.randbytes(32).hex() for _ in range(rows)]}
    )

    bq.copy(tbl, "ds.large")

    assert app.requests_to("/upload/", "POST")[0].query == "uploadType=resumable"
    assert len(app.requests_to("/upload/", "PUT")) >= 1
    assert bq.get_row_count("ds", "large") == rows


def test_query_parameters_go_to_bigquery_typed(stub, bq):
    app, _ = stub
    values = [
        5,
        2.5,
        True,
        "O'Brady",
        dt.date(2024, 1, 2),
        dt.datetime(2024, 1, 2, 3, 4, 5),
        decimal.Decimal("1.25"),
    ]

    result = bq.query(
        "SELECT %s AS i, %s AS f, %s AS b, %s AS s, %s AS d, %s AS ts, %s AS n", values
    )

    assert _rows(result) == [
        {
            "i": 5,
            "f": 2.5,
            "b": True,
            "s": "O'Brady",
            "d": dt.date(2024, 1, 2),
            "ts": dt.datetime(2024, 1, 2, 3, 4, 5),
            "n": decimal.Decimal("1.25"),
        }
    ]
    sent = [job for job in app.jobs.values() if "query" in job.configuration][-1]
    query = sent.configuration["query"]
    assert query["query"] == "SELECT ? AS i, ? AS f, ? AS b, ? AS s, ? AS d, ? AS ts, ? AS n"
    assert query["parameterMode"] == "POSITIONAL"
    assert [p["parameterType"]["type"] for p in query["queryParameters"]] == [
        "INT64",
        "FLOAT64",
        "BOOL",
        "STRING",
        "DATE",
        "DATETIME",
        "NUMERIC",
    ]


def test_named_query_parameters(stub, bq):
    app, _ = stub
    result = bq.query(
        "SELECT %(name)s AS name, @when AS at_time",
        {"name": "Ada", "when": dt.datetime(2024, 1, 2, tzinfo=UTC)},
    )

    assert _rows(result) == [{"name": "Ada", "at_time": dt.datetime(2024, 1, 2, tzinfo=UTC)}]
    query = [job for job in app.jobs.values() if "query" in job.configuration][-1]
    assert query.configuration["query"]["query"] == "SELECT @name AS name, @when AS at_time"
    assert query.configuration["query"]["parameterMode"] == "NAMED"


def test_a_statement_without_a_result_set_returns_none(stub, bq):
    bq.copy(Table([{"id": 1}]), "ds.t")

    assert bq.query("DROP TABLE `ds`.`t`") is None
    assert not bq.table_exists("ds.t")


def test_a_failing_query_raises_warehouse_error_with_the_service_message(bq):
    with pytest.raises(WarehouseError, match=r"Not found: Table turnout-test:ds\.missing"):
        bq.query("SELECT * FROM ds.missing")


def test_table_exists_delete_table_and_listing(stub, bq):
    bq.copy(Table([{"id": 1, "name": "Ada"}]), "ds.a")
    bq.copy(Table([{"id": 2}]), "ds.b")

    assert bq.table_exists("ds.a") is True
    assert bq.table_exists("ds.nope") is False
    assert bq.get_columns_list("ds", "a") == ["id", "name"]
    assert bq.get_columns("ds", "a") == {
        "id": {"data_type": "INT64", "is_nullable": "YES"},
        "name": {"data_type": "STRING", "is_nullable": "YES"},
    }
    assert [row["table_name"] for row in bq.get_tables("ds")] == ["a", "b"]
    assert _rows(bq.get_tables("ds", table_name="b")) == [
        {"table_catalog": PROJECT, "table_schema": "ds", "table_name": "b", "table_type": "TABLE"}
    ]

    bq.delete_table("ds.a")

    assert bq.table_exists("ds.a") is False
    with pytest.raises(WarehouseError, match=r"cannot delete table 'ds\.a'"):
        bq.delete_table("ds.a")


# --- credentials -------------------------------------------------------------------------------


def _service_account(token_uri: str) -> dict:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return {
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": pem,
        "client_email": "loader@turnout-test.iam.gserviceaccount.com",
        "client_id": "1234567890",
        "token_uri": token_uri,
    }


@pytest.mark.parametrize("form", ["path", "json_text"])
def test_service_account_from_environment_exchanges_its_token_on_loopback(
    stub, tmp_path, monkeypatch, form
):
    app, url = stub
    info = _service_account(f"{url}/token")
    if form == "path":
        path = tmp_path / "key.json"
        path.write_text(json.dumps(info))
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    else:
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", json.dumps(info))

    bq = GoogleBigQuery(client_options={"api_endpoint": url})
    bq.copy(Table([{"id": 1}]), "ds.t")

    assert bq.project == PROJECT
    assert app.tokens_issued == 1
    token_request = app.requests_to("/token", "POST")[0]
    assert b"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer" in token_request.body
    upload = app.requests_to("/upload/", "POST")[0]
    assert upload.headers["Authorization"].startswith("Bearer stub-token-")
    assert info["private_key"] not in repr(bq)


def test_missing_credentials_name_the_variable():
    with pytest.raises(ConfigurationError, match="GOOGLE_APPLICATION_CREDENTIALS"):
        GoogleBigQuery(project=PROJECT)


def test_unreadable_credentials_say_why_without_echoing_them(tmp_path):
    with pytest.raises(ConfigurationError, match="cannot read credentials file") as missing:
        GoogleBigQuery(app_creds=str(tmp_path / "absent.json"), project=PROJECT)
    assert "absent.json" in str(missing.value)

    secret_text = '{"type": "service_account", "private_key": "-----BEGIN oops'
    with pytest.raises(ConfigurationError, match="not valid JSON") as broken:
        GoogleBigQuery(app_creds=secret_text, project=PROJECT)
    assert "oops" not in str(broken.value)


def test_missing_project_names_the_variable():
    with pytest.raises(ConfigurationError, match="GOOGLE_CLOUD_PROJECT"):
        GoogleBigQuery(app_creds=AnonymousCredentials())


# --- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ds.t", ("ds", "t", None)),
        ("proj.ds.t", ("ds", "t", "proj")),
        ("`proj.ds.t`", ("ds", "t", "proj")),
        ("`ds`.`t`", ("ds", "t", None)),
        ("my-proj.ds.t", ("ds", "t", "my-proj")),
    ],
)
def test_parse_table_name(text, expected):
    name = parse_table_name(text)
    assert (name.dataset, name.table, name.project) == expected


@pytest.mark.parametrize("text", ["t", "a.b.c.d", "ds.", "", ".t"])
def test_parse_table_name_rejects(text):
    with pytest.raises(WarehouseError, match="table name"):
        parse_table_name(text)


def test_quote_identifier_escapes_backticks_and_backslashes():
    assert quote_identifier("plain") == "`plain`"
    assert quote_identifier("we`ird\\name") == "`we\\`ird\\\\name`"
    with pytest.raises(WarehouseError, match="NUL"):
        quote_identifier("a\x00b")


# --- the client's own job polling, paging and retries ------------------------------------------


def test_jobs_that_report_running_are_polled_until_done(stub, bq):
    app, _ = stub
    app.reset(datasets=((PROJECT, "ds"),), pending_polls=1)

    bq.copy(Table([{"id": 1}, {"id": 2}]), "ds.t")
    result = bq.query("SELECT * FROM ds.t")

    assert result["id"] == [1, 2]
    load_job = next(job for job in app.jobs.values() if "load" in job.configuration)
    assert len(app.requests_to(f"/jobs/{load_job.job_id}", "GET")) >= 1


def test_query_results_are_read_page_by_page(stub, bq):
    app, _ = stub
    app.reset(datasets=((PROJECT, "ds"),), page_size=100)
    bq.copy(Table.from_columns({"id": range(250)}), "ds.t")

    result = bq.query("SELECT * FROM ds.t")

    assert result["id"] == list(range(250))
    pages = [r for r in app.requests_to("/queries/", "GET") if "maxResults=0" not in r.query]
    assert len(pages) == 3
    assert sum("pageToken=" in r.query for r in pages) == 2


def test_a_server_error_on_job_insert_is_retried_by_the_client(stub, bq):
    app, _ = stub
    bq.copy(Table([{"id": 1}]), "ds.t")
    app.faults.inject("server_error", 1, status=503, path_contains="/jobs", methods=["POST"])

    assert bq.query("SELECT * FROM ds.t")["id"] == [1]
    assert app.faults.injected["server_error"] == 1


def test_the_client_honours_bigquery_emulator_host(stub, monkeypatch):
    app, url = stub
    monkeypatch.setenv("BIGQUERY_EMULATOR_HOST", url)

    bq = GoogleBigQuery(app_creds=AnonymousCredentials(), project=PROJECT)
    bq.copy(Table([{"id": 1}]), "ds.t")

    assert bq.table_exists("ds.t")
    assert len(app.requests_to("/upload/", "POST")) == 1


def test_authorized_user_credentials_load_without_any_request(stub):
    # google-auth always sends an authorized user's refresh to Google's own token endpoint
    # (whatever token_uri the file names), so this test checks the loading only.
    app, url = stub
    info = {
        "type": "authorized_user",
        "client_id": "client-123.apps.example",
        "client_secret": "user-client-secret-5e6f",
        "refresh_token": "user-refresh-token-9a8b",
        "quota_project_id": PROJECT,
    }

    bq = GoogleBigQuery(app_creds=json.dumps(info), client_options={"api_endpoint": url})

    assert isinstance(bq.credentials, google.oauth2.credentials.Credentials)
    assert bq.credentials.refresh_token == "user-refresh-token-9a8b"
    assert bq.project == PROJECT
    assert redact("secret is user-client-secret-5e6f") == "secret is ***"
    assert app.requests == []


# --- upsert ------------------------------------------------------------------------------------


def _merge_sent(app: BigQueryStub) -> str:
    queries = [
        job.configuration["query"]["query"]
        for job in app.jobs.values()
        if "query" in job.configuration
    ]
    return next(q for q in queries if q.startswith("MERGE"))


def test_upsert_updates_matching_keys_inserts_the_rest_and_the_last_row_wins(stub, bq):
    app, _ = stub
    bq.copy(
        Table([{"id": 1, "name": "Ada", "score": 1.5}, {"id": 2, "name": "Bo", "score": 2.5}]),
        "ds.people",
    )

    batch = Table([{"id": 2, "name": "Bo v2"}, {"id": 3, "name": "Cy"}, {"id": 2, "name": "Bo v3"}])
    bq.upsert(batch, "ds.people", "id")

    assert _rows(bq.query("SELECT * FROM ds.people")) == [
        {"id": 1, "name": "Ada", "score": 1.5},
        {"id": 2, "name": "Bo v3", "score": 2.5},
        {"id": 3, "name": "Cy", "score": None},
    ]
    merge = sqlglot.parse_one(_merge_sent(app), read="bigquery")
    assert isinstance(merge, sqlglot.exp.Merge)
    assert merge.this.sql("bigquery") == f"`{PROJECT}`.`ds`.`people` AS target"
    staging = [key for key in app.tables if "_stg_" in key[2]]
    assert staging == []
    assert len(app.requests_to("/tables/people_stg_", "DELETE")) == 1


def test_upsert_with_a_compound_key_and_every_column_a_key(stub, bq):
    app, _ = stub
    bq.copy(Table([{"a": 1, "b": "x"}]), "ds.pairs")

    bq.upsert(Table([{"a": 1, "b": "x"}, {"a": 1, "b": "y"}]), "ds.pairs", ["a", "b"])

    assert _rows(bq.query("SELECT * FROM ds.pairs")) == [{"a": 1, "b": "x"}, {"a": 1, "b": "y"}]
    assert "WHEN MATCHED" not in _merge_sent(app)


def test_upsert_into_a_missing_table_copies_the_deduplicated_rows(stub, bq):
    bq.upsert(Table([{"id": 1, "v": "a"}, {"id": 1, "v": "b"}]), "ds.fresh", "id")

    assert _rows(bq.query("SELECT * FROM ds.fresh")) == [{"id": 1, "v": "b"}]


def test_upsert_refuses_a_target_whose_keys_repeat(stub, bq):
    app, _ = stub
    bq.copy(Table([{"id": 1, "v": "a"}, {"id": 1, "v": "b"}]), "ds.t")

    with pytest.raises(WarehouseError, match=r"1 primary key value\(s\) of \['id'\] repeat"):
        bq.upsert(Table([{"id": 1, "v": "c"}]), "ds.t", "id")

    assert bq.query("SELECT * FROM ds.t")["v"] == ["a", "b"]
    assert [key for key in app.tables if "_stg_" in key[2]] == []


def test_upsert_names_an_empty_or_missing_key(bq):
    bq.copy(Table([{"id": 1}]), "ds.t")

    with pytest.raises(WarehouseError, match=r"primary key column 'id' is empty in row 1"):
        bq.upsert(Table([{"id": 2}, {"id": None}]), "ds.t", "id")
    with pytest.raises(WarehouseError, match=r"primary key column 'key' is not in the Table"):
        bq.upsert(Table([{"id": 2}]), "ds.t", "key")


# --- table(name) -------------------------------------------------------------------------------


def test_table_handle_counts_reads_truncates_and_drops(stub, bq):
    app, _ = stub
    app.reset(datasets=((PROJECT, "ds"),), page_size=2)
    bq.copy(Table([{"id": i, "tags": {"n": i}} for i in range(5)]), "ds.t")
    handle = bq.table("ds.t")

    assert handle.exists is True
    assert handle.num_rows == 5
    assert handle.columns == ["id", "tags"]
    assert _rows(handle.get_rows(offset=1, chunk_size=3)) == [
        {"id": 1, "tags": {"n": 1}},
        {"id": 2, "tags": {"n": 2}},
        {"id": 3, "tags": {"n": 3}},
    ]
    assert handle.get_rows()["id"] == [0, 1, 2, 3, 4]

    handle.truncate()
    assert handle.num_rows == 0
    assert handle.columns == ["id", "tags"]

    handle.drop()
    assert handle.exists is False


def test_a_load_that_does_not_finish_in_time_is_an_unknown_outcome_naming_the_job(stub, bq):
    app, _ = stub
    app.reset(datasets=((PROJECT, "ds"),), pending_polls=10_000)

    with pytest.raises(UnknownOutcomeError, match=r"no answer about load job turnout_load_\w+"):
        bq.copy(Table([{"id": 1}]), "ds.t", max_timeout=0.3)

    assert next(job.job_id for job in app.jobs.values()).startswith("turnout_load_")


def test_query_with_connection_runs_through_the_db_api(stub, bq):
    app, _ = stub
    bq.copy(Table([{"id": 1, "tags": {"a": 1}}, {"id": 2, "tags": None}]), "ds.t")

    with bq.connection() as connection:
        rows = bq.query_with_connection("SELECT * FROM ds.t", connection)
        echoed = bq.query_with_connection(
            "SELECT %(name)s AS name", connection, parameters={"name": "Ada"}
        )
        dropped = bq.query_with_connection("DROP TABLE ds.t", connection)

    assert _rows(rows) == [{"id": 1, "tags": {"a": 1}}, {"id": 2, "tags": None}]
    assert _rows(echoed) == [{"name": "Ada"}]
    assert dropped is None
    assert len(app.requests_to("/projects/turnout-test/queries", "POST")) == 3
    with pytest.raises(WarehouseError, match="commits every statement"):
        bq.query_with_connection("SELECT 1", connection, commit=False)


# --- failures the client gives up on -----------------------------------------------------------


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A loopback port that refuses every connection for the whole test.

    The socket stays bound (never listening) until the test ends: a port closed before use
    could be taken by another server under load (xdist, moto, emulators), and the client would
    then get that server's answer instead of a refusal.
    """
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield bound.getsockname()[1]


def test_an_unreachable_endpoint_fails_after_the_retry_deadline(refused_port):
    bq = GoogleBigQuery(
        app_creds=AnonymousCredentials(),
        project=PROJECT,
        client_options={"api_endpoint": f"http://127.0.0.1:{refused_port}"},
        retry_deadline=0.5,
    )

    with pytest.raises(TransportError, match="BigQuery query failed: no answer after retrying"):
        bq.query("SELECT 1")
    with pytest.raises(TransportError, match=r"cannot tell whether 'ds\.t' exists"):
        bq.table_exists("ds.t")


def test_refused_service_account_credentials_are_an_authentication_error(stub):
    app, url = stub
    app.refuse_tokens = True
    info = _service_account(f"{url}/token")
    bq = GoogleBigQuery(app_creds=info, client_options={"api_endpoint": url}, retry_deadline=1)

    with pytest.raises(AuthenticationError, match="the credentials were refused") as caught:
        bq.query("SELECT 1")

    assert "invalid_grant" in str(caught.value)
    assert info["private_key"] not in str(caught.value)
    assert app.requests_to("/bigquery/", "POST") == []


def test_a_key_that_does_not_parse_names_its_source_not_its_text(stub, monkeypatch):
    _, url = stub
    info = dict(
        _service_account(f"{url}/token"),
        private_key="-----BEGIN PRIVATE KEY-----\nnot-a-key-QQQQ\n",
    )

    with pytest.raises(ConfigurationError, match=r"^app_creds: ") as from_argument:
        GoogleBigQuery(app_creds=info)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", json.dumps(info))
    with pytest.raises(ConfigurationError, match=r"^GOOGLE_APPLICATION_CREDENTIALS: ") as from_env:
        GoogleBigQuery()

    for caught in (from_argument, from_env):
        assert "not-a-key-QQQQ" not in str(caught.value)
