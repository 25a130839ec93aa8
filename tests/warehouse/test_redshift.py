"""Redshift: generated COPY/UNLOAD/CREATE parsed with sqlglot, S3 staging on a local S3, and
the SQL path on PostgreSQL (postgres_compatible)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging

import pytest
import sqlglot
from sqlglot import exp

from tests.warehouse.engines import (
    S3_ACCESS_KEY,
    S3_SECRET_KEY,
    build_engine,
    make_redshift,
    s3_client,
)
from turnout import Table
from turnout.errors import ConfigurationError, WarehouseError
from turnout.warehouse.identifiers import TableName
from turnout.warehouse.load import prepare_load
from turnout.warehouse.redshift import Redshift
from turnout.warehouse.redshift_sql import (
    copy_statement,
    credentials_clause,
    redact_credentials,
    unload_statement,
)
from turnout.warehouse.types import REDSHIFT

CREDENTIALS = credentials_clause("AKIDEXAMPLE", "secret/with'quote")


def _tokens_after(sql: str, first: str) -> list[str]:
    tokens = sqlglot.tokenize(sql, read="redshift")
    if tokens[0].text == "UNLOAD":
        tokens = sqlglot.tokenize(tokens[1].text, read="redshift")
    texts = [token.text for token in tokens]
    return texts[texts.index(first) :]


def test_copy_statement_parses_as_redshift_copy():
    sql = copy_statement(
        TableName("attendances", "mobilize"),
        ["id", "Event Name"],
        "s3://temp-bucket/staging/file.csv.gz",
        CREDENTIALS,
        compression="gzip",
        statupdate=False,
        compupdate=True,
        nullas="NULL",
        bucket_region="us-west-2",
    )
    parsed = sqlglot.parse_one(sql, read="redshift")
    assert isinstance(parsed, exp.Copy)
    target = parsed.this
    assert (target.this.name, target.this.db) == ("attendances", "mobilize")
    assert [column.name for column in target.expressions] == ["id", "Event Name"]
    assert all(column.quoted for column in target.expressions)
    assert [file.name for file in parsed.args["files"]] == ["s3://temp-bucket/staging/file.csv.gz"]
    assert parsed.args["credentials"].args["credentials"].name == (
        "aws_access_key_id=AKIDEXAMPLE;aws_secret_access_key=secret/with'quote"
    )
    assert _tokens_after(sql, "CSV") == [
        "CSV", "DELIMITER", ",", "IGNOREHEADER", "1", "GZIP", "ACCEPTANYDATE", "DATEFORMAT",
        "auto", "TIMEFORMAT", "auto", "EMPTYASNULL", "BLANKSASNULL", "NULL", "AS", "NULL",
        "ACCEPTINVCHARS", "MAXERROR", "0", "STATUPDATE", "OFF", "COMPUPDATE", "ON", "REGION",
        "us-west-2",
    ]  # fmt: skip


def test_copy_statement_rejects_free_form_options():
    with pytest.raises(WarehouseError, match="compression"):
        copy_statement(TableName("t"), None, "s3://b/k", CREDENTIALS, compression="zip; DROP")
    with pytest.raises(WarehouseError, match="region"):
        copy_statement(TableName("t"), None, "s3://b/k", CREDENTIALS, bucket_region="x' --")


def test_iam_role_and_session_token_credentials():
    assert (
        credentials_clause(iam_role="arn:aws:iam::1:role/r") == "IAM_ROLE 'arn:aws:iam::1:role/r'"
    )
    assert credentials_clause("a", "b", "tok") == (
        "CREDENTIALS 'aws_access_key_id=a;aws_secret_access_key=b;token=tok'"
    )
    with pytest.raises(WarehouseError, match="AWS_ACCESS_KEY_ID"):
        credentials_clause()


def test_unload_statement_quotes_the_query():
    query = "SELECT id, name FROM \"s\".\"t\" WHERE name = 'O''Brady'"
    sql = unload_statement(query, "s3://bucket/out/people_", CREDENTIALS, extension="csv")
    # sqlglot reads UNLOAD as a command: its first token, then the rest as one raw string.
    command, rest = sqlglot.tokenize(sql, read="redshift")
    assert command.text == "UNLOAD"
    tokens = sqlglot.tokenize(rest.text, read="redshift")
    assert [token.text for token in tokens[:3]] == ["(", query, ")"]
    inner = sqlglot.parse_one(tokens[1].text, read="redshift")
    assert isinstance(inner, exp.Select)
    assert inner.args["where"].this.expression.name == "O'Brady"
    assert _tokens_after(sql, "TO") == [
        "TO", "s3://bucket/out/people_", "CREDENTIALS",
        "aws_access_key_id=AKIDEXAMPLE;aws_secret_access_key=secret/with'quote",
        "PARALLEL", "ON", "MAXFILESIZE", "6.2", "GB", "MANIFEST", "HEADER", "DELIMITER", "AS",
        "|", "GZIP", "ADDQUOTES", "ESCAPE", "ALLOWOVERWRITE", "EXTENSION", "csv",
    ]  # fmt: skip
    with pytest.raises(WarehouseError, match="max_file_size"):
        unload_statement(query, "s3://b/p", CREDENTIALS, max_file_size="1 GB; DROP TABLE x")


def test_redact_credentials():
    sql = copy_statement(TableName("t"), None, "s3://b/k", CREDENTIALS)
    redacted = redact_credentials(sql)
    assert "secret/with" not in redacted and "AKIDEXAMPLE" not in redacted
    assert "CREDENTIALS '***'" in redacted


def _real_redshift() -> Redshift:
    return Redshift(username="u", password="p", host="127.0.0.1", db="d", port=5439)


def test_create_statement_distkey_sortkey_and_widths():
    tbl = Table(
        [
            {"id": 1, "city": "Zürich", "note": None, "blob": "x" * 70000, "tags": ["a"]},
            {"id": 2, "city": "NYC", "note": None, "blob": "y", "tags": None},
        ]
    )
    load = prepare_load(tbl, TableName("t", "s"), REDSHIFT)
    load.frame = load.frame.drop("blob")
    load.columns.remove("blob")
    sql = _real_redshift()._create_table_sql(
        TableName("t", "s"), load, distkey="id", sortkey=["id", "city"]
    )
    parsed = sqlglot.parse_one(sql, read="redshift")
    columns = {
        column.name: column.args["kind"].sql(dialect="redshift")
        for column in parsed.this.expressions
    }
    # "Zürich" is 6 characters but 7 bytes; an all-None column gets a default width.
    assert columns == {
        "id": "BIGINT",
        "city": "VARCHAR(7)",
        "note": "VARCHAR(256)",
        "tags": "VARCHAR(5)",
    }
    properties = parsed.args["properties"].expressions
    assert properties[0].this.name == "id"
    assert [key.name for key in properties[1].this] == ["id", "city"]
    assert properties[1].args["compound"] is True


def test_create_statement_padding_rounding_and_varchar_max():
    tbl = Table([{"a": "x" * 5, "b": "y" * 5, "c": "z" * 5}])
    load = prepare_load(tbl, TableName("t"), REDSHIFT)
    db = _real_redshift()
    assert db._create_table_sql(TableName("t"), load, strict_length=False) == (
        'CREATE TABLE "t" ("a" VARCHAR(8), "b" VARCHAR(8), "c" VARCHAR(8))'
    )
    assert db._create_table_sql(TableName("t"), load, padding=0.5, varchar_max=["c"]) == (
        'CREATE TABLE "t" ("a" VARCHAR(8), "b" VARCHAR(8), "c" VARCHAR(65535))'
    )


def test_value_wider_than_redshift_allows_names_row(warehouse_redshift):
    tbl = Table([{"id": 1, "body": "ok"}, {"id": 2, "body": "é" * 40000}])
    with pytest.raises(WarehouseError, match=r"column 'body', row 1: the value is 80000 bytes"):
        warehouse_redshift.db.copy(tbl, warehouse_redshift.name("t"))


def test_alter_table_caps_width_at_65535(warehouse_redshift):
    name = warehouse_redshift.name("t")
    warehouse_redshift.db.copy(Table([{"id": 1, "body": "short"}]), name)
    wide = Table([{"id": 2, "body": "x" * 65535}])
    warehouse_redshift.db.copy(wide, name, if_exists="append", alter_table=True)
    too_wide = Table([{"id": 3, "body": "x" * 65536}])
    with pytest.raises(WarehouseError, match=r"row 0: the value is 65536 bytes"):
        warehouse_redshift.db.copy(too_wide, name, if_exists="append", alter_table=True)
    assert warehouse_redshift.db.table(name).num_rows == 2


@pytest.fixture
def warehouse_redshift(request):
    yield from build_engine(request, "redshift_on_postgres", request.getfixturevalue("tmp_path"))


def test_copy_stages_gzipped_csv_in_s3_and_logs_redacted_copy(
    warehouse_redshift, s3_endpoint, caplog
):
    db = warehouse_redshift.db
    bucket = db.s3_temp_bucket.split("/")[0]
    tbl = Table([{"id": 1, "name": "a,b", "empty": "", "none": None}])
    with caplog.at_level(logging.DEBUG, logger="turnout.warehouse.redshift"):
        db.copy(tbl, warehouse_redshift.name("t"), cleanup_s3_file=False)

    (key,) = [
        item["Key"] for item in s3_client(s3_endpoint).list_objects_v2(Bucket=bucket)["Contents"]
    ]
    assert key.startswith("staging/turnout_") and key.endswith(".csv.gz")
    body = s3_client(s3_endpoint).get_object(Bucket=bucket, Key=key)["Body"].read()
    assert gzip.decompress(body) == b'id,name,empty,none\n1,"a,b","",\n'
    s3_client(s3_endpoint).delete_object(Bucket=bucket, Key=key)

    (logged,) = [r.getMessage() for r in caplog.records if "COPY" in r.getMessage()]
    assert S3_SECRET_KEY not in logged and S3_ACCESS_KEY not in logged
    assert f"FROM 's3://{bucket}/{key}'" in logged
    assert f'COPY "{warehouse_redshift.schema}"."t" ("id", "name", "empty", "none")' in logged
    # EMPTYASNULL, as on Redshift: the empty string loads as NULL.
    assert warehouse_redshift.rows(f"SELECT * FROM {warehouse_redshift.name('t')}") == [
        {"id": 1, "name": "a,b", "empty": None, "none": None}
    ]


def test_copy_s3_creates_table_from_file(warehouse_redshift, s3_endpoint, s3_bucket):
    body = gzip.compress(b"id,name\n1,Ada\n2,\n")
    s3_client(s3_endpoint).put_object(Bucket=s3_bucket, Key="in/people.csv.gz", Body=body)
    name = warehouse_redshift.name("people")
    warehouse_redshift.db.copy_s3(name, s3_bucket, "in/people.csv.gz", compression="gzip")
    assert warehouse_redshift.rows(f"SELECT * FROM {name} ORDER BY id") == [
        {"id": "1", "name": "Ada"},
        {"id": "2", "name": None},
    ]
    with pytest.raises(WarehouseError, match="already exists"):
        warehouse_redshift.db.copy_s3(name, s3_bucket, "in/people.csv.gz", compression="gzip")
    warehouse_redshift.db.copy_s3(
        name, s3_bucket, "in/people.csv.gz", compression="gzip", if_exists="append"
    )
    assert warehouse_redshift.db.table(name).num_rows == 4
    s3_client(s3_endpoint).delete_object(Bucket=s3_bucket, Key="in/people.csv.gz")


def test_unload_writes_file_and_manifest(warehouse_redshift, s3_endpoint, s3_bucket):
    name = warehouse_redshift.name("t")
    warehouse_redshift.db.copy(Table([{"id": 1, "name": "a|b"}, {"id": 2, "name": None}]), name)
    warehouse_redshift.db.unload(f"SELECT * FROM {name} ORDER BY id", s3_bucket, "out/t_")
    client = s3_client(s3_endpoint)
    manifest = json.loads(client.get_object(Bucket=s3_bucket, Key="out/t_manifest")["Body"].read())
    (entry,) = manifest["entries"]
    assert entry["url"] == f"s3://{s3_bucket}/out/t_0000_part_00.gz"
    data = gzip.decompress(
        client.get_object(Bucket=s3_bucket, Key="out/t_0000_part_00.gz")["Body"].read()
    ).decode()
    assert list(csv.reader(io.StringIO(data), delimiter="|")) == [
        ["id", "name"],
        ["1", "a|b"],
        ["2", ""],
    ]
    for key in ("out/t_manifest", "out/t_0000_part_00.gz"):
        client.delete_object(Bucket=s3_bucket, Key=key)


def test_upsert_staging_and_vacuum(warehouse_redshift):
    name = warehouse_redshift.name("t")
    db = warehouse_redshift.db
    db.upsert(Table([{"id": 1, "v": "a"}]), name, "id")
    db.upsert(Table([{"id": 1, "v": "longer value"}, {"id": 2, "v": "b"}]), name, "id")
    assert warehouse_redshift.rows(f"SELECT * FROM {name} ORDER BY id") == [
        {"id": 1, "v": "longer value"},
        {"id": 2, "v": "b"},
    ]


def test_settings_from_environment_and_missing(monkeypatch, postgres_url):
    for variable in ("REDSHIFT_USERNAME", "REDSHIFT_HOST", "REDSHIFT_DB", "REDSHIFT_PASSWORD"):
        monkeypatch.delenv(variable, raising=False)
    with pytest.raises(ConfigurationError, match="REDSHIFT_USERNAME, REDSHIFT_HOST, REDSHIFT_DB"):
        Redshift()
    monkeypatch.setenv("REDSHIFT_USERNAME", "me")
    monkeypatch.setenv("REDSHIFT_PASSWORD", "pw-from-env-99")
    monkeypatch.setenv("REDSHIFT_HOST", "127.0.0.1")
    monkeypatch.setenv("REDSHIFT_DB", "dev")
    monkeypatch.setenv("REDSHIFT_PORT", "5440")
    monkeypatch.setenv("S3_TEMP_BUCKET", "bucket/prefix")
    db = Redshift()
    assert (db.username, db.host, db.db, db.port) == ("me", "127.0.0.1", "dev", 5440)
    assert (db.s3_temp_bucket, db.s3_temp_bucket_prefix) == ("bucket", "prefix")
    assert "pw-from-env-99" not in repr(db)


def test_real_mode_needs_a_temp_bucket(postgres_url, pg_schema):
    db = make_redshift(postgres_url)
    db.postgres_compatible = False
    with pytest.raises(WarehouseError, match="S3_TEMP_BUCKET"):
        db.copy(Table([{"id": 1}]), f"{pg_schema}.t")
    assert db.table_exists(f"{pg_schema}.t") is False


def test_table_utilities(warehouse_redshift):
    db, schema = warehouse_redshift.db, warehouse_redshift.schema
    name = warehouse_redshift.name("people")
    db.copy(Table([{"id": 1, "name": "a"}, {"id": 2, "name": "bb"}, {"id": 3, "name": None}]), name)
    db.query(f"CREATE VIEW {schema}.people_view AS SELECT id FROM {name}")

    assert Redshift.split_full_table_name(name) == (schema, "people")
    assert Redshift.split_full_table_name("people") == ("public", "people")
    assert Redshift.combine_schema_and_table_name(schema, "people") == name
    assert db.schema_exists(schema) is True and db.schema_exists(schema + "_nope") is False
    assert [row["tablename"] for row in db.get_tables(schema=schema)] == ["people"]
    assert [row["viewname"] for row in db.get_views(schema=schema)] == ["people_view"]
    assert db.get_columns(schema, "people") == {
        "id": {
            "data_type": "bigint",
            "max_length": None,
            "max_precision": 64,
            "max_scale": 0,
            "is_nullable": True,
        },
        "name": {
            "data_type": "character varying",
            "max_length": 2,
            "max_precision": None,
            "max_scale": None,
            "is_nullable": True,
        },
    }
    assert db.get_columns_list(schema, "people") == ["id", "name"]
    assert db.get_row_count(name) == 3
    assert db.get_max_value(name, "id") == 3
    assert (db.get_object_type(name), db.is_table(name), db.is_view(name)) == ("table", True, False)
    assert db.is_view(f"{schema}.people_view") is True
    assert db.get_object_type(f"{schema}.nothing") is None

    db.duplicate_table(name, f"{schema}.copy", where_clause="WHERE id > 1")
    assert warehouse_redshift.rows(f"SELECT id FROM {schema}.copy ORDER BY id") == [
        {"id": 2},
        {"id": 3},
    ]
    db.populate_table_from_query(f"SELECT id * 10 AS tens FROM {name}", f"{schema}.tens")
    db.populate_table_from_query("SELECT 40 AS tens", f"{schema}.tens", if_exists="append")
    assert db.get_row_count(f"{schema}.tens") == 4
    db.union_tables(f"{schema}.both", [f"{schema}.copy", f"{schema}.copy"])
    assert db.get_row_count(f"{schema}.both") == 4
    db.rename_table(f"{schema}.both", "renamed")
    assert db.is_table(f"{schema}.renamed") and not db.is_table(f"{schema}.both")
    db.alter_table_column_type(name, "name", "varchar", varchar_width=50)
    assert db.get_columns(schema, "people")["name"]["max_length"] == 50


def test_generate_manifest_and_drop_and_unload(warehouse_redshift, s3_endpoint, s3_bucket):
    db, name = warehouse_redshift.db, warehouse_redshift.name("gone")
    db.copy(Table([{"id": 1}]), name)
    db.drop_and_unload(name, s3_bucket, "archive")
    assert db.table_exists(name) is False
    prefix = f"archive/{warehouse_redshift.schema}_gone/"
    manifest = db.generate_manifest(s3_bucket, prefix=prefix)
    assert manifest == {
        "entries": [
            {"url": f"s3://{s3_bucket}/{prefix}0000_part_00.gz", "mandatory": True},
            {"url": f"s3://{s3_bucket}/{prefix}manifest", "mandatory": True},
        ]
    }
    client = s3_client(s3_endpoint)
    for entry in manifest["entries"]:
        client.delete_object(Bucket=s3_bucket, Key=entry["url"].split("/", 3)[3])


def test_parsons_helpers(warehouse_redshift, s3_endpoint):
    db, schema = warehouse_redshift.db, warehouse_redshift.schema
    name = warehouse_redshift.name("t")
    tbl = Table([{"id": 1, "city": "Zürich"}])
    assert db.create_statement(tbl, name, distkey="id") == (
        f'CREATE TABLE "{schema}"."t" ("id" BIGINT, "city" VARCHAR(7))'
    )
    assert _real_redshift().create_statement(tbl, name, distkey="id", sortkey="id") == (
        f'CREATE TABLE "{schema}"."t" ("id" BIGINT, "city" VARCHAR(7)) DISTKEY("id") SORTKEY("id")'
    )
    db.create_table(tbl, name)
    assert db.get_columns_list(schema, "t") == ["id", "city"] and db.get_row_count(name) == 0
    assert Redshift.split_table_name("x") == ("public", "x")
    with db.connection() as connection, db.cursor(connection) as cursor:
        cursor.execute("SELECT 41 + 1")
        assert cursor.fetchone() == (42,)

    db.query(f"CREATE VIEW {schema}.v AS SELECT id FROM {name}")
    # PostgreSQL versions print it differently ("t.id" or "id"): compare the parsed query.
    definition = sqlglot.parse_one(db.get_view_definition(f"{schema}.v"), read="postgres")
    assert [column.name for column in definition.expressions] == ["id"]
    assert (definition.find(exp.Table).name, definition.find(exp.Table).db) == ("t", schema)
    assert [row["view"] for row in db.get_view_definitions(schema=schema)] == [f"{schema}.v"]

    key = db.temp_s3_copy(Table([{"a": 1}]))
    bucket = db.s3_temp_bucket
    body = s3_client(s3_endpoint).get_object(Bucket=bucket, Key=key)["Body"].read()
    assert gzip.decompress(body) == b"a\n1\n"
    db.temp_s3_delete(key)
    assert s3_client(s3_endpoint).list_objects_v2(Bucket=bucket).get("KeyCount") == 0

    statement = db.copy_statement(name, "b", "k.csv", specifycols=["id"])
    assert statement.startswith(f'COPY "{schema}"."t" ("id")\nFROM \'s3://b/k.csv\'')
    assert db.get_creds("AK", "SK") == "CREDENTIALS 'aws_access_key_id=AK;aws_secret_access_key=SK'"


def test_schema_permissions(warehouse_redshift):
    db, schema = warehouse_redshift.db, warehouse_redshift.schema
    group = f"{schema}_readers"
    db.query(f'CREATE ROLE "{group}"')
    try:
        db.copy(Table([{"id": 1}]), warehouse_redshift.name("t"))
        db.create_schema_with_permissions(schema + "_extra", group)
        db.grant_schema_permissions(schema, group)
        granted = warehouse_redshift.rows(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = %s AND table_schema = %s",
            [group, schema],
        )
        assert granted == [{"privilege_type": "SELECT"}]
        with pytest.raises(WarehouseError, match="permissions_type"):
            db.grant_schema_permissions(schema, group, "select; DROP")
    finally:
        db.query(f'DROP SCHEMA IF EXISTS "{schema}_extra" CASCADE')
        db.query(f'DROP OWNED BY "{group}"')
        db.query(f'DROP ROLE "{group}"')


def test_unload_and_copy_s3_never_log_credentials(warehouse_redshift, s3_bucket, caplog):
    db = warehouse_redshift.db
    db.postgres_compatible = False  # log what a real cluster would be sent, then fail on it
    with caplog.at_level(logging.DEBUG, logger="turnout.warehouse"), pytest.raises(WarehouseError):
        db.unload("SELECT 1", s3_bucket, "out/x_")
    statements = [r.getMessage() for r in caplog.records if "UNLOAD" in r.getMessage()]
    assert statements and all(S3_SECRET_KEY not in message for message in statements)
    assert all("CREDENTIALS '***'" in message for message in statements)
