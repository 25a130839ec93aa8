"""copy() on every engine: if_exists modes, round trips, the known traps, and bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from turnout import Table
from turnout.errors import TableExistsError, WarehouseError


def _ids(engine, table: str, order: str = "id") -> list[dict]:
    return engine.rows(f'SELECT * FROM {engine.schema}.{table} ORDER BY "{order}"')


def test_copy_round_trip_keeps_types(warehouse):
    tbl = Table(
        [
            {
                "id": 1,
                "name": "Ada",
                "zip": "02134",
                "active": True,
                "born": dt.date(1990, 5, 17),
                "seen": dt.datetime(2024, 3, 1, 9, 30, 15, 123456),
                "score": 0.1 + 0.2,
                "huge": 2**70,
                "tags": ["a", "b"],
                "address": {"city": "Boston"},
                "nothing": None,
            },
            {
                "id": 2,
                "name": "Bé",
                "zip": None,
                "active": False,
                "born": None,
                "seen": None,
                "score": -1.5,
                "huge": -(2**65),
                "tags": [],
                "address": None,
                "nothing": None,
            },
        ]
    )
    warehouse.db.copy(tbl, warehouse.name("people"))

    # Redshift has no JSON column type: dicts and lists land as their JSON text in a varchar.
    as_text = warehouse.kind == "redshift_on_postgres"
    assert _ids(warehouse, "people") == [
        {
            "id": 1,
            "name": "Ada",
            "zip": "02134",
            "active": True,
            "born": dt.date(1990, 5, 17),
            "seen": dt.datetime(2024, 3, 1, 9, 30, 15, 123456),
            "score": 0.30000000000000004,
            "huge": 1180591620717411303424,
            "tags": '["a","b"]' if as_text else ["a", "b"],
            "address": '{"city":"Boston"}' if as_text else {"city": "Boston"},
            "nothing": None,
        },
        {
            "id": 2,
            "name": "Bé",
            "zip": None,
            "active": False,
            "born": None,
            "seen": None,
            "score": -1.5,
            "huge": -36893488147419103232,
            "tags": "[]" if as_text else [],
            "address": None,
            "nothing": None,
        },
    ]


def _column_types(engine, table: str) -> dict[str, str]:
    rows = engine.rows(
        "SELECT column_name, data_type FROM information_schema.columns "
        f"WHERE table_schema = {engine.db.placeholder} AND table_name = {engine.db.placeholder}",
        [engine.schema, table],
    )
    return {row["column_name"]: row["data_type"].lower() for row in rows}


EXPECTED_TYPES = {
    "duckdb": {
        "flag_int": "varchar",
        "int_flag": "varchar",
        "day": "date",
        "moment": "timestamp",
        "huge": "decimal(38,0)",
        "empty": "varchar",
        "ratio": "double",
        "zip": "varchar",
    },
    "postgres": {
        "flag_int": "text",
        "int_flag": "text",
        "day": "date",
        "moment": "timestamp without time zone",
        "huge": "numeric",
        "empty": "text",
        "ratio": "double precision",
        "zip": "text",
    },
    "redshift_on_postgres": {
        "flag_int": "character varying",
        "int_flag": "character varying",
        "day": "date",
        "moment": "timestamp without time zone",
        "huge": "numeric",
        "empty": "character varying",
        "ratio": "double precision",
        "zip": "character varying",
    },
}


def test_type_inference_traps(warehouse):
    tbl = Table.from_columns(
        {
            "flag_int": [True, 5],
            "int_flag": [5, True],
            "day": [dt.date(2024, 1, 1), None],
            "moment": [None, dt.datetime(2024, 1, 1, 12, 0)],
            "huge": [2**64, 1],
            "empty": [None, None],
            "ratio": [1.0, 2.0],
            "zip": ["02134", "10001"],
        }
    )
    warehouse.db.copy(tbl, warehouse.name("traps"))

    assert _column_types(warehouse, "traps") == EXPECTED_TYPES[warehouse.kind]
    rows = warehouse.rows(f"SELECT * FROM {warehouse.name('traps')} ORDER BY ratio")
    assert rows == [
        {
            "flag_int": "true",
            "int_flag": "5",
            "day": dt.date(2024, 1, 1),
            "moment": None,
            "huge": 18446744073709551616,
            "empty": None,
            "ratio": 1.0,
            "zip": "02134",
        },
        {
            "flag_int": "5",
            "int_flag": "true",
            "day": None,
            "moment": dt.datetime(2024, 1, 1, 12, 0),
            "huge": 1,
            "empty": None,
            "ratio": 2.0,
            "zip": "10001",
        },
    ]


def test_if_exists_fail_raises_and_keeps_table(warehouse):
    name = warehouse.name("t")
    warehouse.db.copy(Table([{"id": 1}]), name)
    with pytest.raises(TableExistsError, match=r"already exists"):
        warehouse.db.copy(Table([{"id": 2}]), name)
    assert _ids(warehouse, "t") == [{"id": 1}]


def test_if_exists_bad_mode(warehouse):
    with pytest.raises(WarehouseError, match="if_exists must be one of"):
        warehouse.db.copy(Table([{"id": 1}]), warehouse.name("t"), if_exists="replace")


def test_if_exists_drop_replaces_schema_and_rows(warehouse):
    name = warehouse.name("t")
    warehouse.db.copy(Table([{"id": 1, "old": "x"}]), name)
    warehouse.db.copy(Table([{"id": 2, "new": 3.5}]), name, if_exists="drop")
    assert _ids(warehouse, "t") == [{"id": 2, "new": 3.5}]


def test_if_exists_truncate_keeps_schema(warehouse):
    name = warehouse.name("t")
    warehouse.db.copy(Table([{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]), name)
    warehouse.db.copy(Table([{"id": 3, "name": "c"}]), name, if_exists="truncate")
    assert _ids(warehouse, "t") == [{"id": 3, "name": "c"}]


def test_append_matches_columns_by_name_and_fills_defaults(warehouse):
    name = warehouse.name("t")
    warehouse.db.query(
        f"CREATE TABLE {name} (id BIGINT, name VARCHAR(20), city VARCHAR(20) DEFAULT 'none')"
    )
    warehouse.db.copy(Table([{"id": 1, "name": "a", "city": "x"}]), name, if_exists="append")
    warehouse.db.copy(Table([{"name": "b", "id": 2}]), name, if_exists="append")
    assert _ids(warehouse, "t") == [
        {"id": 1, "name": "a", "city": "x"},
        {"id": 2, "name": "b", "city": "none"},
    ]


def test_append_unknown_column_needs_alter_table(warehouse):
    name = warehouse.name("t")
    warehouse.db.copy(Table([{"id": 1}]), name)
    with pytest.raises(WarehouseError, match=r"has no column 'extra'"):
        warehouse.db.copy(Table([{"id": 2, "extra": "x"}]), name, if_exists="append")
    warehouse.db.copy(Table([{"id": 2, "extra": "x"}]), name, if_exists="append", alter_table=True)
    assert _ids(warehouse, "t") == [{"id": 1, "extra": None}, {"id": 2, "extra": "x"}]


def test_schema_qualified_name_means_two_identifiers(warehouse):
    # A table literally named "s.t" in the default schema must not be touched.
    warehouse.db.copy(Table([{"id": 1}]), warehouse.name("my_table"))
    assert warehouse.db.table_exists(warehouse.name("my_table"))
    assert not warehouse.db.table_exists("my_table")
    assert not warehouse.db.table_exists(f'"{warehouse.schema}.my_table"')
    assert warehouse.db.table(warehouse.name("my_table")).num_rows == 1


def test_table_exists_views(warehouse):
    name = warehouse.name("t")
    warehouse.db.copy(Table([{"id": 1}]), name)
    warehouse.db.query(f"CREATE VIEW {warehouse.name('v')} AS SELECT id FROM {name}")
    assert warehouse.db.table_exists(warehouse.name("v")) is True
    assert warehouse.db.table_exists(warehouse.name("v"), view=False) is False


def test_awkward_column_names_load_as_written(warehouse):
    tbl = Table([{"First Name": "a", "ID": 1, 'say "hi"': "q", "select": True, "from": None}])
    warehouse.db.copy(tbl, warehouse.name("odd"))
    assert warehouse.rows(f"SELECT * FROM {warehouse.name('odd')}") == [
        {"First Name": "a", "ID": 1, 'say "hi"': "q", "select": True, "from": None}
    ]


def test_schema_that_does_not_exist_is_created(warehouse):
    schema = warehouse.schema + "_new"
    try:
        warehouse.db.copy(Table([{"id": 1}]), f"{schema}.t")
        assert warehouse.rows(f"SELECT * FROM {schema}.t") == [{"id": 1}]
    finally:
        warehouse.db.query(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def test_mixed_int_and_text_column_loads_as_text(warehouse):
    warehouse.db.copy(
        Table.from_columns({"id": [1, 2, 3], "v": [1, "a", None]}), warehouse.name("m")
    )
    assert [row["v"] for row in _ids(warehouse, "m")] == ["1", "a", None]


def test_text_into_integer_column_names_table_and_keeps_data(warehouse):
    name = warehouse.name("t")
    warehouse.db.copy(Table([{"id": 1, "n": 10}]), name)
    with pytest.raises(WarehouseError, match=rf"{warehouse.schema}\.t") as caught:
        warehouse.db.copy(
            Table.from_columns({"id": [2, 3], "n": [20, "abc"]}), name, if_exists="truncate"
        )
    # Every engine names the row and column and gives the engine's own reason (DuckDB's is not
    # replaced by the error of cleaning up in the aborted transaction).
    cause = {
        "duckdb": "Conversion Error: Could not convert string 'abc' to INT64",
        "postgres": 'invalid input syntax for type bigint: "abc"',
        "redshift_on_postgres": 'invalid input syntax for type bigint: "abc"',
    }[warehouse.kind]
    assert f"the table is unchanged: row 1, column 'n': {cause}" in str(caught.value)
    assert "Current transaction is aborted" not in str(caught.value)
    assert _ids(warehouse, "t") == [{"id": 1, "n": 10}]


def test_duckdb_load_error_names_the_first_bad_row_and_column(tmp_path):
    from turnout.warehouse.duckdb import DuckDB

    db = DuckDB(tmp_path / "w.duckdb")
    db.copy(Table([{"a": 1, "b": 2}]), "t")
    bad = Table.from_columns({"a": [5, 6, 7], "b": ["3", "4", "x"]})
    with pytest.raises(WarehouseError) as caught:
        db.copy(bad, "t", if_exists="append")

    assert str(caught.value) == (
        "copy to t failed; the table is unchanged: row 2, column 'b': Conversion Error: "
        "Could not convert string 'x' to INT64 when casting from source column b"
    )
    assert db.query("SELECT a, b FROM t").to_dicts() == [{"a": 1, "b": 2}]
    # The connection is usable afterwards: the failed load's view did not linger.
    db.copy(Table([{"a": 8, "b": 9}]), "t", if_exists="append")
    assert db.query("SELECT a, b FROM t ORDER BY a").to_dicts() == [
        {"a": 1, "b": 2},
        {"a": 8, "b": 9},
    ]


def test_drop_failure_keeps_old_table(warehouse):
    name = warehouse.name("t")
    warehouse.db.copy(Table([{"id": 1, "n": 10}]), name)
    with pytest.raises(WarehouseError):
        warehouse.db.copy(
            Table([{"id": 2, "n": 3}]),
            name,
            if_exists="drop",
            columntypes={"n": "DATE"},
        )
    assert _ids(warehouse, "t") == [{"id": 1, "n": 10}]


def test_empty_table_creates_columns(warehouse):
    warehouse.db.copy(Table.from_columns({"id": [], "name": []}), warehouse.name("e"))
    result = warehouse.db.query(f"SELECT * FROM {warehouse.name('e')}")
    assert result.columns == ["id", "name"]
    assert result.num_rows == 0


def test_table_without_columns_is_refused(warehouse):
    with pytest.raises(WarehouseError, match="has no columns"):
        warehouse.db.copy(Table([]), warehouse.name("e"))


def test_nul_byte(warehouse):
    name = warehouse.name("t")
    warehouse.db.copy(Table([{"id": 1, "note": "fine"}]), name)
    tbl = Table([{"id": 2, "note": "ok"}, {"id": 3, "note": "bad\x00byte"}])
    if warehouse.kind == "duckdb":
        warehouse.db.copy(tbl, name, if_exists="append")
        assert _ids(warehouse, "t")[2] == {"id": 3, "note": "bad\x00byte"}
        return
    with pytest.raises(WarehouseError) as caught:
        warehouse.db.copy(tbl, name, if_exists="append")
    message = str(caught.value)
    assert f"{warehouse.schema}.t" in message and "'note'" in message and "row 1" in message
    assert "NUL" in message
    assert _ids(warehouse, "t") == [{"id": 1, "note": "fine"}]


def test_value_wider_than_varchar_without_alter_table(sized_warehouse):
    name = sized_warehouse.name("t")
    sized_warehouse.db.query(f"CREATE TABLE {name} (id BIGINT, name VARCHAR(5))")
    sized_warehouse.db.copy(Table([{"id": 1, "name": "abc"}]), name, if_exists="append")
    with pytest.raises(WarehouseError) as caught:
        sized_warehouse.db.copy(
            Table([{"id": 2, "name": "ok"}, {"id": 3, "name": "much too wide"}]),
            name,
            if_exists="append",
        )
    message = str(caught.value)
    assert "'name'" in message and "row 1" in message and "alter_table=True" in message
    assert _ids(sized_warehouse, "t") == [{"id": 1, "name": "abc"}]


def test_alter_table_widens_varchar(sized_warehouse):
    name = sized_warehouse.name("t")
    sized_warehouse.db.query(f'CREATE TABLE {name} (id BIGINT, "Full Name" VARCHAR(3))')
    # 4 characters, 8 bytes in UTF-8: Redshift counts bytes, PostgreSQL characters.
    sized_warehouse.db.copy(
        Table([{"id": 1, "Full Name": "éééé"}]), name, if_exists="append", alter_table=True
    )
    width = sized_warehouse.rows(
        "SELECT character_maximum_length AS width FROM information_schema.columns "
        "WHERE table_schema = %s AND table_name = 't' AND column_name = 'Full Name'",
        [sized_warehouse.schema],
    )[0]["width"]
    assert width == (8 if sized_warehouse.kind == "redshift_on_postgres" else 4)
    assert _ids(sized_warehouse, "t") == [{"id": 1, "Full Name": "éééé"}]


def test_alter_table_with_dependent_view(sized_warehouse):
    name = sized_warehouse.name("t")
    view = sized_warehouse.name("v")
    sized_warehouse.db.query(f"CREATE TABLE {name} (id BIGINT, name VARCHAR(3))")
    sized_warehouse.db.query(f"CREATE VIEW {view} AS SELECT id, name FROM {name}")
    wide = Table([{"id": 1, "name": "abcdef"}])
    with pytest.raises(WarehouseError, match=r"alter_table_cascade=True"):
        sized_warehouse.db.copy(wide, name, if_exists="append", alter_table=True)
    sized_warehouse.db.copy(
        wide, name, if_exists="append", alter_table=True, alter_table_cascade=True
    )
    assert sized_warehouse.rows(f"SELECT * FROM {view}") == [{"id": 1, "name": "abcdef"}]


def test_decimal_round_trip(warehouse):
    from decimal import Decimal

    tbl = Table.from_columns(
        {"id": [1, 2, 3], "amount": [Decimal("12.50"), Decimal("-0.01"), None]}
    )
    warehouse.db.copy(tbl, warehouse.name("money"))
    assert [row["amount"] for row in _ids(warehouse, "money")] == [
        Decimal("12.50"),
        Decimal("-0.01"),
        None,
    ]


def test_alter_table_widens_integer_columns(warehouse):
    name = warehouse.name("t")
    warehouse.db.query(f"CREATE TABLE {name} (id INTEGER, n SMALLINT)")
    warehouse.db.copy(Table([{"id": 1, "n": 2}]), name, if_exists="append")
    big = Table([{"id": 2**40, "n": 2**20}])
    with pytest.raises(WarehouseError, match=rf"{warehouse.schema}\.t"):
        warehouse.db.copy(big, name, if_exists="append")
    if warehouse.kind == "redshift_on_postgres":
        # Redshift cannot change a column's integer type: the load fails, the table is intact.
        with pytest.raises(WarehouseError):
            warehouse.db.copy(big, name, if_exists="append", alter_table=True)
        assert _ids(warehouse, "t") == [{"id": 1, "n": 2}]
        return
    warehouse.db.copy(big, name, if_exists="append", alter_table=True)
    assert _ids(warehouse, "t") == [{"id": 1, "n": 2}, {"id": 2**40, "n": 2**20}]
    assert {
        row["data_type"]
        for row in warehouse.rows(
            "SELECT data_type FROM information_schema.columns "
            f"WHERE table_schema = {warehouse.db.placeholder} AND table_name = 't'",
            [warehouse.schema],
        )
    } == {"bigint" if warehouse.kind == "postgres" else "BIGINT"}


# --- values an integer column would change: refused or widened, never rounded ------------------


def _column_type(warehouse, table: str, column: str) -> str:
    rows = warehouse.rows(
        "SELECT data_type FROM information_schema.columns WHERE table_schema = "
        f"{warehouse.db.placeholder} AND table_name = {warehouse.db.placeholder} "
        f"AND column_name = {warehouse.db.placeholder}",
        [warehouse.schema, table, column],
    )
    return rows[0]["data_type"].lower()


def _widen_hint(warehouse) -> str:
    if warehouse.kind == "redshift_on_postgres":
        return "redshift cannot change an integer column's type"
    return "pass alter_table=True to widen the column"


def test_floats_into_an_integer_column_are_refused_not_rounded(warehouse):
    name = warehouse.name("t")
    warehouse.db.copy(Table([{"id": 1, "a": 1}]), name)
    floats = Table.from_columns({"id": [2, 3], "a": [2.0, 2.7]})

    with pytest.raises(WarehouseError) as caught:
        warehouse.db.copy(floats, name, if_exists="append")

    assert str(caught.value) == (
        f"copy to {warehouse.schema}.t: column 'a', row 1: the column is bigint and the "
        f"Table's values are floats (2.7), which it would round; {_widen_hint(warehouse)}"
    )
    assert _ids(warehouse, "t") == [{"id": 1, "a": 1}]
    assert _column_type(warehouse, "t", "a") == "bigint"


def test_alter_table_widens_an_integer_column_for_floats(warehouse):
    name = warehouse.name("t")
    warehouse.db.copy(Table([{"id": 1, "a": 1}]), name)
    floats = Table.from_columns({"id": [2, 3], "a": [1.5, 2.7]})

    if warehouse.kind == "redshift_on_postgres":
        # Redshift cannot change an integer column's type: refused before anything changes.
        with pytest.raises(WarehouseError) as caught:
            warehouse.db.copy(floats, name, if_exists="append", alter_table=True)
        assert str(caught.value) == (
            f"copy to {warehouse.schema}.t: column 'a', row 0: the column is bigint and the "
            "Table's values are floats (1.5), which it would round; redshift cannot change an "
            "integer column's type"
        )
        assert _ids(warehouse, "t") == [{"id": 1, "a": 1}]
        return

    warehouse.db.copy(floats, name, if_exists="append", alter_table=True)
    warehouse.db.upsert(Table([{"id": 4, "a": 0.25}]), name, "id")

    assert _ids(warehouse, "t") == [
        {"id": 1, "a": 1.0},
        {"id": 2, "a": 1.5},
        {"id": 3, "a": 2.7},
        {"id": 4, "a": 0.25},
    ]
    assert (
        _column_type(warehouse, "t", "a")
        == {"duckdb": "double", "postgres": "double precision"}[warehouse.kind]
    )


@pytest.mark.parametrize("alter_table", [False, True])
def test_booleans_into_a_number_column_are_refused_even_with_alter_table(warehouse, alter_table):
    name = warehouse.name("t")
    warehouse.db.copy(Table.from_columns({"id": [1], "n": [1], "x": [0.5]}), name)

    for column, data_type in (("n", "bigint"), ("x", "double precision")):
        spelled = "double" if warehouse.kind == "duckdb" and column == "x" else data_type
        flags = Table.from_columns({"id": [2, 3], column: [None, True]})
        with pytest.raises(WarehouseError) as caught:
            warehouse.db.copy(flags, name, if_exists="append", alter_table=alter_table)
        assert str(caught.value) == (
            f"copy to {warehouse.schema}.t: column {column!r}, row 1: the column is {spelled} "
            "and the value is the boolean True, which a number column does not store (not even "
            f"with alter_table); convert the column first, e.g. convert_column({column!r}, int)"
        )

    assert _ids(warehouse, "t") == [{"id": 1, "n": 1, "x": 0.5}]
    assert _column_type(warehouse, "t", "n") == "bigint"


@pytest.mark.parametrize("alter_table", [False, True])
def test_numbers_into_a_boolean_column_are_refused(warehouse, alter_table):
    from decimal import Decimal

    name = warehouse.name("t")
    warehouse.db.copy(Table([{"id": 1, "ok": True}]), name)

    cases = [([7, 5], 0, "7"), ([None, 2.5], 1, "2.5"), ([Decimal("1.5")], 0, "'1.5'")]
    for values, row, shown in cases:
        numbers = Table.from_columns({"id": list(range(2, 2 + len(values))), "ok": values})
        with pytest.raises(WarehouseError) as caught:
            warehouse.db.copy(numbers, name, if_exists="append", alter_table=alter_table)
        assert str(caught.value) == (
            f"copy to {warehouse.schema}.t: column 'ok', row {row}: the column is boolean and "
            f"the value is the number {shown}, which a boolean column does not store (not even "
            "with alter_table); convert the column to True/False first"
        )

    assert _ids(warehouse, "t") == [{"id": 1, "ok": True}]


def test_decimals_with_a_fraction_into_an_integer_column(warehouse):
    from decimal import Decimal

    name = warehouse.name("t")
    warehouse.db.copy(Table([{"id": 1, "a": 7}]), name)
    money = Table.from_columns({"id": [2, 3], "a": [Decimal("3"), Decimal("1.25")]})

    with pytest.raises(WarehouseError) as caught:
        warehouse.db.copy(money, name, if_exists="append")
    assert str(caught.value) == (
        f"copy to {warehouse.schema}.t: column 'a', row 1: the column is bigint and the Table's "
        f"values are decimals ('1.25'), which it would round; {_widen_hint(warehouse)}"
    )
    assert _ids(warehouse, "t") == [{"id": 1, "a": 7}]
    if warehouse.kind == "redshift_on_postgres":
        return

    warehouse.db.copy(money, name, if_exists="append", alter_table=True)

    assert _ids(warehouse, "t") == [
        {"id": 1, "a": Decimal("7.00")},
        {"id": 2, "a": Decimal("3.00")},
        {"id": 3, "a": Decimal("1.25")},
    ]


def test_two_table_columns_matching_one_target_column_are_refused(warehouse):
    name = warehouse.name("t")
    warehouse.db.copy(Table([{"id": 1, "a": 1}]), name)
    both = Table.from_columns({"id": [2], "A": [5], "a": [6]})

    with pytest.raises(WarehouseError) as caught:
        warehouse.db.copy(both, name, if_exists="append")

    if warehouse.kind == "duckdb":  # refused as the Table is prepared: one name in DuckDB
        expected = (
            f"copy to {warehouse.schema}.t: columns 'A' and 'a' differ only in case, and duckdb "
            "column names ignore case; rename one of them"
        )
    else:  # two names, but append matches "A" to the table's "a" too
        expected = (
            f"copy to {warehouse.schema}.t: columns ['A', 'a'] of the Table all match the "
            "table's column 'a'; rename all but one"
        )
    assert str(caught.value) == expected
    assert _ids(warehouse, "t") == [{"id": 1, "a": 1}]
