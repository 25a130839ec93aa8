"""Parsons' Redshift table utilities: look up tables, views and columns, rename, duplicate,
populate from a query, union. Identifiers are quoted; names and values go as parameters.

`where_clause`, `query` and `data_type` are SQL the caller writes, as in Parsons.
"""

from __future__ import annotations

import logging
from typing import Any

from turnout.errors import WarehouseError
from turnout.warehouse.identifiers import TableName, parse_table_name, quote_identifier
from turnout.warehouse.redshift_sql import distribution_clause

logger = logging.getLogger(__name__)


class RedshiftTableUtilities:
    """Mixed into Redshift; relies on its query(), connection() and _create_table_precheck()."""

    postgres_compatible: bool

    @staticmethod
    def split_full_table_name(full_table_name: str) -> tuple[str, str]:
        """`"schema.table"` -> ("schema", "table"); a bare name is in `public`, as in Parsons."""
        table = parse_table_name(full_table_name)
        return (table.schema or "public", table.name)

    @staticmethod
    def combine_schema_and_table_name(schema: str, table: str) -> str:
        return f"{schema}.{table}"

    def _value(self, sql: str, parameters: list[Any] | None = None) -> Any:
        with self.connection() as connection:
            rows = self._fetchall(connection, sql, parameters)
        return rows[0][0] if rows else None

    def schema_exists(self, schema: str) -> bool:
        sql = "SELECT COUNT(*) FROM pg_namespace WHERE nspname = %s"
        return self._value(sql, [schema]) > 0

    def get_tables(self, schema: str | None = None, table_name: str | None = None) -> Any:
        """Tables from pg_tables (schemaname, tablename, tableowner...), optionally filtered."""
        sql = "SELECT * FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        return self.query(
            sql + self._filters(schema, "tablename", table_name, "schemaname"),
            self._filter_values(schema, table_name),
        )

    def get_views(self, schema: str | None = None, view: str | None = None) -> Any:
        """Views from pg_views (schemaname, viewname, viewowner, definition)."""
        sql = "SELECT * FROM pg_views WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        return self.query(
            sql + self._filters(schema, "viewname", view, "schemaname"),
            self._filter_values(schema, view),
        )

    @staticmethod
    def _filters(schema: str | None, name_column: str, name: str | None, schema_column: str):
        clause = ""
        if schema is not None:
            clause += f" AND {schema_column} = %s"
        if name is not None:
            clause += f" AND {name_column} = %s"
        return clause + f" ORDER BY {schema_column}, {name_column}"

    @staticmethod
    def _filter_values(schema: str | None, name: str | None) -> list[str]:
        return [value for value in (schema, name) if value is not None]

    def get_columns(self, schema: str, table_name: str) -> dict[str, dict[str, Any]]:
        """{column: {data_type, max_length, max_precision, max_scale, is_nullable}}."""
        sql = (
            "SELECT column_name, data_type, character_maximum_length, numeric_precision, "
            "numeric_scale, is_nullable FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position"
        )
        with self.connection() as connection:
            rows = self._fetchall(connection, sql, [schema, table_name])
        return {
            name: {
                "data_type": data_type,
                "max_length": length,
                "max_precision": precision,
                "max_scale": scale,
                "is_nullable": nullable == "YES",
            }
            for name, data_type, length, precision, scale, nullable in rows
        }

    def get_columns_list(self, schema: str, table_name: str) -> list[str]:
        return list(self.get_columns(schema, table_name))

    def get_row_count(self, table_name: str) -> int:
        return self._value(f"SELECT COUNT(*) FROM {parse_table_name(table_name).quoted()}")

    def get_max_value(self, table_name: str, value_column: str) -> Any:
        column = quote_identifier(value_column)
        return self._value(f"SELECT MAX({column}) FROM {parse_table_name(table_name).quoted()}")

    def get_object_type(self, object_name: str) -> str | None:
        """ "table", "view", or None when nothing of that name exists."""
        table = parse_table_name(object_name)
        sql = (
            "SELECT table_type FROM information_schema.tables "
            "WHERE table_schema = COALESCE(%s, current_schema()) AND table_name = %s"
        )
        kind = self._value(sql, [table.schema, table.name])
        return {"BASE TABLE": "table", "VIEW": "view"}.get(kind)

    def is_table(self, object_name: str) -> bool:
        return self.get_object_type(object_name) == "table"

    def is_view(self, object_name: str) -> bool:
        return self.get_object_type(object_name) == "view"

    def rename_table(self, table_name: str, new_table_name: str) -> None:
        """Rename within the table's schema (`new_table_name` is a bare name)."""
        table = parse_table_name(table_name)
        new_name = parse_table_name(new_table_name).name
        self.query(f"ALTER TABLE {table.quoted()} RENAME TO {quote_identifier(new_name)}")
        logger.info("%s renamed to %s", table.display, new_name)

    def alter_table_column_type(
        self, table_name: str, column_name: str, data_type: str, varchar_width: int | None = None
    ) -> None:
        """ALTER COLUMN ... TYPE; `varchar_width` gives `varchar(n)`."""
        table = parse_table_name(table_name)
        sql_type = f"varchar({int(varchar_width)})" if varchar_width else data_type
        self.query(
            f"ALTER TABLE {table.quoted()} ALTER COLUMN {quote_identifier(column_name)} "
            f"TYPE {sql_type}"
        )

    def populate_table_from_query(
        self,
        query: str,
        destination_table: str,
        if_exists: str = "fail",
        distkey: str | None = None,
        sortkey: str | list[str] | None = None,
    ) -> None:
        """Create (or fill) `destination_table` from `query`, in one transaction."""
        table = parse_table_name(destination_table)
        with self.connection() as connection:
            if self._create_table_precheck(connection, table, if_exists):
                clause = "" if self.postgres_compatible else distribution_clause(distkey, sortkey)
                self._run(connection, f"CREATE TABLE {table.quoted()}{clause} AS {query}", table)
            else:
                self._run(connection, f"INSERT INTO {table.quoted()} {query}", table)

    def duplicate_table(
        self,
        source_table: str,
        destination_table: str,
        where_clause: str = "",
        if_exists: str = "fail",
        drop_source_table: bool = False,
    ) -> None:
        """Copy `source_table`'s rows (those matching `where_clause`) into a new table."""
        source = parse_table_name(source_table)
        destination = parse_table_name(destination_table)
        where = f" {where_clause}" if where_clause else ""
        with self.connection() as connection:
            if self._create_table_precheck(connection, destination, if_exists):
                self._run(
                    connection,
                    f"CREATE TABLE {destination.quoted()} (LIKE {source.quoted()})",
                    destination,
                )
            self._run(
                connection,
                f"INSERT INTO {destination.quoted()} SELECT * FROM {source.quoted()}{where}",
                destination,
            )
            if drop_source_table:
                self._run(connection, f"DROP TABLE {source.quoted()}", source)

    def move_table(
        self, source_table: str, new_table: str, drop_source_table: bool = False
    ) -> None:
        # Redshift's ALTER TABLE APPEND cannot run in a transaction; a copy keeps it atomic.
        self.duplicate_table(source_table, new_table, drop_source_table=drop_source_table)

    def union_tables(
        self, new_table_name: str, tables: list[str], union_all: bool = True, view: bool = False
    ) -> None:
        """A table (or view) holding the rows of `tables` stacked."""
        if not tables:
            raise WarehouseError("union_tables needs at least one table")
        joiner = " UNION ALL " if union_all else " UNION "
        selects = joiner.join(f"SELECT * FROM {parse_table_name(t).quoted()}" for t in tables)
        target: TableName = parse_table_name(new_table_name)
        kind = "VIEW" if view else "TABLE"
        self.query(f"CREATE {kind} {target.quoted()} AS {selects}")

    def get_view_definition(self, view: str) -> str | None:
        """The SELECT a view runs (pg_get_viewdef), or None when there is no such view."""
        table = parse_table_name(view)
        sql = (
            "SELECT pg_get_viewdef(c.oid) FROM pg_class AS c "
            "JOIN pg_namespace AS n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'v' AND n.nspname = COALESCE(%s, current_schema()) "
            "AND c.relname = %s"
        )
        return self._value(sql, [table.schema, table.name])

    def get_view_definitions(self, schema: str | None = None, view: str | None = None) -> Any:
        """A Table of views (`view` as `schema.name`) and their definitions (`ddl`)."""
        sql = (
            "SELECT schemaname || '.' || viewname AS view, definition AS ddl FROM pg_views "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        )
        return self.query(
            sql + self._filters(schema, "viewname", view, "schemaname"),
            self._filter_values(schema, view),
        )

    def get_search_path(self) -> list[str]:
        path = self._value("SELECT current_setting('search_path')") or ""
        return [part.strip() for part in path.split(",") if part.strip()]

    def set_search_path(self, schema: str, permanent: bool = True) -> None:
        """Set the search path to `schema` (a name or a list); `permanent` stores it on the
        user, otherwise it only lasts for the connection `.client`."""
        schemas = [schema] if isinstance(schema, str) else list(schema)
        path = ", ".join(quote_identifier(name) for name in schemas)
        if permanent:
            self.query(f"ALTER USER {quote_identifier(self.username)} SET search_path TO {path}")
        self.client.execute(f"SET search_path TO {path}")
        self.client.commit()

    def add_schema_to_search_path(self, schema: str, permanent: bool = True) -> None:
        current = self.get_search_path()
        if schema not in current:
            self.set_search_path([*current, schema], permanent=permanent)

    _PERMISSIONS = ("select", "insert", "update", "delete", "references", "all")

    def grant_schema_permissions(
        self, schema: str, group: str, permissions_type: str = "select"
    ) -> None:
        """Grant `group` usage of `schema` and `permissions_type` on all its tables."""
        if permissions_type.lower() not in self._PERMISSIONS:
            raise WarehouseError(f"permissions_type must be one of {self._PERMISSIONS!r}")
        quoted_schema, quoted_group = quote_identifier(schema), quote_identifier(group)
        self.query(f"GRANT USAGE ON SCHEMA {quoted_schema} TO GROUP {quoted_group}")
        self.query(
            f"GRANT {permissions_type.upper()} ON ALL TABLES IN SCHEMA {quoted_schema} "
            f"TO GROUP {quoted_group}"
        )

    def create_schema_with_permissions(self, schema: str, group: str | None = None) -> None:
        """Create `schema` if it is missing; grant `group` select on it when given."""
        self.query(f"CREATE SCHEMA IF NOT EXISTS {quote_identifier(schema)}")
        if group:
            self.grant_schema_permissions(schema, group)
