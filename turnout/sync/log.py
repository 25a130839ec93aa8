"""The sync log table in the warehouse: one row per attempt to push one record.

Its columns are those of the training guide's log table: the source key (e.g. `mobilizeid`),
the target id (e.g. `actionnetworkid`), `synced`, `errors` (at most 999 characters) and `date`
(UTC, `YYYY-MM-DD HH:MM:SS.ffffff`). Rows are only ever appended, so the table is the history
of every attempt; a key counts as synced once any of its rows has `synced` true.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

logger = logging.getLogger(__name__)

ERROR_LIMIT = 999


class Warehouse(Protocol):
    """What the sync helper needs of a warehouse (every turnout warehouse has it)."""

    def copy(self, tbl: Any, table_name: str, if_exists: str = ..., **kwargs: Any) -> Any: ...

    def query(self, sql: str, parameters: Any = ...) -> Any: ...

    def table_exists(self, table_name: str) -> bool: ...


def quote_table(table_name: str) -> str:
    """`schema.table` -> `"schema"."table"` (both parts quoted, quotes inside doubled)."""
    return ".".join(quote_identifier(part) for part in table_name.split("."))


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def log_date() -> str:
    """The time of an outcome as the log table stores it (UTC, to the microsecond)."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def truncate_error(text: str) -> str:
    return text[:ERROR_LIMIT]


def key_text(value: Any) -> str:
    """A key as the log compares it: 88102, 88102.0 and "88102" are the same key."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def is_true(value: Any) -> bool:
    """A `synced` cell read back from any warehouse (bool, 0/1, 't'/'true')."""
    if isinstance(value, str):
        return value.strip().lower() in ("t", "true", "1", "yes")
    return bool(value)


@dataclass(frozen=True)
class LogRow:
    """One row of the log table, as read back."""

    key: str
    target_id: str | None
    synced: bool
    date: str | None


class SyncLog:
    """Reads and appends the log table `table_name` in `warehouse`."""

    def __init__(
        self,
        warehouse: Warehouse,
        table_name: str,
        *,
        key_column: str,
        target_column: str = "target_id",
    ) -> None:
        self.warehouse = warehouse
        self.table_name = table_name
        self.key_column = key_column
        self.target_column = target_column

    def __repr__(self) -> str:
        return (
            f"SyncLog({self.table_name!r}, key_column={self.key_column!r},"
            f" target_column={self.target_column!r})"
        )

    def exists(self) -> bool:
        return bool(self.warehouse.table_exists(self.table_name))

    def rows(self) -> list[LogRow]:
        """Every row of the log table (none when it does not exist yet)."""
        # TODO: this reads the whole log each run; past a few million rows, read only the
        # success keys (and the journal's keys for replay) with a grouped query instead.
        if not self.exists():
            return []
        columns = ", ".join(
            quote_identifier(c) for c in (self.key_column, self.target_column, "synced", "date")
        )
        result = self.warehouse.query(f"SELECT {columns} FROM {quote_table(self.table_name)}")
        if result is None:
            return []
        rows = []
        for row in result:
            target = row[self.target_column]
            rows.append(
                LogRow(
                    key=key_text(row[self.key_column]),
                    target_id=None if target is None else str(target),
                    synced=is_true(row["synced"]),
                    date=None if row["date"] is None else str(row["date"]),
                )
            )
        return rows

    def synced_keys(self) -> set[str]:
        """The keys with at least one success row."""
        return {row.key for row in self.rows() if row.synced}

    def record(
        self,
        key_value: Any,
        *,
        synced: bool,
        target_id: str | None,
        errors: str | None,
        date: str,
    ) -> dict[str, Any]:
        """One log row as a dict with the log table's column names."""
        return {
            self.key_column: key_value,
            self.target_column: target_id,
            "synced": synced,
            "errors": None if errors is None else truncate_error(errors),
            "date": date,
        }

    def append(self, records: list[dict[str, Any]]) -> None:
        """Append rows to the log table (creating it, or adding columns, as needed)."""
        if not records:
            return
        from turnout.table import Table

        self.warehouse.copy(Table(records), self.table_name, if_exists="append", alter_table=True)
        logger.debug("appended %s rows to %s", len(records), self.table_name)
