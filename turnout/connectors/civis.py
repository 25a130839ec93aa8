"""Civis: Parsons' `CivisClient` on the civis package's own client.

`query` runs SQL as a Civis query and returns its preview rows; `table_import` writes a Table
to a Civis database (Redshift) through a CSV file and a Civis import job. The civis client
talks to ``CIVIS_API_ENDPOINT`` when that is set (how the tests reach a loopback stub), else to
the Civis API.

Departures from Parsons 6.1:
- `table_import` sends the column types from turnout's shared type mapping, so Civis does not
  guess them from CSV text (a zip code such as "02134" stays text), and matches columns by name
  when appending. Pass ``table_columns=...`` to choose them yourself.
- `table_import` writes the CSV from the Table directly; pandas is not needed.
- A `CIVIS_DATABASE` of digits is read as a database id.
- `query` returns None when the query returns no rows (Parsons: only when it returns no result).
"""

from __future__ import annotations

import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import requests

with warnings.catch_warnings():
    # civis' package import announces the deprecation of its civis.ml and civis.parallel
    # modules, which turnout does not use; keep that notice away from turnout's users.
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"civis\.(ml|parallel)")
    import civis

from turnout.errors import (
    AuthenticationError,
    ConfigurationError,
    TransportError,
    WarehouseError,
)
from turnout.redaction import redact, register_secret
from turnout.table import Table
from turnout.warehouse.identifiers import parse_table_name
from turnout.warehouse.load import prepare_load
from turnout.warehouse.types import REDSHIFT

logger = logging.getLogger(__name__)

DATABASE_ENV = "CIVIS_DATABASE"
API_KEY_ENV = "CIVIS_API_KEY"
EXISTING_TABLE_ROWS = ("fail", "truncate", "append", "drop", "upsert")

_CIVIS_ERRORS = (civis.base.CivisAPIError, civis.base.CivisJobFailure, civis.base.CivisImportError)


class CivisClient:
    """Run queries and import Tables on Civis Platform, with Parsons' names.

    Args:
        db: the Civis database, by name or id; default ``CIVIS_DATABASE``.
        api_key: the Civis API key; default ``CIVIS_API_KEY``.
        **kwargs: passed to ``civis.APIClient`` (``local_api_spec``, ``retries``...).
    """

    def __init__(self, db: str | int | None = None, api_key: str | None = None, **kwargs: Any):
        self.db = _database(db if db is not None else os.environ.get(DATABASE_ENV))
        self.api_key = api_key or os.environ.get(API_KEY_ENV)
        if not self.api_key:
            raise ConfigurationError(f"Civis needs an API key: pass api_key or set {API_KEY_ENV}")
        register_secret(self.api_key)
        # TODO: the base URL can be overridden only through CIVIS_API_ENDPOINT, which the civis
        # client reads itself; a constructor argument would need the client's private state.
        try:
            self.client = civis.APIClient(api_key=self.api_key, **kwargs)
            """The `civis.APIClient`, for everything this class does not cover."""
        except requests.exceptions.HTTPError as error:
            # Downloading the API spec failed; civis puts the status first in its message.
            message = redact(error)
            status = int(message[:3]) if message[:3].isdigit() else None
            if status in (401, 403):
                raise AuthenticationError(
                    f"Civis refused the API key ({API_KEY_ENV}): {message}", status=status
                ) from None
            raise ConfigurationError(f"cannot start the Civis client: {message}") from None
        except requests.exceptions.ConnectionError as error:
            raise TransportError(
                f"cannot reach the Civis API to read its spec: {redact(error)}"
            ) from error

    def __repr__(self) -> str:
        return f"CivisClient(db={self.db!r})"

    def query(
        self,
        sql: str,
        preview_rows: int = 10,
        polling_interval: int | float | None = None,
        hidden: bool = True,
        wait: bool = True,
    ) -> Table | civis.futures.CivisFuture | None:
        """Run `sql` as a Civis query; its preview rows (at most 100) as a Table of text values.

        Returns None when the query returns no rows, or the future when `wait` is False.
        """
        first_line = (sql.strip().splitlines() or [""])[0]
        logger.debug("Civis query on database %s: %s", self.db, first_line[:200])
        try:
            future = civis.io.query_civis(
                sql,
                self.db,
                client=self.client,
                preview_rows=preview_rows,
                polling_interval=polling_interval,
                hidden=hidden,
            )
            if not wait:
                return future
            result = future.result()
        except civis.base.CivisAPIKeyError as error:
            raise _key_refused(error) from None
        except _CIVIS_ERRORS as error:
            raise WarehouseError(f"Civis query failed: {_civis_message(error)}") from error

        rows = result["result_rows"]
        if not rows:
            return None
        return Table([list(result["result_columns"]), *rows])

    def table_import(
        self,
        table_obj: Table,
        table: str,
        max_errors: int | None = None,
        existing_table_rows: str = "fail",
        diststyle: str | None = None,
        distkey: str | None = None,
        sortkey1: str | None = None,
        sortkey2: str | None = None,
        wait: bool = True,
        **civisargs: Any,
    ) -> Any:
        """Write a Table to `table` ("schema.table") in the Civis database.

        `existing_table_rows` is 'fail', 'truncate', 'append', 'drop' or 'upsert'; other
        keyword arguments go to `civis.io.csv_to_civis`. Returns the finished import run (or
        the future when `wait` is False); a failed import raises WarehouseError naming the
        table.
        """
        if existing_table_rows not in EXISTING_TABLE_ROWS:
            raise ValueError(
                f"existing_table_rows must be one of {EXISTING_TABLE_ROWS}, "
                f"not {existing_table_rows!r}"
            )
        load = prepare_load(table_obj, parse_table_name(table), REDSHIFT)
        civisargs.setdefault(
            "table_columns",
            [
                {"name": name, "sql_type": REDSHIFT.sql_type(load.types[name])}
                for name in load.columns
            ],
        )
        logger.info(
            "importing %s rows into Civis table %s (%s)", load.num_rows, table, existing_table_rows
        )
        with tempfile.TemporaryDirectory(prefix="turnout-civis-") as folder:
            path = Path(folder) / "table_import.csv"
            path.write_bytes(load.csv_bytes(header=True))
            try:
                future = civis.io.csv_to_civis(
                    str(path),
                    self.db,
                    table,
                    client=self.client,
                    max_errors=max_errors,
                    existing_table_rows=existing_table_rows,
                    diststyle=diststyle,
                    distkey=distkey,
                    sortkey1=sortkey1,
                    sortkey2=sortkey2,
                    headers=True,
                    **civisargs,
                )
                if not wait:
                    return future
                return future.result()
            except civis.base.CivisAPIKeyError as error:
                raise _key_refused(error) from None
            except _CIVIS_ERRORS as error:
                raise WarehouseError(
                    f"Civis import into {table!r} failed: {_civis_message(error)}"
                ) from error


Civis = CivisClient


def _database(db: str | int | None) -> str | int:
    if db is None or db == "":
        raise ConfigurationError(f"Civis needs a database: pass db or set {DATABASE_ENV}")
    if isinstance(db, str) and db.strip().isdigit():
        return int(db)
    return db


def _key_refused(error: Exception) -> AuthenticationError:
    return AuthenticationError(
        f"Civis refused the API key ({API_KEY_ENV}): {redact(error)}", status=401
    )


def _civis_message(error: Exception) -> str:
    return redact(getattr(error, "error_message", None) or str(error))
