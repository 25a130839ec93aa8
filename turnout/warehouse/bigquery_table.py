"""BigQueryTable: one table read through the API, as Parsons' `db.table(name)` returns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from turnout.table import Table
from turnout.warehouse.bigquery_names import api_errors
from turnout.warehouse.bigquery_schema import arrow_to_table

if TYPE_CHECKING:
    from turnout.warehouse.bigquery import GoogleBigQuery


class BigQueryTable:
    """One BigQuery table, read through the API (Parsons' `db.table(name)`)."""

    def __init__(self, db: GoogleBigQuery, table_name: str) -> None:
        self.db = db
        self.table = table_name

    def __repr__(self) -> str:
        return f"BigQueryTable({self.table!r})"

    @property
    def exists(self) -> bool:
        return self.db.table_exists(self.table)

    @property
    def num_rows(self) -> int:
        """The row count BigQuery keeps for the table (no query is run)."""
        return int(self.db._get_table(self.table).num_rows or 0)

    @property
    def columns(self) -> list[str]:
        return [field.name for field in self.db._get_table(self.table).schema]

    def get_rows(self, offset: int = 0, chunk_size: int | None = None) -> Table:
        """Rows in storage order from `offset`, at most `chunk_size` of them (all by default).

        BigQuery keeps no row order; for a defined order, query with ORDER BY.
        """
        table = self.db._get_table(self.table)
        with api_errors(f"cannot read the rows of {self.table!r}"):
            rows = self.db.client.list_rows(
                table, start_index=offset, max_results=chunk_size, retry=self.db.retry
            )
            arrow = rows.to_arrow(create_bqstorage_client=False)
        return arrow_to_table(arrow, table.schema)

    def drop(self, cascade: bool = False) -> None:
        """Delete the table (`cascade` is accepted for Parsons; BigQuery views do not block it)."""
        self.db.delete_table(self.table)

    def truncate(self) -> None:
        """Remove every row, keeping the schema."""
        name = self.db._qualified(self.table)
        self.db.query(f"TRUNCATE TABLE {name.quoted()}", return_values=False)
