"""DuckDB: the embedded default warehouse, a single file with no server.

The same interface as Postgres and Redshift (copy, upsert, query, table_exists, table). Loads
go through Arrow: the prepared polars frame is registered as a view and inserted in one
statement, inside the copy's transaction.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

import duckdb
import orjson
import platformdirs
import pyarrow as pa

from turnout.errors import WarehouseError
from turnout.warehouse.base import Warehouse, rows_to_table
from turnout.warehouse.identifiers import TableName, column_list, quote_identifier
from turnout.warehouse.load import PreparedLoad
from turnout.warehouse.types import DUCKDB

logger = logging.getLogger(__name__)

ENV_PATH = "TURNOUT_DUCKDB_PATH"

# Statement types whose "result" is only a row count: Parsons returns None for those.
_NO_RESULT = {
    "INSERT",
    "UPDATE",
    "DELETE",
    "CREATE",
    "DROP",
    "ALTER",
    "COPY",
    "TRANSACTION",
    "SET",
    "VARIABLE_SET",
    "ATTACH",
    "DETACH",
    "LOAD",
    "VACUUM",
    "ANALYZE",
    "CREATE_FUNC",
}


def default_database_path() -> Path:
    """`warehouse.duckdb` under the user's data directory (created on first use)."""
    return Path(platformdirs.user_data_dir("turnout", appauthor=False)) / "warehouse.duckdb"


class DuckDB(Warehouse):
    """A DuckDB database file: `database` argument, else `TURNOUT_DUCKDB_PATH`, else
    `default_database_path()`. `":memory:"` gives a database that lives as long as the object.

    `.client` is the underlying `duckdb.DuckDBPyConnection`.
    """

    dialect = DUCKDB
    placeholder = "?"
    _driver_errors = (duckdb.Error,)

    def __init__(self, database: str | os.PathLike[str] | None = None, read_only: bool = False):
        chosen = database if database is not None else os.environ.get(ENV_PATH)
        if chosen is None:
            chosen = default_database_path()
        if str(chosen) != ":memory:":
            path = Path(chosen).expanduser()
            path.parent.mkdir(parents=True, exist_ok=True)
            chosen = str(path)
        self.database = str(chosen)
        self.read_only = read_only
        self._client: duckdb.DuckDBPyConnection | None = None

    def __repr__(self) -> str:
        return f"DuckDB(database={self.database!r})"

    @property
    def client(self) -> duckdb.DuckDBPyConnection:
        if self._client is None:
            self._client = duckdb.connect(self.database, read_only=self.read_only)
        return self._client

    def close(self) -> None:
        """Close the database file (a later call opens it again)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def _connect(self) -> duckdb.DuckDBPyConnection:
        return self.client.cursor()

    def _begin(self, connection: Any) -> None:
        connection.begin()

    def _execute(self, connection: Any, sql: str, parameters: Any = None) -> Any:
        logger.debug("SQL: %s", sql)
        if parameters and not isinstance(parameters, dict):
            sql = percent_placeholders_to_qmark(sql)
        try:
            connection.execute(sql, list(parameters) if parameters else None)
        except duckdb.Error as error:
            raise WarehouseError(f"query failed: {str(error).strip()}") from error
        return connection

    def query_with_connection(
        self, sql: str, connection: Any, parameters: Any = None, commit: bool = True
    ) -> Any | None:
        cursor = self._execute(connection, sql, parameters)
        result = None
        if cursor.description is not None and not _is_count_only(sql, cursor):
            result = _result_table(cursor.description, cursor.fetchall())
        if commit:
            connection.commit()
            self._begin(connection)
        return result

    def _bulk_load(
        self, connection: Any, table: TableName, load: PreparedLoad, **options: Any
    ) -> None:
        view = f"turnout_load_{secrets.token_hex(4)}"
        columns = column_list(load.columns)
        arrow = load.frame.to_arrow()
        target_types = [
            str(column[1])
            for column in connection.execute(
                f"SELECT {columns} FROM {table.quoted()} LIMIT 0"
            ).description
        ]
        connection.register(view, arrow)
        try:
            connection.execute(
                f"INSERT INTO {table.quoted()} ({columns}) SELECT {columns} FROM {view}"
            )
        except duckdb.Error as error:
            # The transaction is aborted now: any statement on this connection (unregister
            # included) would fail and hide this error. The view goes when the copy rolls back
            # and closes the connection.
            raise _LoadError(error, self._first_bad_value(load, arrow, target_types)) from error
        connection.unregister(view)

    def _first_bad_value(
        self, load: PreparedLoad, arrow: Any, target_types: list[str]
    ) -> tuple[int, str] | None:
        """(row, column) of the first value DuckDB cannot cast to its target column's type,
        found on a fresh connection (the load's own is in an aborted transaction)."""
        probe = self.client.cursor()
        view = f"turnout_probe_{secrets.token_hex(4)}"
        try:
            probe.register(view, arrow.append_column(_ROW, pa.array(range(arrow.num_rows))))
            for name, target_type in zip(load.columns, target_types):
                column = quote_identifier(name)
                found = probe.execute(
                    f"SELECT MIN({_ROW}) FROM {view} WHERE {column} IS NOT NULL "
                    f"AND TRY_CAST({column} AS {target_type}) IS NULL"
                ).fetchall()[0][0]
                if found is not None:
                    return int(found), name
        except duckdb.Error as error:  # the probe only adds detail; the load error stands
            logger.debug("could not find the value that failed the load: %s", error)
        finally:
            probe.close()
        return None

    def _describe_load_error(self, error: BaseException, load: PreparedLoad) -> str:
        if isinstance(error, _LoadError):
            message = _first_line(error.cause)
            if error.where is None:
                return message
            row, column = error.where
            return f"row {row}, column {column!r}: {message}"
        return _first_line(error)


_ROW = "__turnout_row"


class _LoadError(duckdb.Error):
    """The INSERT of a load failed; `where` is (row, column) of the first value at fault."""

    def __init__(self, cause: duckdb.Error, where: tuple[int, str] | None) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.where = where


def _first_line(error: BaseException) -> str:
    """DuckDB's message without the SQL excerpt (`LINE 1: ...`) it appends."""
    text = str(error).strip()
    return text.split("\n\nLINE ", 1)[0].strip()


def percent_placeholders_to_qmark(sql: str) -> str:
    """Rewrite psycopg-style `%s` placeholders (Parsons' docs use them) as DuckDB's `?`, outside
    quoted strings and identifiers; SQL already written with `?` or `$1` is left as it is."""
    if "%s" not in sql:
        return sql
    out: list[str] = []
    quote: str | None = None
    index = 0
    while index < len(sql):
        char = sql[index]
        if quote is not None:
            if char == quote:
                quote = None
        elif char in ("'", '"'):
            quote = char
        elif sql.startswith("%s", index):
            out.append("?")
            index += 2
            continue
        elif sql.startswith("%%", index):
            out.append("%")
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _is_count_only(sql: str, cursor: Any) -> bool:
    """True when the statement returns only DuckDB's row count (DDL, INSERT without RETURNING)."""
    description = cursor.description
    if len(description) != 1 or description[0][0] != "Count":
        return False
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error:
        return False
    return bool(statements) and statements[-1].type.name in _NO_RESULT


def _result_table(description: list[tuple], rows: list[tuple]) -> Any:
    """A Table from a DuckDB result: JSON columns parsed, integral DECIMAL(38,0) as ints."""
    converters: list[Any] = []
    for column in description:
        type_name = str(column[1]).upper()
        if type_name == "JSON":
            converters.append(_load_json)
        elif type_name.startswith("DECIMAL(") and type_name.endswith(",0)"):
            converters.append(int)
        else:
            converters.append(None)
    if any(converters) and rows:
        rows = [
            tuple(
                value if convert is None or value is None else convert(value)
                for convert, value in zip(converters, row)
            )
            for row in rows
        ]
    return rows_to_table([column[0] for column in description], rows)


def _load_json(text: str) -> Any:
    return orjson.loads(text)
