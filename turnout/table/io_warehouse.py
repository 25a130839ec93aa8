"""Parsons' Table shortcuts to and from a warehouse: `to_postgres` / `from_postgres`.

Each builds the warehouse connector from the same arguments (or its environment variables)
and calls its `copy` or `query`, so the behaviour is exactly the connector's: a transactional
COPY, identifiers quoted, `None` from a query that returns no rows.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from turnout.table.table import Table

logger = logging.getLogger(__name__)

# TODO: Parsons' to_redshift / from_redshift, to_bigquery / from_bigquery, to_civis and the
# S3/GCS/SFTP writers are not here yet; each would be a shortcut to its connector like these.


class TableWarehouseIO:
    """Mixin of `Table`: copy a Table into PostgreSQL, or build one from a query."""

    def to_postgres(
        self,
        table_name: str,
        username: str | None = None,
        password: str | None = None,
        host: str | None = None,
        db: str | None = None,
        port: int | None = None,
        **copy_args: Any,
    ) -> None:
        """Copy this Table into `table_name` (`schema.table`) with `Postgres.copy`; connection
        settings fall back to PGUSER, PGPASSWORD, PGHOST, PGDATABASE and PGPORT."""
        from turnout.warehouse.postgres import Postgres

        Postgres(username, password, host, db, port).copy(self, table_name, **copy_args)

    @classmethod
    def from_postgres(
        cls,
        sql: str,
        username: str | None = None,
        password: str | None = None,
        host: str | None = None,
        db: str | None = None,
        port: int | None = None,
    ) -> Table | None:
        """The result of `sql` as a Table (None when the statement returns no rows)."""
        from turnout.warehouse.postgres import Postgres

        return Postgres(username, password, host, db, port).query(sql)
