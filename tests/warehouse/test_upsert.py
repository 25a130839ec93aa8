"""upsert() on every engine: update + insert in one transaction, last duplicate wins."""

from __future__ import annotations

import pytest

from turnout import Table
from turnout.errors import WarehouseError


def _rows(engine, table: str) -> list[dict]:
    return engine.rows(f"SELECT * FROM {engine.name(table)} ORDER BY id")


def test_upsert_updates_and_inserts(warehouse):
    name = warehouse.name("people")
    warehouse.db.copy(Table([{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]), name)
    warehouse.db.upsert(Table([{"id": 2, "name": "B"}, {"id": 3, "name": "c"}]), name, "id")
    assert _rows(warehouse, "people") == [
        {"id": 1, "name": "a"},
        {"id": 2, "name": "B"},
        {"id": 3, "name": "c"},
    ]


def test_upsert_same_key_twice_last_wins(warehouse):
    name = warehouse.name("people")
    warehouse.db.copy(Table([{"id": 1, "name": "a"}]), name)
    batch = Table([{"id": 1, "name": "first"}, {"id": 4, "name": "x"}, {"id": 1, "name": "last"}])
    warehouse.db.upsert(batch, name, "id")
    assert _rows(warehouse, "people") == [{"id": 1, "name": "last"}, {"id": 4, "name": "x"}]


def test_upsert_creates_missing_table(warehouse):
    name = warehouse.name("fresh")
    warehouse.db.upsert(Table([{"id": 7, "name": "a"}, {"id": 7, "name": "b"}]), name, "id")
    assert _rows(warehouse, "fresh") == [{"id": 7, "name": "b"}]


def test_upsert_composite_key_and_new_column(warehouse):
    name = warehouse.name("t")
    warehouse.db.copy(Table([{"id": 1, "k": "x", "v": 1}, {"id": 1, "k": "y", "v": 2}]), name)
    warehouse.db.upsert(Table([{"k": "y", "id": 1, "v": 20, "extra": True}]), name, ["id", "k"])
    assert warehouse.rows(f"SELECT * FROM {name} ORDER BY k") == [
        {"id": 1, "k": "x", "v": 1, "extra": None},
        {"id": 1, "k": "y", "v": 20, "extra": True},
    ]


def test_upsert_empty_key_is_refused(warehouse):
    name = warehouse.name("t")
    warehouse.db.copy(Table([{"id": 1, "v": 1}]), name)
    with pytest.raises(WarehouseError, match=r"primary key column 'id' is empty in row 1"):
        warehouse.db.upsert(Table.from_columns({"id": [2, None], "v": [1, 2]}), name, "id")
    assert _rows(warehouse, "t") == [{"id": 1, "v": 1}]


def test_upsert_distinct_check_on_target(warehouse):
    name = warehouse.name("t")
    warehouse.db.copy(Table([{"id": 1, "v": 1}, {"id": 1, "v": 2}]), name)
    with pytest.raises(WarehouseError, match="already repeat"):
        warehouse.db.upsert(Table([{"id": 1, "v": 3}]), name, "id")
    assert sorted(row["v"] for row in _rows(warehouse, "t")) == [1, 2]


def test_upsert_without_schema_postgres(postgres_url, pg_schema):
    from turnout.warehouse.postgres import Postgres

    # A bare table name resolves through the search path, as in SQL.
    separator = "&" if "?" in postgres_url else "?"
    db = Postgres(url=f"{postgres_url}{separator}options=-csearch_path%3D{pg_schema}")
    db.copy(Table([{"id": 1, "v": "a"}]), "plain")
    db.upsert(Table([{"id": 1, "v": "b"}, {"id": 2, "v": "c"}]), "plain", "id")
    assert list(db.query("SELECT * FROM plain ORDER BY id")) == [
        {"id": 1, "v": "b"},
        {"id": 2, "v": "c"},
    ]
    assert db.table_exists("plain")
    assert db.table_exists(f"{pg_schema}.plain")


def test_upsert_without_schema_duckdb(tmp_path):
    from turnout.warehouse.duckdb import DuckDB

    db = DuckDB(tmp_path / "w.duckdb")
    db.copy(Table([{"id": 1, "v": "a"}]), "plain")
    db.upsert(Table([{"id": 1, "v": "b"}, {"id": 2, "v": "c"}]), "plain", "id")
    assert list(db.query("SELECT * FROM plain ORDER BY id")) == [
        {"id": 1, "v": "b"},
        {"id": 2, "v": "c"},
    ]
