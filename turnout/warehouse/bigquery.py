"""GoogleBigQuery: Parsons' BigQuery connector on google-cloud-bigquery, loading through jobs.

`copy` uploads the Table as one Parquet file in one load job: the types survive (no CSV text
to re-parse) and a load job is atomic, so a failed load leaves the previous table as it was.
`if_exists` maps onto the job's write disposition:

- ``fail``: raise if the table exists; else create it (WRITE_EMPTY)
- ``append``: add rows (WRITE_APPEND), columns matched by name, the table's schema kept
- ``truncate``: replace the rows, keep the table's schema (WRITE_TRUNCATE with that schema)
- ``drop``: replace rows and schema (WRITE_TRUNCATE with the Table's schema). Parsons deletes
  the table and then loads; one job does both here, so there is never a moment without it.

Unlike Parsons 6.1, `copy` needs no Cloud Storage bucket: the file goes straight to the load
job through the upload endpoint (Parsons' `copy_direct`). Credentials come from `app_creds` or
``GOOGLE_APPLICATION_CREDENTIALS`` (a path to a JSON file, or the JSON text itself).
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import secrets
import tempfile
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import google.auth.credentials
import pyarrow.parquet as pq
import requests
from google.api_core import exceptions as google_exceptions
from google.cloud import bigquery
from google.cloud.bigquery import dbapi
from google.cloud.bigquery import retry as bigquery_retry

from turnout.errors import (
    ConfigurationError,
    TableExistsError,
    UnknownOutcomeError,
    WarehouseError,
)
from turnout.redaction import redact
from turnout.table import Table
from turnout.table.storage import take
from turnout.warehouse.bigquery_credentials import CREDENTIALS_ENV, load_credentials
from turnout.warehouse.bigquery_names import (
    BigQueryTableName,
    api_errors,
    api_message,
    parse_table_name,
    quote_identifier,
)
from turnout.warehouse.bigquery_parameters import convert_placeholders, query_parameters
from turnout.warehouse.bigquery_schema import (
    LoadColumn,
    arrow_table,
    load_column,
    result_table,
    schema_fields,
    standard_type,
)
from turnout.warehouse.bigquery_table import BigQueryTable

logger = logging.getLogger(__name__)

__all__ = [
    "CREDENTIALS_ENV",
    "BigQueryTable",
    "BigQueryTableName",
    "GoogleBigQuery",
    "load_credentials",
    "parse_table_name",
    "quote_identifier",
]

PROJECT_ENV = "GOOGLE_CLOUD_PROJECT"
DEFAULT_RETRY_DEADLINE = 30.0
IF_EXISTS = ("fail", "append", "truncate", "drop")

# Parsons' default: also reach external tables stored in Google Drive.
DEFAULT_SCOPES = (
    "https://www.googleapis.com/auth/drive",
    "https://www.googleapis.com/auth/bigquery",
    "https://www.googleapis.com/auth/cloud-platform",
)
_DEFAULT_CLIENT_OPTIONS = {"scopes": list(DEFAULT_SCOPES)}


# TODO: Parsons' copy_from_gcs, copy_s3, extract, duplicate_table, get_views and
# copy_between_projects are not here yet; scripts using them fail with AttributeError rather
# than doing something different.
class GoogleBigQuery:
    """Query and load Google BigQuery with Parsons' names.

    Args:
        app_creds: a Credentials object, a dict, JSON text, or a path to a JSON key file;
            default ``GOOGLE_APPLICATION_CREDENTIALS``.
        project: the project to act in; default the credentials' ``project_id``, then
            ``GOOGLE_CLOUD_PROJECT``. Never guessed from the environment's metadata server.
        location: default location of jobs and datasets.
        client_options: passed to ``bigquery.Client`` (``api_endpoint`` points it elsewhere,
            as tests do); default Parsons' scopes (Drive, BigQuery, Cloud Platform).
        tmp_gcs_bucket: accepted for Parsons compatibility; loads do not stage in Cloud Storage.
        retry_deadline: seconds each API call keeps retrying transient failures (5xx, 429, a
            refused or dropped connection). google-cloud-bigquery's own default is 600, which
            makes an unreachable endpoint look like a hang; turnout's is 30.
    """

    def __init__(
        self,
        app_creds: str | dict | google.auth.credentials.Credentials | None = None,
        project: str | None = None,
        location: str | None = None,
        client_options: dict | None = None,
        tmp_gcs_bucket: str | None = None,
        *,
        retry_deadline: float = DEFAULT_RETRY_DEADLINE,
    ) -> None:
        # None means Parsons' scopes (Drive, BigQuery, Cloud Platform), as in Parsons.
        options = dict(client_options if client_options is not None else _DEFAULT_CLIENT_OPTIONS)
        self.app_creds = app_creds
        self.credentials, credentials_project = load_credentials(app_creds, options.get("scopes"))
        self.project = project or credentials_project or os.environ.get(PROJECT_ENV)
        if not self.project:
            raise ConfigurationError(
                f"GoogleBigQuery needs a project: pass project, use credentials that name a "
                f"project_id, or set {PROJECT_ENV}"
            )
        self.location = location
        self.client_options = options
        self.tmp_gcs_bucket = tmp_gcs_bucket
        self._client: bigquery.Client | None = None
        self.dialect = "bigquery"
        # Every API call below passes these, so no call retries longer than retry_deadline.
        self.retry = bigquery_retry.DEFAULT_RETRY.with_timeout(retry_deadline)
        self.job_retry = bigquery_retry.DEFAULT_JOB_RETRY.with_timeout(retry_deadline)

    def __repr__(self) -> str:
        return f"GoogleBigQuery(project={self.project!r}, location={self.location!r})"

    @property
    def client(self) -> bigquery.Client:
        """The underlying `google.cloud.bigquery.Client`, made on first use."""
        if self._client is None:
            self._client = bigquery.Client(
                project=self.project,
                credentials=self.credentials,
                location=self.location,
                client_options=self.client_options,
            )
        return self._client

    # --- names ---------------------------------------------------------------------------------

    def get_table_ref(self, table_name: str) -> bigquery.TableReference:
        """The TableReference of `[project.]dataset.table`."""
        name = parse_table_name(table_name)
        dataset = bigquery.DatasetReference(name.project or self.project, name.dataset)
        return dataset.table(name.table)

    # --- queries -------------------------------------------------------------------------------

    def query(
        self,
        sql: str,
        parameters: Sequence[Any] | Mapping[str, Any] | None = None,
        return_values: bool = True,
        job_config: bigquery.QueryJobConfig | None = None,
    ) -> Table | None:
        """Run a query; its rows as a Table, or None when it returns no rows (or no result set).

        `job_config` (Parsons' argument) is used as given, with the query parameters set on it.

        Placeholders are Parsons' `%s` (parameters a list) or `%(name)s` (a dict); BigQuery's own
        `?` and `@name` work too. Values go to BigQuery as typed query parameters, never into
        the SQL text.
        """
        if job_config is None:
            job_config = bigquery.QueryJobConfig()
        job_config.query_parameters = query_parameters(parameters)
        statement = convert_placeholders(sql, parameters)
        logger.debug("BigQuery query: %s", _first_line(statement))
        with api_errors("BigQuery query failed"):
            # job_retry=None here: with a job_retry, the client wraps jobs.insert in a retry of
            # its own with a fixed 600 s deadline. The bounded job_retry goes to result().
            job = self.client.query(
                statement, job_config=job_config, retry=self.retry, job_retry=None
            )
            rows = job.result(retry=self.retry, job_retry=self.job_retry)
        if not return_values or not rows.schema or not rows.total_rows:
            return None
        # TODO: the whole result is held in memory as Arrow; Parsons spools big results to a
        # temporary file. Page through `rows.to_arrow_iterable` into a file-backed Table once
        # Table can grow from batches.
        return result_table(rows)

    @contextmanager
    def connection(self) -> Iterator[dbapi.Connection]:
        """A DB-API connection on the client; BigQuery commits every statement itself."""
        connection = dbapi.connect(self.client, prefer_bqstorage_client=False)
        try:
            yield connection
        finally:
            connection.close()

    def query_with_connection(
        self,
        sql: str,
        connection: dbapi.Connection,
        parameters: Sequence[Any] | Mapping[str, Any] | None = None,
        commit: bool = True,
        return_values: bool = True,
        job_config: bigquery.QueryJobConfig | None = None,
    ) -> Table | None:
        """Run `sql` on a DB-API connection from `connection()`; rows as a Table, or None.

        `commit=False` is refused: BigQuery commits each statement (use
        `query_with_transaction` for several statements as one).
        """
        if not commit:
            raise WarehouseError(
                "BigQuery commits every statement; run several statements as one transaction "
                "with query_with_transaction"
            )
        cursor = connection.cursor()
        try:
            cursor.execute(sql, parameters, job_config=job_config)
            if not return_values or not cursor.description:
                return None
            names = [column[0] for column in cursor.description]
            rows = [list(row.values()) for row in cursor.fetchall()]
        except dbapi.Error as error:
            raise WarehouseError(f"BigQuery query failed: {redact(error)}") from error
        finally:
            cursor.close()
        if not rows:
            return None
        return Table([names, *rows])

    def query_with_transaction(
        self, queries: Sequence[str], parameters: Sequence[Any] | Mapping[str, Any] | None = None
    ) -> None:
        """Run several statements as one multi-statement transaction."""
        body = "\n".join(_with_semicolon(query) for query in queries)
        script = f"BEGIN\n  BEGIN TRANSACTION;\n{body}\n  COMMIT TRANSACTION;\nEND;"
        self.query(script, parameters=parameters, return_values=False)

    # --- tables --------------------------------------------------------------------------------

    def table(self, table_name: str) -> BigQueryTable:
        """A handle on one table: num_rows, columns, get_rows, drop, truncate."""
        return BigQueryTable(self, table_name)

    def table_exists(self, table_name: str) -> bool:
        """Whether the table exists."""
        with api_errors(f"cannot tell whether {table_name!r} exists"):
            try:
                self.client.get_table(self.get_table_ref(table_name), retry=self.retry)
            except google_exceptions.NotFound:
                return False
        return True

    def delete_table(self, table_name: str) -> None:
        """Delete the table; a table that does not exist is an error, as in Parsons."""
        with api_errors(f"cannot delete table {table_name!r}"):
            self.client.delete_table(self.get_table_ref(table_name), retry=self.retry)
        logger.info("deleted BigQuery table %s", table_name)

    def get_tables(self, schema: str, table_name: str | None = None) -> Table:
        """The tables of a dataset (`schema`), optionally only the one named `table_name`."""
        dataset = bigquery.DatasetReference(self.project, schema)
        with api_errors(f"cannot list the tables of dataset {schema!r}"):
            listed = list(self.client.list_tables(dataset, retry=self.retry))
        rows = [
            {
                "table_catalog": item.project,
                "table_schema": item.dataset_id,
                "table_name": item.table_id,
                "table_type": item.table_type,
            }
            for item in listed
            if table_name is None or item.table_id == table_name
        ]
        if not rows:
            return Table([["table_catalog", "table_schema", "table_name", "table_type"]])
        return Table(rows)

    def get_columns_list(self, schema: str, table_name: str) -> list[str]:
        """The column names of `schema.table_name`, in order."""
        return [field.name for field in self._get_table(f"{schema}.{table_name}").schema]

    def get_columns(self, schema: str, table_name: str) -> dict[str, dict[str, Any]]:
        """Column name -> {"data_type", "is_nullable"}, in column order."""
        return {
            field.name: {
                "data_type": standard_type(field.field_type),
                "is_nullable": "NO" if field.mode == "REQUIRED" else "YES",
            }
            for field in self._get_table(f"{schema}.{table_name}").schema
        }

    def get_row_count(self, schema: str, table_name: str) -> int:
        """The number of rows of `schema.table_name` (a COUNT(*) query, as in Parsons)."""
        name = BigQueryTableName(schema, table_name)
        result = self.query(f"SELECT COUNT(*) AS row_count FROM {name.quoted()}")
        return 0 if result is None else int(result.first)

    def _get_table(self, table_name: str) -> bigquery.Table:
        with api_errors(f"cannot read table {table_name!r}"):
            return self.client.get_table(self.get_table_ref(table_name), retry=self.retry)

    # --- loading -------------------------------------------------------------------------------

    def copy(
        self,
        tbl: Table,
        table_name: str,
        if_exists: str = "fail",
        max_errors: int = 0,
        tmp_gcs_bucket: str | None = None,
        temp_blob_name: str | None = None,
        gcs_client: Any = None,
        job_config: bigquery.LoadJobConfig | None = None,
        template_table: str | None = None,
        ignoreheader: int = 1,
        nullas: str | None = None,
        allow_quoted_newlines: bool = True,
        allow_jagged_rows: bool = True,
        quote: str | None = None,
        schema: list[dict] | list[bigquery.SchemaField] | None = None,
        max_timeout: int = 21600,
        convert_dict_list_columns_to_json: bool = True,
        keep_gcs_file: bool = False,
        *,
        alter_table: bool = False,
        **load_kwargs: Any,
    ) -> bigquery.LoadJob:
        """Load a Table into `dataset.table` with one load job; returns the finished job.

        `temp_blob_name` and `keep_gcs_file` are Parsons' Cloud Storage staging options,
        accepted and unused like `tmp_gcs_bucket`: nothing is staged.

        `alter_table=True` adds the Table's new columns to an existing table on append or
        truncate (BigQuery has no varchar widths to widen). The CSV options of Parsons
        (`ignoreheader`, `nullas`, `allow_quoted_newlines`, `allow_jagged_rows`, `quote`) are
        accepted for compatibility and have no effect: the file is Parquet.

        `schema` (Parsons' list of {"name", "field_type"|"type"} dicts, or SchemaFields) or
        `template_table` sets the column types of a new table; otherwise they are inferred from
        the Table. Values that do not fit their column fail before anything is uploaded, with
        an error naming the column; a job the service rejects raises WarehouseError naming the
        table, and the table keeps its previous rows.
        """
        if if_exists not in IF_EXISTS:
            raise ValueError(f"if_exists must be one of {IF_EXISTS}, not {if_exists!r}")
        if tmp_gcs_bucket or gcs_client:
            logger.warning(
                "GoogleBigQuery.copy uploads straight to the load job; tmp_gcs_bucket and "
                "gcs_client are ignored"
            )
        if nullas is not None or quote is not None:
            logger.warning("nullas and quote are CSV options; a Parquet load ignores them")
        if not convert_dict_list_columns_to_json:
            # TODO: load dicts and lists as STRUCT/ARRAY columns; they always load as JSON now.
            logger.warning(
                "dict and list columns load as JSON whatever convert_dict_list_columns_to_json says"
            )
        if not tbl.columns:
            raise WarehouseError(f"cannot copy a Table with no columns into {table_name!r}")
        _check_distinct_names(tbl.columns, table_name)

        reference = self.get_table_ref(table_name)
        existing = self._existing_schema(reference, table_name)
        if existing is not None and if_exists == "fail":
            raise TableExistsError(
                f"table {table_name!r} already exists; pass if_exists='append', 'truncate' or "
                "'drop' to load into it"
            )

        keep_schema = existing is not None and if_exists in ("append", "truncate")
        if keep_schema:
            declared = existing
        elif schema:
            declared = _schema_from_argument(schema)
        elif template_table:
            declared = self._get_table(template_table).schema
        else:
            declared = None
        added = alter_table and keep_schema
        columns = self._load_columns(tbl, table_name, declared, allow_new_columns=added)
        if added:
            known = {field.name.lower() for field in existing or []}
            new_fields = schema_fields([c for c in columns if c.name.lower() not in known])
            if new_fields:
                logger.info(
                    "alter_table: adding column(s) %s to %s",
                    [field.name for field in new_fields],
                    table_name,
                )
                existing = [*(existing or []), *new_fields]
                declared = existing
                if job_config is None:
                    job_config = bigquery.LoadJobConfig()
                if if_exists == "append" and not job_config.schema_update_options:
                    job_config.schema_update_options = [
                        bigquery.SchemaUpdateOption.ALLOW_FIELD_ADDITION
                    ]
        config = self._load_config(job_config, if_exists, existing, columns, declared, max_errors)

        if "job_id" not in load_kwargs and "job_id_prefix" not in load_kwargs:
            # Our own id, so a load whose outcome is unknown can be looked up by it.
            load_kwargs["job_id"] = f"turnout_load_{uuid.uuid4().hex}"
        # The Parquet file goes to disk, so memory holds the Table once, not twice.
        with tempfile.TemporaryDirectory(prefix="turnout-bigquery-") as folder:
            path = Path(folder) / "load.parquet"
            pq.write_table(arrow_table(columns), path, compression="snappy")
            size = path.stat().st_size
            logger.info(
                "loading %s rows into BigQuery table %s (%s, %s bytes of Parquet)",
                tbl.num_rows,
                table_name,
                config.write_disposition,
                size,
            )
            with path.open("rb") as parquet:
                job = self._run_load(
                    parquet, reference, size, config, table_name, max_timeout, load_kwargs
                )
        logger.info("loaded %s rows into %s", tbl.num_rows, table_name)
        return job

    def _run_load(
        self,
        buffer: Any,
        reference: bigquery.TableReference,
        size: int,
        config: bigquery.LoadJobConfig,
        table_name: str,
        max_timeout: float,
        load_kwargs: dict[str, Any],
    ) -> bigquery.LoadJob:
        job_id = load_kwargs.get("job_id", "(an id chosen by the client)")
        # An error the service reports means the job failed as a whole; no answer at all (a
        # timeout, a dropped connection, retries run out) leaves the outcome unknown.
        try:
            job = self.client.load_table_from_file(
                buffer, reference, size=size, job_config=config, **load_kwargs
            )
            job.result(retry=self.retry, timeout=max_timeout)
        except google_exceptions.GoogleAPICallError as error:
            raise WarehouseError(
                f"loading into BigQuery table {table_name!r} failed; the table is unchanged: "
                f"{api_message(error)}"
            ) from error
        except (
            concurrent.futures.TimeoutError,
            requests.exceptions.ConnectionError,
            google_exceptions.RetryError,
        ) as error:
            raise UnknownOutcomeError(
                f"loading into BigQuery table {table_name!r}: no answer about load job "
                f"{job_id} ({type(error).__name__}); it may still finish. Check the job before "
                "loading again."
            ) from error
        return job

    def upsert(
        self,
        table_obj: Table,
        target_table: str,
        primary_key: str | list[str],
        distinct_check: bool = True,
        cleanup_temp_table: bool = True,
        from_s3: bool = False,
        **copy_args: Any,
    ) -> None:
        """Update the rows whose primary key matches, insert the rest: one MERGE statement from a
        staging table loaded like `copy`.

        A key repeated in the batch keeps its last row. A missing target table is created by
        `copy`. `distinct_check` first makes sure the target's keys are unique, as Parsons does.
        """
        if from_s3:
            raise WarehouseError(
                "GoogleBigQuery.upsert loads from a Table; from_s3 is not supported"
            )
        keys = [primary_key] if isinstance(primary_key, str) else list(primary_key)
        batch = _last_row_per_key(table_obj, keys, target_table)
        if not self.table_exists(target_table):
            logger.info(
                "upsert: %s does not exist; copying the rows into a new table", target_table
            )
            self.copy(batch, target_table, **copy_args)
            return

        target = self._qualified(target_table)
        if distinct_check:
            self._check_distinct_keys(target, keys, target_table)
        fields = {field.name.lower(): field for field in self._get_table(target_table).schema}
        unknown = [c for c in batch.columns if c.lower() not in fields]
        if unknown:
            raise WarehouseError(
                f"upsert into {target_table!r}: the table has no column(s) {unknown}"
            )

        staging = BigQueryTableName(
            target.dataset, f"{target.table}_stg_{secrets.token_hex(4)}", target.project
        )
        schema = [fields[c.lower()] for c in batch.columns]
        self.copy(batch, staging.display, schema=schema, **copy_args)
        try:
            self.query(merge_statement(target, staging, batch.columns, keys), return_values=False)
        finally:
            if cleanup_temp_table:
                self.client.delete_table(
                    self.get_table_ref(staging.display), retry=self.retry, not_found_ok=True
                )
        logger.info("upserted %s rows into %s", batch.num_rows, target_table)

    def _qualified(self, table_name: str) -> BigQueryTableName:
        name = parse_table_name(table_name)
        return BigQueryTableName(name.dataset, name.table, name.project or self.project)

    def _check_distinct_keys(
        self, target: BigQueryTableName, keys: list[str], table_name: str
    ) -> None:
        key_list = ", ".join(quote_identifier(key) for key in keys)
        result = self.query(
            "SELECT COUNT(*) AS duplicate_keys FROM (SELECT "
            f"{key_list} FROM {target.quoted()} GROUP BY {key_list} HAVING COUNT(*) > 1)"
        )
        duplicates = 0 if result is None else int(result.first)
        if duplicates:
            raise WarehouseError(
                f"upsert into {table_name!r}: {duplicates} primary key value(s) of {keys} repeat "
                "in the table already; pass distinct_check=False to merge anyway"
            )

    def copy_direct(
        self,
        tbl: Table,
        table_name: str,
        if_exists: str = "fail",
        max_errors: int = 0,
        job_config: bigquery.LoadJobConfig | None = None,
        template_table: str | None = None,
        ignoreheader: int = 1,
        nullas: str | None = None,
        allow_quoted_newlines: bool = True,
        allow_jagged_rows: bool = True,
        quote: str | None = None,
        schema: list[dict] | list[bigquery.SchemaField] | None = None,
        max_timeout: int = 21600,
        convert_dict_list_columns_to_json: bool = True,
        **load_kwargs: Any,
    ) -> bigquery.LoadJob:
        """Parsons' direct upload: the same as `copy`, which never stages in Cloud Storage."""
        return self.copy(
            tbl,
            table_name,
            if_exists=if_exists,
            max_errors=max_errors,
            job_config=job_config,
            template_table=template_table,
            ignoreheader=ignoreheader,
            nullas=nullas,
            allow_quoted_newlines=allow_quoted_newlines,
            allow_jagged_rows=allow_jagged_rows,
            quote=quote,
            schema=schema,
            max_timeout=max_timeout,
            convert_dict_list_columns_to_json=convert_dict_list_columns_to_json,
            **load_kwargs,
        )

    def _existing_schema(
        self, reference: bigquery.TableReference, table_name: str
    ) -> list[bigquery.SchemaField] | None:
        with api_errors(f"cannot read table {table_name!r} before loading"):
            try:
                return list(self.client.get_table(reference, retry=self.retry).schema)
            except google_exceptions.NotFound:
                return None

    def _load_columns(
        self,
        tbl: Table,
        table_name: str,
        declared: list[bigquery.SchemaField] | None,
        *,
        allow_new_columns: bool = False,
    ) -> list[LoadColumn]:
        """Arrow columns typed as the declared schema (the table's own when it is kept); a
        column the schema lacks is an error unless `allow_new_columns` (its type inferred)."""
        types = {field.name.lower(): field.field_type for field in declared or []}
        if declared is not None and not allow_new_columns:
            unknown = [c for c in tbl.columns if c.lower() not in types]
            if unknown:
                raise WarehouseError(
                    f"table {table_name!r} has no column(s) {unknown}; its columns are "
                    f"{[field.name for field in declared or []]} (alter_table=True adds them)"
                )
        columns = []
        for name in tbl.columns:
            try:
                column = load_column(tbl._column_store(name), name, types.get(name.lower()))
            except WarehouseError as error:
                raise WarehouseError(f"cannot load into table {table_name!r}: {error}") from error
            columns.append(column)
        return columns

    def _load_config(
        self,
        job_config: bigquery.LoadJobConfig | None,
        if_exists: str,
        existing: list[bigquery.SchemaField] | None,
        columns: list[LoadColumn],
        declared: list[bigquery.SchemaField] | None,
        max_errors: int,
    ) -> bigquery.LoadJobConfig:
        """The load job's configuration; a value the caller set in `job_config` wins."""
        config = job_config or bigquery.LoadJobConfig()
        config.source_format = bigquery.SourceFormat.PARQUET
        if config.write_disposition is None:
            config.write_disposition = {
                "fail": bigquery.WriteDisposition.WRITE_EMPTY,
                "append": bigquery.WriteDisposition.WRITE_APPEND,
                "truncate": bigquery.WriteDisposition.WRITE_TRUNCATE,
                "drop": bigquery.WriteDisposition.WRITE_TRUNCATE,
            }[if_exists]
        if config.create_disposition is None:
            config.create_disposition = bigquery.CreateDisposition.CREATE_IF_NEEDED
        if not config.schema:
            if existing is not None and if_exists in ("append", "truncate"):
                config.schema = existing
            elif declared:
                config.schema = declared
            else:
                config.schema = schema_fields(columns)
        if config.max_bad_records is None and max_errors:
            config.max_bad_records = max_errors
        if config.decimal_target_types is None:
            config.decimal_target_types = ["NUMERIC", "BIGNUMERIC", "STRING"]
        return config


def merge_statement(
    target: BigQueryTableName, staging: BigQueryTableName, columns: Sequence[str], keys: list[str]
) -> str:
    """The MERGE that updates matching rows of `target` from `staging` and inserts the rest."""
    on = " AND ".join(
        f"target.{quote_identifier(key)} = source.{quote_identifier(key)}" for key in keys
    )
    lowered = {key.lower() for key in keys}
    updates = [c for c in columns if c.lower() not in lowered]
    column_list = ", ".join(quote_identifier(c) for c in columns)
    values = ", ".join(f"source.{quote_identifier(c)}" for c in columns)
    lines = [
        f"MERGE {target.quoted()} AS target",
        f"USING {staging.quoted()} AS source",
        f"ON {on}",
    ]
    if updates:
        assignments = ", ".join(
            f"{quote_identifier(c)} = source.{quote_identifier(c)}" for c in updates
        )
        lines.append(f"WHEN MATCHED THEN UPDATE SET {assignments}")
    lines.append(f"WHEN NOT MATCHED THEN INSERT ({column_list}) VALUES ({values})")
    return "\n".join(lines)


def _last_row_per_key(tbl: Table, keys: list[str], table_name: str) -> Table:
    """The rows of `tbl`, one per key (the last one wins), in their original order."""
    for key in keys:
        if key not in tbl.columns:
            raise WarehouseError(
                f"upsert into {table_name!r}: primary key column {key!r} is not in the Table; "
                f"columns are {tbl.columns}"
            )
    key_values = [tbl.column_data(key) for key in keys]
    last: dict[tuple, int] = {}
    for row, values in enumerate(zip(*key_values)):
        if any(value is None for value in values):
            column = keys[next(i for i, v in enumerate(values) if v is None)]
            raise WarehouseError(
                f"upsert into {table_name!r}: primary key column {column!r} is empty in row {row}"
            )
        last[values] = row
    if len(last) == tbl.num_rows:
        return tbl
    logger.info(
        "upsert into %s: %s rows repeat the key of a later row; the last one wins",
        table_name,
        tbl.num_rows - len(last),
    )
    kept = sorted(last.values())
    columns = {name: take(tbl._column_store(name), kept, name) for name in tbl.columns}
    return Table._from_columns_unchecked(columns, len(kept))


def _check_distinct_names(columns: Sequence[str], table_name: str) -> None:
    """BigQuery column names ignore case: `id` and `ID` would be one column."""
    seen: dict[str, str] = {}
    for name in columns:
        other = seen.setdefault(name.lower(), name)
        if other != name:
            raise WarehouseError(
                f"cannot copy into {table_name!r}: columns {other!r} and {name!r} differ only in "
                "case, and BigQuery column names ignore case"
            )


def _schema_from_argument(
    schema: list[dict] | list[bigquery.SchemaField],
) -> list[bigquery.SchemaField]:
    fields = []
    for item in schema:
        if isinstance(item, bigquery.SchemaField):
            fields.append(item)
            continue
        spec = dict(item)
        if "type" in spec and "field_type" not in spec:
            spec["field_type"] = spec.pop("type")
        try:
            fields.append(bigquery.SchemaField(**spec))
        except TypeError as error:
            raise WarehouseError(
                f"schema entry {item!r} is not a BigQuery field: {error}"
            ) from None
    return fields


def _with_semicolon(sql: str) -> str:
    sql = sql.strip()
    return sql if sql.endswith(";") else sql + ";"


def _first_line(sql: str) -> str:
    line = sql.strip().splitlines()[0] if sql.strip() else ""
    return line if len(line) <= 200 else line[:200] + "..."
