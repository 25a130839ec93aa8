"""What every SQL warehouse shares: query -> Table, table_exists, copy with if_exists modes and
alter_table, upsert through a staging table, and table(name) helpers.

An engine subclass supplies the connection and the bulk path (`_bulk_load`); the rest is here.
A copy runs in one transaction: create or drop or truncate, alter, load, all or nothing, so a
failed load leaves the previous table as it was. Identifiers are always quoted; values always go
to the driver as parameters.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from turnout.errors import TableExistsError, WarehouseError
from turnout.warehouse.identifiers import TableName, column_list, parse_table_name, quote_identifier
from turnout.warehouse.load import PreparedLoad, prepare_load
from turnout.warehouse.types import ColumnType, Dialect, Kind

logger = logging.getLogger(__name__)

IfExists = Literal["fail", "append", "truncate", "drop"]
IF_EXISTS_MODES = ("fail", "append", "truncate", "drop")

_TEXT_TYPES = ("character varying", "varchar", "character", "char", "bpchar")
# information_schema spelling of an integer column -> 2**(bits - 1).
_INTEGER_LIMITS = {"smallint": 2**15, "integer": 2**31, "bigint": 2**63}
# Every integer column type information_schema reports (PostgreSQL, Redshift, DuckDB spellings).
_INTEGER_TYPES = frozenset(
    {"smallint", "integer", "bigint", "int2", "int4", "int8", "tinyint", "hugeint"}
    | {"utinyint", "usmallint", "uinteger", "ubigint", "uhugeint"}
)
_NUMBER_TYPES = _INTEGER_TYPES | {"double precision", "double", "real", "float", "float4"}


_NUMBER_KINDS = (Kind.INTEGER, Kind.BIG_INTEGER, Kind.FLOAT, Kind.DECIMAL)


def _is_number_type(data_type: str) -> bool:
    """True for integer, float and decimal column types (`decimal(38,0)` as DuckDB spells it)."""
    return data_type in _NUMBER_TYPES or data_type.startswith(("numeric", "decimal", "float8"))


@dataclass(frozen=True)
class ExistingColumn:
    """A column of a table already in the warehouse."""

    name: str
    data_type: str
    width: int | None = None  # character_maximum_length, for varchar(n)


def unique_names(names: Sequence[str]) -> list[str]:
    """A result set's column names made unique: `id`, `id_2`."""
    unique: list[str] = []
    for name in names:
        candidate, suffix = name, 2
        while candidate in unique:
            candidate, suffix = f"{name}_{suffix}", suffix + 1
        if candidate != name:
            logger.warning("query returned column %r twice; the second is %r", name, candidate)
        unique.append(candidate)
    return unique


def rows_to_table(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> Any:
    """A Table from a result set's column names and rows."""
    from turnout.table import Table

    unique = unique_names(names)
    values = [list(column) for column in zip(*rows)] if rows else [[] for _ in unique]
    return Table.from_columns(dict(zip(unique, values)))


class Warehouse:
    """Base of the SQL engines (Postgres, Redshift, DuckDB). Not used directly."""

    dialect: Dialect
    placeholder = "%s"
    # Redshift cannot ALTER COLUMN inside a transaction block: there, widening runs (and
    # commits) on its own connection before the load's transaction.
    alter_in_transaction = True
    _driver_errors: tuple[type[BaseException], ...] = ()
    # Engine-specific keyword arguments copy() and upsert() accept (Parsons' names).
    copy_options: frozenset[str] = frozenset({"strict_length"})

    # --- engine hooks --------------------------------------------------------------------------

    def _connect(self) -> Any:
        raise NotImplementedError

    def _begin(self, connection: Any) -> None:
        """Open a transaction (drivers that are not in one implicitly)."""

    def _bulk_load(
        self, connection: Any, table: TableName, load: PreparedLoad, **options: Any
    ) -> None:
        raise NotImplementedError

    def _existing_columns(self, connection: Any, table: TableName) -> list[ExistingColumn]:
        schema_sql = self._schema_condition(table)
        sql = (
            "SELECT column_name, data_type, character_maximum_length "
            "FROM information_schema.columns "
            f"WHERE {schema_sql} AND table_name = {self.placeholder} "
            "ORDER BY ordinal_position"
        )
        params = ([table.schema] if table.schema is not None else []) + [table.name]
        rows = self._fetchall(connection, sql, params)
        return [ExistingColumn(row[0], str(row[1]).lower(), row[2]) for row in rows]

    def _dependent_views(
        self, connection: Any, table: TableName, columns: list[str]
    ) -> list[tuple[TableName, str]]:
        """Views that depend on `columns` of `table`, with their definitions."""
        return []

    def _truncate_sql(self, table: TableName) -> str:
        return f"TRUNCATE TABLE {table.quoted(self.dialect.quote)}"

    def _create_table_sql(self, table: TableName, load: PreparedLoad, **options: Any) -> str:
        columntypes = options.get("columntypes") or {}
        varchar_max = set(options.get("varchar_max") or [])
        definitions = []
        for name in load.columns:
            sql_type = columntypes.get(name) or self.dialect.sql_type(
                load.types[name], varchar_max=name in varchar_max
            )
            definitions.append(f"{quote_identifier(name, self.dialect.quote)} {sql_type}")
        return f"CREATE TABLE {table.quoted(self.dialect.quote)} ({', '.join(definitions)})"

    def _describe_error(self, error: BaseException) -> str:
        return str(error).strip()

    def _loggable(self, sql: str) -> str:
        """The statement as it may appear in a log (engines mask credentials it holds)."""
        return sql

    # --- connections and queries ---------------------------------------------------------------

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """A connection that commits when the block ends, rolls back on an error, then closes."""
        connection = self._connect()
        try:
            self._begin(connection)
            yield connection
        except BaseException:
            self._rollback_quietly(connection)
            raise
        else:
            connection.commit()
        finally:
            connection.close()

    @contextmanager
    def cursor(self, connection: Any) -> Iterator[Any]:
        """A cursor on `connection`, closed when the block ends (Parsons' `db.cursor(conn)`)."""
        cursor = connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    @staticmethod
    def split_table_name(full_table_name: str) -> tuple[str, str]:
        """`"schema.table"` -> ("schema", "table"); a bare name is in `public`, as in Parsons."""
        table = parse_table_name(full_table_name)
        return (table.schema or "public", table.name)

    def create_statement(
        self,
        tbl: Any,
        table_name: str,
        padding: float | None = None,
        distkey: str | None = None,
        sortkey: str | list[str] | None = None,
        varchar_max: list[str] | None = None,
        varchar_truncate: bool = True,
        columntypes: dict[str, str] | None = None,
        strict_length: bool = True,
    ) -> str:
        """The CREATE TABLE statement copy() would run for `tbl` (types from the shared
        mapping). `varchar_truncate` is accepted for Parsons' calls: widths are always capped."""
        table = parse_table_name(table_name)
        load = prepare_load(tbl, table, self.dialect, columntypes=columntypes)
        return self._create_table_sql(
            table,
            load,
            padding=padding,
            distkey=distkey,
            sortkey=sortkey,
            varchar_max=varchar_max,
            columntypes=columntypes,
            strict_length=strict_length,
        )

    def create_table(self, table_object: Any, table_name: str) -> None:
        """Create an empty table with the columns and types `table_object` would load as."""
        table = parse_table_name(table_name)
        load = prepare_load(table_object, table, self.dialect)
        with self.connection() as connection:
            self._create_table(connection, table, load)

    def _rollback_quietly(self, connection: Any) -> None:
        try:
            connection.rollback()
        except self._driver_errors as error:  # the connection may be gone already
            logger.debug("rollback failed: %s", error)

    def _execute(self, connection: Any, sql: str, parameters: Sequence[Any] | None = None) -> Any:
        """Run one statement; return a DB-API cursor. Driver errors become WarehouseError."""
        logger.debug("SQL: %s", self._loggable(sql))
        try:
            cursor = connection.cursor()
            cursor.execute(sql, parameters if parameters else None)
        except self._driver_errors as error:
            raise WarehouseError(f"query failed: {self._describe_error(error)}") from error
        return cursor

    def _fetchall(self, connection: Any, sql: str, parameters: Sequence[Any] | None = None) -> list:
        return self._execute(connection, sql, parameters).fetchall()

    def query(self, sql: str, parameters: Sequence[Any] | None = None) -> Any | None:
        """Run `sql`; return its rows as a Table, or None when it returns no result set.

        A SELECT with no rows gives an empty Table that still has the columns. Pass values as
        `parameters` (placeholders as the driver spells them), never formatted into `sql`.
        """
        with self.connection() as connection:
            return self.query_with_connection(sql, connection, parameters=parameters)

    def query_with_connection(
        self,
        sql: str,
        connection: Any,
        parameters: Sequence[Any] | None = None,
        commit: bool = True,
    ) -> Any | None:
        """Run `sql` on an open connection; commit afterwards unless `commit=False`."""
        cursor = self._execute(connection, sql, parameters)
        result = self._cursor_table(cursor)
        if commit:
            connection.commit()
            self._begin(connection)
        return result

    def _cursor_table(self, cursor: Any) -> Any | None:
        if cursor.description is None:
            return None
        names = [column[0] for column in cursor.description]
        return rows_to_table(names, cursor.fetchall())

    # --- tables --------------------------------------------------------------------------------

    def _schema_condition(self, table: TableName) -> str:
        if table.schema is None:
            return "table_schema = current_schema()"
        return f"table_schema = {self.placeholder}"

    def table_exists(self, table_name: str, view: bool = True) -> bool:
        """True if the table (or, with `view=True`, a view) exists. `schema.table` or `table`."""
        with self.connection() as connection:
            return self.table_exists_with_connection(table_name, connection, view)

    def table_exists_with_connection(
        self, table_name: str | TableName, connection: Any, view: bool = True
    ) -> bool:
        table = parse_table_name(table_name)
        kinds = "('BASE TABLE', 'VIEW')" if view else "('BASE TABLE')"
        sql = (
            "SELECT COUNT(*) FROM information_schema.tables "
            f"WHERE {self._schema_condition(table)} AND table_name = {self.placeholder} "
            f"AND table_type IN {kinds}"
        )
        params = ([table.schema] if table.schema is not None else []) + [table.name]
        return self._fetchall(connection, sql, params)[0][0] > 0

    def table(self, table_name: str) -> WarehouseTable:
        """A helper object for one table: num_rows, columns, get_rows, drop, truncate."""
        return WarehouseTable(self, table_name)

    # --- copy ----------------------------------------------------------------------------------

    def copy(
        self,
        tbl: Any,
        table_name: str,
        if_exists: IfExists = "fail",
        *,
        alter_table: bool = False,
        alter_table_cascade: bool = False,
        columntypes: dict[str, str] | None = None,
        varchar_max: list[str] | None = None,
    ) -> None:
        """Load a Table into `table_name` in one transaction.

        if_exists: `fail` (raise TableExistsError), `append` (columns matched by name; target
        columns the Table lacks get their defaults), `truncate` (empty it, then load) or `drop`
        (replace it). alter_table: add columns the target lacks and widen varchar columns too
        narrow for the data; with alter_table_cascade, views that depend on a widened column are
        dropped and re-created around the change. columntypes: SQL types to use instead of the
        inferred ones when the table is created.

        No engine rounds: floats (or decimals with a fraction) appended to an integer column
        raise WarehouseError naming the table, column and row; alter_table widens the column to
        the float (or a decimal) type instead, except on Redshift, which cannot change a
        column's type. Booleans appended to a number column are refused even with alter_table
        (the only type holding both is text): convert them first. So are numbers appended to a
        boolean column.
        """
        self._copy(
            tbl,
            table_name,
            if_exists,
            alter_table=alter_table,
            alter_table_cascade=alter_table_cascade,
            columntypes=columntypes,
            varchar_max=varchar_max,
        )

    def _copy(
        self,
        tbl: Any,
        table_name: str,
        if_exists: str,
        *,
        alter_table: bool = False,
        alter_table_cascade: bool = False,
        columntypes: dict[str, str] | None = None,
        varchar_max: list[str] | None = None,
        **options: Any,
    ) -> None:
        """copy() for every engine; `options` are the engine's own (see `copy_options`)."""
        table = parse_table_name(table_name)
        _check_if_exists(if_exists)
        self._check_options(options)
        load = prepare_load(tbl, table, self.dialect, columntypes=columntypes)
        options.update(columntypes=columntypes, varchar_max=varchar_max)

        if alter_table and not self.alter_in_transaction and if_exists in ("append", "truncate"):
            with self.connection() as connection:
                if self.table_exists_with_connection(table, connection, view=False):
                    self._alter_for_load(connection, table, load, alter_table_cascade)

        with self.connection() as connection:
            self._copy_with_connection(
                connection, load, table, if_exists, alter_table, alter_table_cascade, **options
            )
        logger.info("%s rows copied to %s", load.num_rows, table.display)

    def _check_options(self, options: dict[str, Any]) -> None:
        unknown = sorted(set(options) - self.copy_options)
        if unknown:
            raise TypeError(f"{type(self).__name__}.copy() got unexpected argument(s) {unknown!r}")

    def _copy_with_connection(
        self,
        connection: Any,
        load: PreparedLoad,
        table: TableName,
        if_exists: str,
        alter_table: bool,
        alter_table_cascade: bool,
        **options: Any,
    ) -> None:
        if self._create_table_precheck(connection, table, if_exists):
            self._create_table(connection, table, load, **options)
        else:
            if alter_table:
                self._alter_for_load(connection, table, load, alter_table_cascade)
            load = self._match_columns(connection, table, load)

        self._load(connection, table, load, **options)

    def _create_table_precheck(self, connection: Any, table: TableName, if_exists: str) -> bool:
        """Apply if_exists to an existing table; True when the table must be created."""
        _check_if_exists(if_exists)
        if not self.table_exists_with_connection(table, connection, view=False):
            return True
        if if_exists == "fail":
            raise TableExistsError(
                f"table {table.display} already exists; pass if_exists='append', 'truncate' "
                "or 'drop'"
            )
        if if_exists == "drop":
            self._run(connection, f"DROP TABLE {table.quoted(self.dialect.quote)}", table)
            return True
        if if_exists == "truncate":
            self._run(connection, self._truncate_sql(table), table)
        return False

    def _run(self, connection: Any, sql: str, table: TableName, params: Any = None) -> Any:
        """Run a statement about `table`; a driver error names the table."""
        try:
            return self._execute(connection, sql, params)
        except WarehouseError as error:
            raise WarehouseError(f"{table.display}: {error}") from error

    def _create_table(
        self, connection: Any, table: TableName, load: PreparedLoad, **options: Any
    ) -> None:
        if table.schema is not None:
            quoted = quote_identifier(table.schema, self.dialect.quote)
            self._run(connection, f"CREATE SCHEMA IF NOT EXISTS {quoted}", table)
        self._check_fits(load, table, self.dialect.varchar_max, "the widest varchar")
        self._run(connection, self._create_table_sql(table, load, **options), table)
        logger.info("created table %s", table.display)

    def _load(self, connection: Any, table: TableName, load: PreparedLoad, **options: Any) -> None:
        if load.num_rows == 0:
            return
        try:
            self._bulk_load(connection, table, load, **options)
        except self._driver_errors as error:
            raise WarehouseError(
                f"copy to {table.display} failed; the table is unchanged: "
                f"{self._describe_load_error(error, load)}"
            ) from error

    def _describe_load_error(self, error: BaseException, load: PreparedLoad) -> str:
        return self._describe_error(error)

    def _check_fits(self, load: PreparedLoad, table: TableName, limit: int | None, what: str):
        if limit is None or not self.dialect.sized_text:
            return
        unit = self.dialect.text_width_unit
        for name in load.columns:
            if load.types[name].kind not in (Kind.TEXT, Kind.JSON, Kind.BIG_INTEGER):
                continue
            wide = load.first_wider_than(name, limit, unit)
            if wide is not None:
                row, width = wide
                raise WarehouseError(
                    f"copy to {table.display}: column {name!r}, row {row}: the value is {width} "
                    f"{unit}, wider than {what} ({limit} {unit}) {self.dialect.name} allows"
                )

    # --- append: match columns by name, alter ---------------------------------------------------

    def _match_columns(self, connection: Any, table: TableName, load: PreparedLoad) -> PreparedLoad:
        """Rename the load's columns to the target's spelling; check each exists and fits."""
        existing = {column.name: column for column in self._existing_columns(connection, table)}
        folded = {name.casefold(): name for name in existing}
        mapping: dict[str, str] = {}
        missing: list[str] = []
        for name in load.columns:
            if name in existing:
                mapping[name] = name
            elif name.casefold() in folded:
                mapping[name] = folded[name.casefold()]
            else:
                missing.append(name)
        if missing:
            raise WarehouseError(
                f"copy to {table.display}: the table has no column {missing[0]!r} "
                f"(missing: {missing!r}); pass alter_table=True to add them"
            )

        targets = list(mapping.values())
        for target_name in set(targets):
            if targets.count(target_name) > 1:
                sources = [name for name, target in mapping.items() if target == target_name]
                raise WarehouseError(
                    f"copy to {table.display}: columns {sources!r} of the Table all match the "
                    f"table's column {target_name!r}; rename all but one"
                )
        for name, target_name in mapping.items():
            self._refuse_lossy(existing[target_name], load, name, table, altering=False)

        unit = self.dialect.text_width_unit
        for name, target_name in mapping.items():
            column = existing[target_name]
            if column.width is None or column.data_type not in _TEXT_TYPES:
                continue
            wide = load.first_wider_than(name, column.width, unit)
            if wide is not None:
                row, width = wide
                raise WarehouseError(
                    f"copy to {table.display}: column {target_name!r}, row {row}: the value is "
                    f"{width} {unit}, wider than the column's varchar({column.width}); pass "
                    "alter_table=True to widen it"
                )
        return load.rename(mapping)

    def _alter_for_load(
        self, connection: Any, table: TableName, load: PreparedLoad, cascade: bool
    ) -> None:
        """Add the columns the table lacks and widen varchar columns too narrow for the load."""
        existing = {column.name: column for column in self._existing_columns(connection, table)}
        folded = {name.casefold(): column for name, column in existing.items()}
        quoted_table = table.quoted(self.dialect.quote)
        unit = self.dialect.text_width_unit
        for name in load.columns:  # refuse before anything is changed
            column = existing.get(name) or folded.get(name.casefold())
            if column is not None:
                self._refuse_lossy(column, load, name, table, altering=True)

        widen: dict[str, str] = {}  # column -> its new SQL type
        for name in load.columns:
            column = existing.get(name) or folded.get(name.casefold())
            if column is None:
                sql_type = self.dialect.sql_type(load.types[name])
                quoted = quote_identifier(name, self.dialect.quote)
                self._run(
                    connection, f"ALTER TABLE {quoted_table} ADD COLUMN {quoted} {sql_type}", table
                )
                logger.info("added column %r to %s", name, table.display)
                continue
            fractional = self._fractional_type(column, load, name)
            if fractional is not None:
                widen[column.name] = fractional
                continue
            wider_integer = self._wider_integer_type(column, load, name)
            if wider_integer is not None:
                widen[column.name] = wider_integer
                continue
            if column.width is None or column.data_type not in _TEXT_TYPES:
                continue
            needed = self.dialect.text_width(load.types[name])
            if needed > column.width:
                limit = self.dialect.varchar_max
                if limit is not None and needed > limit:
                    row, width = load.first_wider_than(name, limit, unit) or (0, needed)
                    raise WarehouseError(
                        f"copy to {table.display}: column {column.name!r}, row {row}: the value "
                        f"is {width} {unit}, wider than the widest varchar ({limit}) "
                        f"{self.dialect.name} allows"
                    )
                widen[column.name] = f"VARCHAR({needed})"

        if not widen:
            return
        views = self._dependent_views(connection, table, list(widen))
        if views and not cascade:
            names = ", ".join(view.display for view, _ in views)
            raise WarehouseError(
                f"copy to {table.display}: cannot widen {sorted(widen)!r}: view(s) {names} "
                "depend on them; pass alter_table_cascade=True to drop and re-create them"
            )
        for view, _definition in views:
            self._run(connection, f"DROP VIEW {view.quoted(self.dialect.quote)}", table)
        for name, sql_type in widen.items():
            quoted = quote_identifier(name, self.dialect.quote)
            self._run(
                connection,
                f"ALTER TABLE {quoted_table} ALTER COLUMN {quoted} TYPE {sql_type}",
                table,
            )
            logger.info("widened %s.%s to %s", table.display, name, sql_type)
        for view, definition in reversed(views):
            self._run(
                connection,
                f"CREATE VIEW {view.quoted(self.dialect.quote)} AS {definition}",
                table,
            )
            logger.info("re-created view %s", view.display)

    def _refuse_lossy(
        self,
        column: ExistingColumn,
        load: PreparedLoad,
        name: str,
        table: TableName,
        *,
        altering: bool,
    ) -> None:
        """Refuse values an integer column would round (floats, decimals with a fraction) and
        booleans a number column would turn into 1 and 0, as PostgreSQL does and DuckDB would
        not.

        Floats and decimals: with `altering` on an engine that can change the column's type,
        alter_table widens it instead (see `_fractional_type`). Booleans are refused even then:
        the only type holding both is text, and turning a number column into text is not
        something to do behind the caller's back. Numbers into a boolean column are refused
        likewise (DuckDB would store 5 and 2.5 as true).
        """
        kind = load.types[name].kind
        if column.data_type == "boolean" and kind in _NUMBER_KINDS:
            row, value = _first_lossy_value(load, name)
            raise WarehouseError(
                f"copy to {table.display}: column {column.name!r}, row {row}: the column is "
                f"boolean and the value is the number {value!r}, which a boolean column does "
                "not store (not even with alter_table); convert the column to True/False first"
            )
        if kind is Kind.BOOLEAN:
            if not _is_number_type(column.data_type):
                return
        else:
            lossy = kind is Kind.FLOAT or (kind is Kind.DECIMAL and bool(load.types[name].scale))
            if not lossy or column.data_type not in _INTEGER_TYPES:
                return
            if altering and self.dialect.widens_integers:
                return
        row, value = _first_lossy_value(load, name)
        where = f"copy to {table.display}: column {column.name!r}, row {row}"
        if kind is Kind.BOOLEAN:
            raise WarehouseError(
                f"{where}: the column is {column.data_type} and the value is the boolean "
                f"{value!r}, which a number column does not store (not even with "
                f"alter_table); convert the column first, e.g. convert_column({name!r}, int)"
            )
        what = "floats" if kind is Kind.FLOAT else "decimals"
        if not self.dialect.widens_integers:
            fix = f"{self.dialect.name} cannot change an integer column's type"
        else:
            fix = "pass alter_table=True to widen the column"
        raise WarehouseError(
            f"{where}: the column is {column.data_type} and the Table's values are {what} "
            f"({value!r}), which it would round; {fix}"
        )

    def _fractional_type(self, column: ExistingColumn, load: PreparedLoad, name: str) -> str | None:
        """The type an integer column widens to for floats (the float type) or decimals with a
        fraction (a decimal with room for every 64-bit integer); None otherwise."""
        if column.data_type not in _INTEGER_TYPES or not self.dialect.widens_integers:
            return None
        column_type = load.types[name]
        if column_type.kind is Kind.FLOAT:
            return self.dialect.type_names[Kind.FLOAT]
        if column_type.kind is Kind.DECIMAL and column_type.scale:
            scale = column_type.scale
            precision = max(column_type.precision or 0, 19 + scale)
            return self.dialect.sql_type(ColumnType(Kind.DECIMAL, precision=precision, scale=scale))
        return None

    def _wider_integer_type(
        self, column: ExistingColumn, load: PreparedLoad, name: str
    ) -> str | None:
        """BIGINT (or the big-integer type) for an integer column the load's values overflow;
        None when they fit or the engine cannot change a column's integer type (Redshift)."""
        limit = _INTEGER_LIMITS.get(column.data_type)
        if limit is None or not self.dialect.widens_integers:
            return None
        column_type = load.types[name]
        if column_type.kind is Kind.BIG_INTEGER:
            return self.dialect.sql_type(column_type)
        if column_type.kind is not Kind.INTEGER or column.data_type == "bigint":
            return None
        series = load.frame[name]
        low, high = series.min(), series.max()
        if low is None or (-limit <= low and high < limit):
            return None
        return self.dialect.type_names[Kind.INTEGER]

    # --- upsert --------------------------------------------------------------------------------

    def upsert(
        self,
        table_obj: Any,
        target_table: str,
        primary_key: str | list[str],
        distinct_check: bool = True,
        cleanup_temp_table: bool = True,
        alter_table: bool = True,
        alter_table_cascade: bool = False,
        **copy_args: Any,
    ) -> None:
        """Update rows whose primary key is in `table_obj`, insert the others, in one transaction.

        A key repeated in the batch leaves one row, the last one. With `distinct_check`, a
        target whose key is already not unique raises WarehouseError rather than being made
        worse. A missing target table is created by a plain copy.
        """
        table = parse_table_name(target_table)
        keys = [primary_key] if isinstance(primary_key, str) else list(primary_key)
        self._check_options(copy_args)
        load = prepare_load(table_obj, table, self.dialect)
        load.check_keys(keys)
        load = load.deduplicate(keys)

        if alter_table and not self.alter_in_transaction:
            with self.connection() as connection:
                if self.table_exists_with_connection(table, connection, view=False):
                    self._alter_for_load(connection, table, load, alter_table_cascade)

        with self.connection() as connection:
            if not self.table_exists_with_connection(table, connection, view=False):
                logger.info("upsert: %s does not exist; creating it", table.display)
                options = {**copy_args, **self._upsert_create_options(keys, copy_args)}
                self._create_table(connection, table, load, **options)
                self._load(connection, table, load, **copy_args)
                return
            if distinct_check:
                self._check_distinct(connection, table, keys)
            if alter_table:
                self._alter_for_load(connection, table, load, alter_table_cascade)
            renamed = self._match_columns(connection, table, load)
            keys = [renamed.columns[load.columns.index(key)] for key in keys]
            self._merge(connection, table, renamed, keys, cleanup_temp_table, **copy_args)
        logger.info("%s rows upserted into %s", load.num_rows, table.display)

    def _upsert_create_options(self, keys: list[str], copy_args: dict[str, Any]) -> dict:
        return {}

    def _check_distinct(self, connection: Any, table: TableName, keys: list[str]) -> None:
        quoted_keys = column_list(keys, self.dialect.quote)
        sql = (
            f"SELECT COUNT(*) FROM (SELECT {quoted_keys} FROM {table.quoted(self.dialect.quote)} "
            f"GROUP BY {quoted_keys} HAVING COUNT(*) > 1) AS repeated"
        )
        repeated = self._run(connection, sql, table).fetchall()[0][0]
        if repeated:
            raise WarehouseError(
                f"upsert into {table.display}: {repeated} values of the primary key {keys!r} "
                "already repeat in the table; fix them or pass distinct_check=False"
            )

    def _staging_name(self, table: TableName) -> TableName:
        return TableName(f"{table.name}_stg_{secrets.token_hex(4)}")

    def _create_staging_sql(self, staging: TableName, table: TableName, columns: list[str]) -> str:
        return (
            f"CREATE TEMPORARY TABLE {staging.quoted(self.dialect.quote)} AS SELECT "
            f"{column_list(columns, self.dialect.quote)} FROM {table.quoted(self.dialect.quote)} "
            "WHERE 1 = 0"
        )

    def _merge(
        self,
        connection: Any,
        table: TableName,
        load: PreparedLoad,
        keys: list[str],
        cleanup: bool,
        **options: Any,
    ) -> None:
        quote = self.dialect.quote
        staging = self._staging_name(table)
        self._run(connection, self._create_staging_sql(staging, table, load.columns), table)
        self._load(connection, staging, load, **options)

        target_sql = table.quoted(quote)
        staging_sql = staging.quoted(quote)
        quoted_keys = [quote_identifier(key, quote) for key in keys]
        matches = " AND ".join(f"{staging_sql}.{key} = {target_sql}.{key}" for key in quoted_keys)
        self._run(
            connection,
            f"DELETE FROM {target_sql} WHERE EXISTS (SELECT 1 FROM {staging_sql} WHERE {matches})",
            table,
        )
        columns = column_list(load.columns, quote)
        self._run(
            connection,
            f"INSERT INTO {target_sql} ({columns}) SELECT {columns} FROM {staging_sql}",
            table,
        )
        if cleanup:
            self._run(connection, f"DROP TABLE {staging_sql}", table)


def _first_lossy_value(load: PreparedLoad, name: str) -> tuple[int, Any]:
    """(row, value) of the first value an integer column would change: a fraction if there is
    one, else the first value present."""
    series = load.frame[name]
    present = series.is_not_null()
    if series.dtype.is_float():
        fraction = present & (series.floor() != series).fill_null(False)
        if fraction.any():
            present = fraction
    elif series.dtype == pl.String:  # decimals travel as text
        fraction = present & ~series.str.contains(r"^-?\d*(\.0*)?$").fill_null(True)
        if fraction.any():
            present = fraction
    row = int(present.arg_true()[0])
    return row, series[row]


def _check_if_exists(if_exists: str) -> None:
    if if_exists not in IF_EXISTS_MODES:
        raise WarehouseError(f"if_exists must be one of {IF_EXISTS_MODES!r}, not {if_exists!r}")


_ORDER_BY = re.compile(r"^\s*(?P<column>.+?)(?:\s+(?P<direction>asc|desc))?\s*$", re.IGNORECASE)


class WarehouseTable:
    """One table of a warehouse (Parsons' `db.table(name)`)."""

    def __init__(self, db: Warehouse, table_name: str) -> None:
        self.db = db
        self.table = parse_table_name(table_name)

    @property
    def _quoted(self) -> str:
        return self.table.quoted(self.db.dialect.quote)

    @property
    def num_rows(self) -> int:
        return self._scalar(f"SELECT COUNT(*) FROM {self._quoted}")

    @property
    def columns(self) -> list[str]:
        with self.db.connection() as connection:
            return [column.name for column in self.db._existing_columns(connection, self.table)]

    @property
    def exists(self) -> bool:
        with self.db.connection() as connection:
            return self.db.table_exists_with_connection(self.table, connection)

    def _scalar(self, sql: str) -> Any:
        with self.db.connection() as connection:
            return self.db._run(connection, sql, self.table).fetchall()[0][0]

    def _order(self, order_by: str | list[str] | None) -> str:
        if not order_by:
            return ""
        items = [order_by] if isinstance(order_by, str) else list(order_by)
        parts = []
        for item in items:
            match = _ORDER_BY.match(item)
            direction = (match.group("direction") or "").upper() if match else ""
            column = match.group("column") if match else item
            parts.append(f"{quote_identifier(column, self.db.dialect.quote)} {direction}".strip())
        return " ORDER BY " + ", ".join(parts)

    def get_rows(
        self,
        offset: int = 0,
        chunk_size: int | None = None,
        order_by: str | list[str] | None = None,
    ) -> Any:
        """Rows as a Table; `order_by` names columns (optionally with ASC/DESC)."""
        sql = f"SELECT * FROM {self._quoted}{self._order(order_by)}"
        params: list[Any] = []
        if chunk_size:
            sql += f" LIMIT {self.db.placeholder}"
            params.append(int(chunk_size))
        if offset:
            sql += f" OFFSET {self.db.placeholder}"
            params.append(int(offset))
        return self.db.query(sql, params)

    def max_primary_key(self, primary_key: str) -> Any:
        column = quote_identifier(primary_key, self.db.dialect.quote)
        return self._scalar(f"SELECT MAX({column}) FROM {self._quoted}")

    def distinct_primary_key(self, primary_key: str) -> bool:
        column = quote_identifier(primary_key, self.db.dialect.quote)
        return self._scalar(f"SELECT COUNT(*) - COUNT(DISTINCT {column}) FROM {self._quoted}") == 0

    def drop(self, cascade: bool = False) -> None:
        self.db.query(f"DROP TABLE {self._quoted}{' CASCADE' if cascade else ''}")
        logger.info("%s dropped", self.table.display)

    def truncate(self) -> None:
        self.db.query(self.db._truncate_sql(self.table))
        logger.info("%s truncated", self.table.display)
