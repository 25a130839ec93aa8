"""DuckDB specifics: where the database file lives, and what its types allow."""

from __future__ import annotations

import datetime as dt

import pytest

from turnout import Table
from turnout.errors import WarehouseError
from turnout.warehouse.duckdb import DuckDB, default_database_path


def test_database_path_argument_env_and_default(tmp_path, monkeypatch):
    explicit = tmp_path / "sub" / "explicit.duckdb"
    assert DuckDB(explicit).database == str(explicit)
    monkeypatch.setenv("TURNOUT_DUCKDB_PATH", str(tmp_path / "env.duckdb"))
    assert DuckDB().database == str(tmp_path / "env.duckdb")
    monkeypatch.delenv("TURNOUT_DUCKDB_PATH")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_database_path() == tmp_path / "data" / "turnout" / "warehouse.duckdb"
    assert DuckDB().database == str(tmp_path / "data" / "turnout" / "warehouse.duckdb")


def test_data_persists_in_the_file(tmp_path):
    path = tmp_path / "w.duckdb"
    first = DuckDB(path)
    first.copy(Table([{"id": 1, "at": dt.datetime(2024, 1, 1, 8)}]), "mobilize.attendances")
    first.close()
    assert list(DuckDB(path).query("SELECT * FROM mobilize.attendances")) == [
        {"id": 1, "at": dt.datetime(2024, 1, 1, 8)}
    ]


def test_in_memory_database_lives_with_the_object():
    db = DuckDB(":memory:")
    db.copy(Table([{"id": 1}]), "t")
    assert db.table("t").num_rows == 1


def test_varchar_width_is_not_enforced(tmp_path):
    db = DuckDB(tmp_path / "w.duckdb")
    db.query("CREATE TABLE t (id BIGINT, name VARCHAR(5))")
    db.copy(Table([{"id": 1, "name": "much wider than five"}]), "t", if_exists="append")
    assert list(db.query("SELECT name FROM t")) == [{"name": "much wider than five"}]


def test_timezone_aware_values_load_as_timestamptz(tmp_path):
    db = DuckDB(tmp_path / "w.duckdb")
    db.query("SET TimeZone = 'UTC'")
    moment = dt.datetime(2024, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    db.copy(Table([{"seen": moment}]), "t")
    types = list(db.query("SELECT data_type FROM information_schema.columns WHERE table_name='t'"))
    assert types == [{"data_type": "TIMESTAMP WITH TIME ZONE"}]
    (row,) = list(db.query("SELECT seen FROM t"))
    assert row["seen"] == moment


def test_percent_s_placeholders_work_as_in_parsons(tmp_path):
    from turnout.warehouse.duckdb import percent_placeholders_to_qmark

    db = DuckDB(tmp_path / "w.duckdb")
    db.copy(Table([{"id": 1, "name": "O'Brady"}, {"id": 2, "name": "%s"}]), "t")
    assert list(db.query("SELECT id FROM t WHERE name = %s", ["O'Brady"])) == [{"id": 1}]
    assert list(db.query("SELECT id FROM t WHERE name = '%s' AND id > ?", [0])) == [{"id": 2}]
    assert percent_placeholders_to_qmark("SELECT '%s', \"%s\", %s, 5 %% 2") == (
        "SELECT '%s', \"%s\", ?, 5 % 2"
    )


def test_columns_differing_only_in_case_are_refused_before_anything_is_written(tmp_path):
    db = DuckDB(tmp_path / "w.duckdb")
    both = Table.from_columns({"id": [1], "A": [1], "a": [2]})

    with pytest.raises(WarehouseError) as created:
        db.copy(both, "s.t")
    assert str(created.value) == (
        "copy to s.t: columns 'A' and 'a' differ only in case, and duckdb column names ignore "
        "case; rename one of them"
    )
    assert db.table_exists("s.t") is False

    db.copy(Table([{"id": 1, "a": 1}]), "t")
    for call in (
        lambda: db.copy(both, "t", if_exists="append", alter_table=True),
        lambda: db.copy(both, "t", if_exists="drop"),
        lambda: db.upsert(both, "t", "id"),
    ):
        with pytest.raises(WarehouseError, match=r"^copy to t: columns 'A' and 'a' differ only"):
            call()
    assert list(db.query("SELECT * FROM t")) == [{"id": 1, "a": 1}]


def test_columns_differing_in_non_ascii_case_are_two_columns(tmp_path):
    # DuckDB folds ASCII letters only: "É" and "é" are distinct names there.
    db = DuckDB(tmp_path / "w.duckdb")
    db.copy(Table.from_columns({"É": [1], "é": [2]}), "t")
    assert list(db.query("SELECT * FROM t")) == [{"É": 1, "é": 2}]
