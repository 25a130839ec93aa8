"""A Table made ready for a bulk load: column types from the shared mapping and one polars frame.

Every engine loads from a `PreparedLoad`: PostgreSQL writes `frame` as CSV into COPY FROM STDIN,
Redshift stages the same CSV in S3, DuckDB inserts `frame.to_arrow()`, and a load-job engine
can write it as a file. Checks that need the data (NUL bytes, widths, empty keys) name the
table, the column and the row before anything reaches the engine.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import Any

import polars as pl

from turnout.errors import WarehouseError
from turnout.warehouse.identifiers import TableName
from turnout.warehouse.types import ColumnType, Dialect, Kind, infer_column_type, load_series

logger = logging.getLogger(__name__)


def table_columns(tbl: Any) -> dict[str, pl.Series | list]:
    """The Table's columns by name, as stored (a polars Series or a list of Python values)."""
    columns = list(tbl.columns)
    store = getattr(tbl, "_column_store", None)
    if store is not None:
        return {name: store(name) for name in columns}
    return {name: list(tbl[name]) for name in columns}


@dataclass
class PreparedLoad:
    """Column names, their ColumnTypes, and the load-ready frame (same column order)."""

    table: TableName
    columns: list[str]
    types: dict[str, ColumnType]
    frame: pl.DataFrame

    @property
    def num_rows(self) -> int:
        return self.frame.height

    def rename(self, mapping: dict[str, str]) -> PreparedLoad:
        """Columns renamed to the target table's spelling (append matched case-insensitively)."""
        if all(old == new for old, new in mapping.items()):
            return self
        columns = [mapping.get(name, name) for name in self.columns]
        types = {mapping.get(name, name): kind for name, kind in self.types.items()}
        return PreparedLoad(self.table, columns, types, self.frame.rename(mapping))

    def csv_bytes(self, *, header: bool = True) -> bytes:
        """The frame as RFC 4180 CSV: NULL is an unquoted empty field, an empty string is `""`."""
        buffer = io.BytesIO()
        self.frame.write_csv(buffer, include_header=header, quote_style="necessary")
        return buffer.getvalue()

    def deduplicate(self, keys: list[str]) -> PreparedLoad:
        """One row per key, the last one in the batch winning, original order otherwise."""
        before = self.frame.height
        frame = self.frame.unique(subset=keys, keep="last", maintain_order=True)
        if frame.height != before:
            logger.info(
                "upsert into %s: %s rows repeat a key of a later row; the last one wins",
                self.table.display,
                before - frame.height,
            )
        return PreparedLoad(self.table, self.columns, self.types, frame)

    def check_keys(self, keys: list[str]) -> None:
        """Every key column exists and holds no empty value."""
        for key in keys:
            if key not in self.types:
                raise WarehouseError(
                    f"upsert into {self.table.display}: primary key column {key!r} is not in "
                    f"the table; columns are {self.columns!r}"
                )
            nulls = self.frame[key].is_null()
            if nulls.any():
                row = int(nulls.arg_true()[0])
                raise WarehouseError(
                    f"upsert into {self.table.display}: primary key column {key!r} is empty "
                    f"in row {row}"
                )

    def first_wider_than(self, column: str, width: int, unit: str) -> tuple[int, int] | None:
        """(row, width) of the first value in `column` wider than `width` `unit`s, if any."""
        series = self.frame[column]
        if series.dtype != pl.String:
            return None
        lengths = series.str.len_bytes() if unit == "bytes" else series.str.len_chars()
        wide = lengths > width
        if not wide.any():
            return None
        row = int(wide.arg_true()[0])
        return row, int(lengths[row])


def prepare_load(
    tbl: Any,
    table: TableName,
    dialect: Dialect,
    *,
    columntypes: dict[str, str] | None = None,
) -> PreparedLoad:
    """Infer each column's type and build the load frame; raise WarehouseError naming the table,
    column and row for what the engine could not store."""
    stored = table_columns(tbl)
    if not stored:
        raise WarehouseError(f"copy to {table.display}: the Table has no columns")

    for name in stored:
        _check_column_name(name, table, dialect)
    if dialect.folds_ascii_case:
        _check_case_collisions(list(stored), table, dialect)

    types: dict[str, ColumnType] = {}
    series: list[pl.Series] = []
    for name, column in stored.items():
        try:
            column_type = infer_column_type(column, name)
            types[name] = column_type
            series.append(load_series(column, column_type, name))
        except WarehouseError as error:
            raise WarehouseError(f"copy to {table.display}: {error}") from error
        except (TypeError, ValueError, OverflowError, pl.exceptions.PolarsError) as error:
            raise WarehouseError(
                f"copy to {table.display}: column {name!r} cannot be prepared for loading: {error}"
            ) from error

    for name in columntypes or {}:
        if name not in types:
            raise WarehouseError(
                f"copy to {table.display}: columntypes names {name!r}, "
                "which is not a column of the Table"
            )

    load = PreparedLoad(table, list(stored), types, pl.DataFrame(series))
    if not dialect.allows_nul:
        _check_nul(load, dialect)
    return load


def _check_column_name(name: str, table: TableName, dialect: Dialect) -> None:
    if not isinstance(name, str) or name == "":
        raise WarehouseError(f"copy to {table.display}: column name {name!r} is empty")
    if "\x00" in name:
        raise WarehouseError(f"copy to {table.display}: column name {name!r} holds a NUL byte")
    limit = dialect.identifier_max_bytes
    if limit is not None and len(name.encode()) > limit:
        raise WarehouseError(
            f"copy to {table.display}: column name {name!r} is longer than {dialect.name}'s "
            f"{limit}-byte limit for identifiers"
        )


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _check_case_collisions(names: list[str], table: TableName, dialect: Dialect) -> None:
    """DuckDB identifiers ignore ASCII case: "A" and "a" would be one column."""
    seen: dict[str, str] = {}
    for name in names:
        folded = name.translate(_ASCII_LOWER)
        if folded in seen:
            raise WarehouseError(
                f"copy to {table.display}: columns {seen[folded]!r} and {name!r} differ only in "
                f"case, and {dialect.name} column names ignore case; rename one of them"
            )
        seen[folded] = name


def _check_nul(load: PreparedLoad, dialect: Dialect) -> None:
    """PostgreSQL and Redshift text cannot hold U+0000: say where it is instead of failing."""
    for name in load.columns:
        series = load.frame[name]
        if series.dtype != pl.String:
            continue
        needle = "\\u0000" if load.types[name].kind is Kind.JSON else "\x00"
        found = series.str.contains(needle, literal=True)
        if found.any():
            row = int(found.arg_true()[0])
            raise WarehouseError(
                f"copy to {load.table.display}: column {name!r}, row {row}: the text holds a NUL "
                f"byte (\\x00), which {dialect.name} text cannot store; remove it first, for "
                "example with convert_column(column, lambda v: v.replace('\\x00', ''))"
            )
