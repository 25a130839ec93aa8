"""query() -> Table on every engine, and the training guide's incremental query."""

from __future__ import annotations

from turnout import Table


def test_query_returns_none_without_result_set(warehouse):
    assert warehouse.db.query(f"CREATE TABLE {warehouse.name('t')} (id BIGINT)") is None
    assert warehouse.db.query(f"INSERT INTO {warehouse.name('t')} VALUES (1)") is None


def test_query_with_no_rows_gives_empty_table_with_columns(warehouse):
    warehouse.db.copy(Table([{"id": 1, "name": "a"}]), warehouse.name("t"))
    result = warehouse.db.query(f"SELECT id, name FROM {warehouse.name('t')} WHERE id > 5")
    assert result.num_rows == 0
    assert result.columns == ["id", "name"]


def test_query_parameters(warehouse):
    warehouse.db.copy(
        Table([{"id": 1, "name": "O'Brady"}, {"id": 2, "name": "x"}]), warehouse.name("t")
    )
    placeholder = warehouse.db.placeholder
    result = warehouse.db.query(
        f"SELECT id FROM {warehouse.name('t')} WHERE name = {placeholder}", ["O'Brady"]
    )
    assert list(result) == [{"id": 1}]


def test_query_with_connection_batches_in_one_transaction(warehouse):
    name = warehouse.name("t")
    warehouse.db.copy(Table([{"id": 1}]), name)
    with warehouse.db.connection() as connection:
        warehouse.db.query_with_connection(f"DELETE FROM {name}", connection, commit=False)
        inside = warehouse.db.query_with_connection(
            f"SELECT COUNT(*) AS n FROM {name}", connection, commit=False
        )
        assert list(inside) == [{"n": 0}]
        connection.rollback()
    assert warehouse.rows(f"SELECT id FROM {name}") == [{"id": 1}]


def test_table_helper(warehouse):
    name = warehouse.name("t")
    warehouse.db.copy(Table([{"id": i, "v": str(i)} for i in range(5)]), name)
    table = warehouse.db.table(name)
    assert table.num_rows == 5
    assert table.columns == ["id", "v"]
    assert table.exists is True
    assert list(table.get_rows(offset=1, chunk_size=2, order_by="id DESC")) == [
        {"id": 3, "v": "3"},
        {"id": 2, "v": "2"},
    ]
    assert table.max_primary_key("id") == 4
    assert table.distinct_primary_key("id") is True
    table.truncate()
    assert table.num_rows == 0
    table.drop()
    assert warehouse.db.table_exists(name) is False


def test_guide_incremental_query(warehouse):
    """The training guide's step 2: users in participations not yet synced per the log table."""
    participations = Table(
        [
            {
                "user_id": 1,
                "given_name": "Ada",
                "family_name": "L",
                "email_address": "a@x.org",
                "phone_number": None,
                "postal_code": "02134",
            },
            {
                "user_id": 1,
                "given_name": "Ada",
                "family_name": "L",
                "email_address": "a@x.org",
                "phone_number": None,
                "postal_code": "02134",
            },
            {
                "user_id": 2,
                "given_name": "Bo",
                "family_name": "M",
                "email_address": "b@x.org",
                "phone_number": "555",
                "postal_code": "10001",
            },
            {
                "user_id": 3,
                "given_name": "Cy",
                "family_name": "N",
                "email_address": "c@x.org",
                "phone_number": None,
                "postal_code": "60601",
            },
            {
                "user_id": 4,
                "given_name": "Di",
                "family_name": "O",
                "email_address": "d@x.org",
                "phone_number": None,
                "postal_code": "94110",
            },
        ]
    )
    log = Table(
        [
            {
                "mobilizeid": 2,
                "actionnetworkid": "an-2",
                "synced": True,
                "errors": None,
                "date": "2024-01-01 10:00:00",
            },
            {
                "mobilizeid": 4,
                "actionnetworkid": None,
                "synced": None,
                "errors": "bad email",
                "date": "2024-01-01 10:00:01",
            },
        ]
    )
    warehouse.db.copy(participations, warehouse.name("mobilize_participations"))
    warehouse.db.copy(
        log, warehouse.name("mobilize_to_actionnetwork_log"), if_exists="drop", alter_table=True
    )
    warehouse.db.query(f"""
        CREATE TABLE {warehouse.name("mobilize_users_to_sync")} AS (
        SELECT DISTINCT
            user_id as mobilizeid
        , given_name
        , family_name
        , email_address
        , phone_number
        , postal_code
        FROM {warehouse.name("mobilize_participations")} as mob
        LEFT JOIN {warehouse.name("mobilize_to_actionnetwork_log")} as log
        on log.mobilizeid = mob.user_id
        WHERE log.synced is null
        )
    """)
    new_users = warehouse.db.query(
        f"SELECT * FROM {warehouse.name('mobilize_users_to_sync')} ORDER BY mobilizeid"
    )
    assert new_users.num_rows == 3
    assert list(new_users) == [
        {
            "mobilizeid": 1,
            "given_name": "Ada",
            "family_name": "L",
            "email_address": "a@x.org",
            "phone_number": None,
            "postal_code": "02134",
        },
        {
            "mobilizeid": 3,
            "given_name": "Cy",
            "family_name": "N",
            "email_address": "c@x.org",
            "phone_number": None,
            "postal_code": "60601",
        },
        {
            "mobilizeid": 4,
            "given_name": "Di",
            "family_name": "O",
            "email_address": "d@x.org",
            "phone_number": None,
            "postal_code": "94110",
        },
    ]
