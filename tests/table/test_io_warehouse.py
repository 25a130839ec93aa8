"""Table.to_postgres / Table.from_postgres against the real PostgreSQL of the test fixtures."""

from __future__ import annotations

from datetime import date

import pytest
from psycopg.conninfo import conninfo_to_dict

from turnout import Table


@pytest.fixture
def connection_args(postgres_url: str) -> dict:
    info = conninfo_to_dict(postgres_url)
    return {
        "username": info.get("user"),
        "password": info.get("password"),
        "host": info.get("host"),
        "db": info.get("dbname"),
        "port": int(info["port"]) if info.get("port") else None,
    }


def test_round_trip_through_postgres(connection_args: dict, pg_schema: str) -> None:
    tbl = Table(
        [
            {"id": 1, "zip": "02134", "joined": date(2022, 1, 22), "active": True},
            {"id": 2, "zip": "78737", "joined": date(2022, 2, 15), "active": False},
        ]
    )

    tbl.to_postgres(f"{pg_schema}.people", **connection_args)
    back = Table.from_postgres(f'SELECT * FROM "{pg_schema}".people ORDER BY id', **connection_args)

    assert back.columns == ["id", "zip", "joined", "active"]
    assert list(back) == [
        {"id": 1, "zip": "02134", "joined": date(2022, 1, 22), "active": True},
        {"id": 2, "zip": "78737", "joined": date(2022, 2, 15), "active": False},
    ]


def test_copy_arguments_are_passed_on(connection_args: dict, pg_schema: str) -> None:
    Table([{"id": 1}]).to_postgres(f"{pg_schema}.t", **connection_args)
    Table([{"id": 2}]).to_postgres(f"{pg_schema}.t", if_exists="append", **connection_args)

    back = Table.from_postgres(f'SELECT id FROM "{pg_schema}".t ORDER BY id', **connection_args)
    assert back["id"] == [1, 2]


def test_a_statement_without_rows_gives_none(connection_args: dict, pg_schema: str) -> None:
    assert (
        Table.from_postgres(f'CREATE TABLE "{pg_schema}".empty (a int)', **connection_args) is None
    )
