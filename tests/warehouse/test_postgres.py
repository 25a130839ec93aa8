"""Postgres specifics: settings from the environment, COPY errors, secrets kept out."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from turnout import Table
from turnout.errors import ConfigurationError, WarehouseError
from turnout.warehouse.postgres import Postgres


def test_settings_from_environment(monkeypatch, postgres_url, pg_schema):
    info = conninfo_to_dict(postgres_url)
    monkeypatch.setenv("PGHOST", info.get("host", "127.0.0.1"))
    monkeypatch.setenv("PGPORT", str(info.get("port", 5432)))
    monkeypatch.setenv("PGUSER", info.get("user", "postgres"))
    monkeypatch.setenv("PGDATABASE", info.get("dbname", "postgres"))
    db = Postgres()
    assert (db.host, db.port, db.username) == (
        info.get("host", "127.0.0.1"),
        int(info.get("port", 5432)),
        info.get("user", "postgres"),
    )
    db.copy(Table([{"id": 1}]), f"{pg_schema}.t")
    assert list(db.query(f"SELECT * FROM {pg_schema}.t")) == [{"id": 1}]


def test_missing_settings_name_the_variables(monkeypatch, tmp_path):
    for name in ("PGUSER", "PGPASSWORD", "PGHOST", "PGDATABASE", "PGPORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(ConfigurationError, match="PGHOST"):
        Postgres()


def test_password_never_in_errors_or_repr():
    db = Postgres(
        username="nobody",
        password="s3cret-pw-123",
        host="127.0.0.1",
        db="nope",
        port=1,
        timeout=1,
    )
    assert "s3cret" not in repr(db)
    with pytest.raises(WarehouseError) as caught:
        db.query("SELECT 1")
    assert "s3cret-pw-123" not in str(caught.value)


def test_client_is_a_psycopg_connection(postgres):
    assert isinstance(postgres.client, psycopg.Connection)
    assert postgres.client.execute("SELECT 1").fetchone() == (1,)
    postgres.client.close()


def test_copy_error_names_row_and_column(postgres, pg_schema):
    name = f"{pg_schema}.t"
    postgres.query(f"CREATE TABLE {name} (id BIGINT, day DATE)")
    tbl = Table.from_columns({"id": [1, 2, 3], "day": ["2024-01-01", "2024-01-02", "not a day"]})
    with pytest.raises(WarehouseError) as caught:
        postgres.copy(tbl, name, if_exists="append")
    message = str(caught.value)
    assert message.startswith(f"copy to {name} failed; the table is unchanged: row 2, column 'day'")
    assert postgres.table(name).num_rows == 0


def test_timestamptz_round_trip(postgres, pg_schema):
    moment = dt.datetime(2024, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    postgres.copy(Table([{"at": moment}]), f"{pg_schema}.t")
    (row,) = list(postgres.query(f"SELECT at FROM {pg_schema}.t"))
    assert row["at"] == moment


def test_float_special_values_and_precision(postgres, pg_schema):
    values = [0.1 + 0.2, 1e300, float("inf"), -0.0]
    postgres.copy(Table.from_columns({"i": [0, 1, 2, 3], "f": values}), f"{pg_schema}.t")
    rows = list(postgres.query(f"SELECT f FROM {pg_schema}.t ORDER BY i"))
    assert [row["f"] for row in rows] == values


def test_url_password_is_registered_as_secret():
    from turnout.redaction import redact

    db = Postgres(url="postgresql://someone:url-pass-4567@127.0.0.1:1/x", timeout=1)
    assert "url-pass-4567" not in repr(db)
    assert redact("failed with url-pass-4567") == "failed with ***"
