"""Redshift: the Postgres interface over the same wire protocol, plus Parsons' Redshift extras.

copy() stages the Table as a gzipped CSV in the S3 temp bucket and loads it with a generated
Redshift COPY, inside the copy's transaction; copy_s3() loads files already in S3; unload()
writes a query's result to S3; upsert() goes through a staging table; distkey/sortkey shape new
tables; varchar widths come from the data in UTF-8 bytes (capped at 65535); alter_table widens
varchar columns (in its own transaction first: Redshift cannot ALTER COLUMN inside one) and adds
missing ones.

`postgres_compatible=True` runs the same SQL path on a PostgreSQL server (tests, local
development): DISTKEY/SORTKEY are left out of CREATE TABLE, and where the real server would run
the generated COPY or UNLOAD, the staged S3 object is read back and loaded with COPY FROM STDIN
(or the query is written to S3 with COPY TO STDOUT), so the staging itself is still exercised.
"""

from __future__ import annotations

import gzip
import json
import logging
import math
import os
from typing import Any

import psycopg

from turnout.errors import ConfigurationError, WarehouseError
from turnout.warehouse.base import Warehouse
from turnout.warehouse.identifiers import (
    TableName,
    column_list,
    parse_table_name,
    quote_identifier,
    quote_literal,
)
from turnout.warehouse.load import PreparedLoad, prepare_load
from turnout.warehouse.postgres import (
    IntegralNumericLoader,
    PostgresConnection,
    copy_from_stdin,
    dependent_views,
    describe_copy_error,
    describe_psycopg_error,
)
from turnout.warehouse.redshift_sql import (
    copy_statement,
    credentials_clause,
    distribution_clause,
    redact_credentials,
    unload_statement,
)
from turnout.warehouse.redshift_utilities import RedshiftTableUtilities
from turnout.warehouse.s3_staging import S3Staging
from turnout.warehouse.types import REDSHIFT, ColumnType, Kind

logger = logging.getLogger(__name__)

# copy() keyword arguments beyond the shared ones, with Parsons' names.
REDSHIFT_COPY_OPTIONS = frozenset(
    {
        "max_errors",
        "distkey",
        "sortkey",
        "padding",
        "statupdate",
        "compupdate",
        "acceptanydate",
        "emptyasnull",
        "blanksasnull",
        "nullas",
        "acceptinvchars",
        "dateformat",
        "timeformat",
        "truncatecolumns",
        "specifycols",
        "aws_access_key_id",
        "aws_secret_access_key",
        "iam_role",
        "cleanup_s3_file",
        "template_table",
        "temp_bucket_region",
        "strict_length",
        "csv_encoding",
    }
)

_STATEMENT_OPTIONS = (
    "max_errors",
    "statupdate",
    "compupdate",
    "acceptanydate",
    "dateformat",
    "timeformat",
    "emptyasnull",
    "blanksasnull",
    "nullas",
    "acceptinvchars",
    "truncatecolumns",
)


def _rounded_width(width: int, padding: float | None, strict_length: bool) -> int:
    """A new varchar's width: exact, padded by a fraction, or rounded up to a power of two."""
    if padding:
        return math.ceil(width * (1 + padding))
    if strict_length or width <= 1:
        return width
    return 1 << (width - 1).bit_length()


class Redshift(RedshiftTableUtilities, PostgresConnection, Warehouse):
    """An Amazon Redshift cluster (settings from REDSHIFT_HOST, REDSHIFT_PORT, REDSHIFT_DB,
    REDSHIFT_USERNAME, REDSHIFT_PASSWORD; staging in S3_TEMP_BUCKET with AWS credentials).

    `s3_endpoint_url` points the S3 staging at another S3 (a local test server);
    `postgres_compatible` runs the same SQL on a PostgreSQL server (see the module docstring).
    """

    dialect = REDSHIFT
    alter_in_transaction = False
    aws_access_key_id: str | None = None
    aws_secret_access_key: str | None = None
    iam_role: str | None = None
    _driver_errors = (psycopg.Error,)
    copy_options = REDSHIFT_COPY_OPTIONS
    env_names = {
        "username": "REDSHIFT_USERNAME",
        "password": "REDSHIFT_PASSWORD",
        "host": "REDSHIFT_HOST",
        "db": "REDSHIFT_DB",
        "port": "REDSHIFT_PORT",
    }

    def __init__(
        self,
        username: str | None = None,
        password: str | None = None,
        host: str | None = None,
        db: str | None = None,
        port: int | None = None,
        timeout: int = 10,
        s3_temp_bucket: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        iam_role: str | None = None,
        use_env_token: bool = True,
        *,
        s3_endpoint_url: str | None = None,
        aws_region: str | None = None,
        postgres_compatible: bool = False,
    ) -> None:
        self.timeout = timeout
        self._settings(username, password, host, db, port, 5439)
        missing = [
            self.env_names[name] for name in ("username", "host", "db") if not getattr(self, name)
        ]
        if missing:
            raise ConfigurationError(
                f"Redshift connection settings missing: pass them or set {', '.join(missing)}"
            )
        # As in Parsons: "bucket/some/prefix" is the bucket and a key prefix for staged files.
        temp_bucket = s3_temp_bucket or os.environ.get("S3_TEMP_BUCKET")
        self.s3_temp_bucket_prefix: str | None = None
        if temp_bucket and "/" in temp_bucket:
            temp_bucket, self.s3_temp_bucket_prefix = temp_bucket.split("/", 1)
        self.s3_temp_bucket = temp_bucket
        self.aws_access_key_id = aws_access_key_id
        self.aws_secret_access_key = aws_secret_access_key
        self.iam_role = iam_role
        self.use_env_token = use_env_token
        self.s3_endpoint_url = s3_endpoint_url
        self.aws_region = aws_region
        self.postgres_compatible = postgres_compatible
        self._client: psycopg.Connection | None = None

    def __repr__(self) -> str:
        return f"Redshift(host={self.host!r}, port={self.port!r}, db={self.db!r})"

    # --- connection ----------------------------------------------------------------------------

    def _connect(self) -> psycopg.Connection:
        try:
            # Client-side binding: Redshift does not take server-side parameters everywhere.
            connection = psycopg.connect(**self._conninfo(), cursor_factory=psycopg.ClientCursor)
        except psycopg.Error as error:
            raise WarehouseError(
                f"cannot connect to Redshift: {describe_psycopg_error(error)}"
            ) from error
        connection.adapters.register_loader("numeric", IntegralNumericLoader)
        return connection

    @property
    def client(self) -> psycopg.Connection:
        if self._client is None or self._client.closed:
            self._client = self._connect()
        return self._client

    def _describe_error(self, error: BaseException) -> str:
        return describe_psycopg_error(error)

    def _loggable(self, sql: str) -> str:
        return redact_credentials(sql)

    def _describe_load_error(self, error: BaseException, load: PreparedLoad) -> str:
        # TODO: on a real cluster, read stl_load_errors to name the row and column of a failed
        # S3 COPY; the message now only carries what the server said.
        return describe_copy_error(error, load, header_lines=1 if self.s3_temp_bucket else 0)

    def _dependent_views(
        self, connection: Any, table: TableName, columns: list[str]
    ) -> list[tuple[TableName, str]]:
        return dependent_views(self, connection, table, columns)

    def _truncate_sql(self, table: TableName) -> str:
        # Redshift's TRUNCATE commits the open transaction; DELETE keeps a failed load undoable.
        return f"DELETE FROM {table.quoted()}"

    # --- S3 ------------------------------------------------------------------------------------

    def _staging(
        self,
        bucket: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        region: str | None = None,
    ) -> S3Staging | None:
        if bucket is None and self.s3_temp_bucket:
            bucket = self.s3_temp_bucket
            if self.s3_temp_bucket_prefix:
                bucket += "/" + self.s3_temp_bucket_prefix
        if not bucket:
            return None
        return S3Staging(
            bucket,
            aws_access_key_id=aws_access_key_id or self.aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key or self.aws_secret_access_key,
            region=region or self.aws_region,
            endpoint_url=self.s3_endpoint_url,
            use_env_token=self.use_env_token,
        )

    def _credentials(self, staging: S3Staging, iam_role: str | None = None) -> str:
        return credentials_clause(
            staging.aws_access_key_id,
            staging.aws_secret_access_key,
            staging.aws_session_token,
            iam_role or self.iam_role,
        )

    # --- create --------------------------------------------------------------------------------

    def _create_table_sql(self, table: TableName, load: PreparedLoad, **options: Any) -> str:
        template = options.get("template_table")
        if template:
            return f"CREATE TABLE {table.quoted()} (LIKE {parse_table_name(template).quoted()})"
        columntypes = options.get("columntypes") or {}
        varchar_max = set(options.get("varchar_max") or [])
        padding = options.get("padding")
        strict_length = options.get("strict_length", True)
        definitions = []
        for name in load.columns:
            column_type = load.types[name]
            if column_type.kind in (Kind.TEXT, Kind.JSON) and column_type.max_bytes:
                width = _rounded_width(column_type.max_bytes, padding, strict_length)
                column_type = ColumnType(column_type.kind, width, width, mixed=column_type.mixed)
            sql_type = columntypes.get(name) or self.dialect.sql_type(
                column_type, varchar_max=name in varchar_max
            )
            definitions.append(f"{quote_identifier(name)} {sql_type}")
        sql = f"CREATE TABLE {table.quoted()} ({', '.join(definitions)})"
        clause = distribution_clause(options.get("distkey"), options.get("sortkey"))
        if clause and self.postgres_compatible:
            logger.debug("postgres_compatible: leaving out%s", clause)
            return sql
        return sql + clause

    def _upsert_create_options(self, keys: list[str], copy_args: dict[str, Any]) -> dict:
        return {
            "distkey": copy_args.get("distkey") or keys[0],
            "sortkey": copy_args.get("sortkey") or keys,
        }

    # --- load ----------------------------------------------------------------------------------

    def copy(
        self,
        tbl: Any,
        table_name: str,
        if_exists: str = "fail",
        max_errors: int = 0,
        distkey: str | None = None,
        sortkey: str | list[str] | None = None,
        padding: float | None = None,
        statupdate: bool | None = None,
        compupdate: bool | None = None,
        acceptanydate: bool = True,
        emptyasnull: bool = True,
        blanksasnull: bool = True,
        nullas: str | None = None,
        acceptinvchars: bool = True,
        dateformat: str = "auto",
        timeformat: str = "auto",
        varchar_max: list[str] | None = None,
        truncatecolumns: bool = False,
        columntypes: dict[str, str] | None = None,
        specifycols: bool | None = None,
        alter_table: bool = False,
        alter_table_cascade: bool = False,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        iam_role: str | None = None,
        cleanup_s3_file: bool = True,
        template_table: str | None = None,
        temp_bucket_region: str | None = None,
        strict_length: bool = True,
        csv_encoding: str = "utf-8",
    ) -> None:
        """Stage the Table in S3 as gzipped CSV and load it with a Redshift COPY, in one
        transaction (see `Warehouse.copy` for if_exists and alter_table).

        Columns are always listed in the COPY, so they match by name (`specifycols` is
        accepted and always on). New varchar columns get the widest value's UTF-8 bytes
        (`padding` adds a fraction, `strict_length=False` rounds up to a power of two,
        `varchar_max` columns get 65535). The CSV is always UTF-8 (`csv_encoding` accepted).
        """
        # TODO: truncatecolumns=True should let values wider than the column through (Redshift
        # cuts them); the width check before the load refuses them today.
        self._copy(
            tbl,
            table_name,
            if_exists,
            alter_table=alter_table,
            alter_table_cascade=alter_table_cascade,
            columntypes=columntypes,
            varchar_max=varchar_max,
            max_errors=max_errors,
            distkey=distkey,
            sortkey=sortkey,
            padding=padding,
            statupdate=statupdate,
            compupdate=compupdate,
            acceptanydate=acceptanydate,
            emptyasnull=emptyasnull,
            blanksasnull=blanksasnull,
            nullas=nullas,
            acceptinvchars=acceptinvchars,
            dateformat=dateformat,
            timeformat=timeformat,
            truncatecolumns=truncatecolumns,
            aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key,
            iam_role=iam_role,
            cleanup_s3_file=cleanup_s3_file,
            template_table=template_table,
            temp_bucket_region=temp_bucket_region,
            strict_length=strict_length,
        )

    def _bulk_load(
        self, connection: Any, table: TableName, load: PreparedLoad, **options: Any
    ) -> None:
        staging = self._staging(
            aws_access_key_id=options.get("aws_access_key_id"),
            aws_secret_access_key=options.get("aws_secret_access_key"),
        )
        if staging is None:
            if not self.postgres_compatible:
                raise WarehouseError(
                    f"copy to {table.display}: Redshift loads through S3; pass s3_temp_bucket "
                    "or set S3_TEMP_BUCKET"
                )
            copy_from_stdin(connection, table, load)
            return

        key = staging.new_key()
        staging.put(key, gzip.compress(load.csv_bytes(header=True), compresslevel=1))
        try:
            statement_options = {
                name: options[name] for name in _STATEMENT_OPTIONS if name in options
            }
            sql = copy_statement(
                table,
                load.columns,
                f"s3://{staging.bucket}/{key}",
                self._credentials(staging, options.get("iam_role")),
                compression="gzip",
                ignoreheader=1,
                bucket_region=options.get("temp_bucket_region"),
                **statement_options,
            )
            logger.debug("SQL: %s", redact_credentials(sql))
            if self.postgres_compatible:
                body = staging.get(key)
                self._copy_file_on_postgres(
                    connection,
                    table,
                    load.columns,
                    body,
                    compression="gzip",
                    header=True,
                    emptyasnull=options.get("emptyasnull", True),
                )
            else:
                connection.execute(sql)
        finally:
            if options.get("cleanup_s3_file", True):
                staging.delete(key)

    def _copy_file_on_postgres(
        self,
        connection: Any,
        table: TableName,
        columns: list[str],
        body: bytes,
        *,
        compression: str | None,
        header: bool,
        delimiter: str = ",",
        emptyasnull: bool = True,
    ) -> None:
        """What Redshift's COPY would do with the staged file, done by PostgreSQL."""
        if compression == "gzip":
            body = gzip.decompress(body)
        elif compression:
            raise WarehouseError(f"postgres_compatible cannot read {compression} files")
        options = [
            "FORMAT csv",
            f"HEADER {'true' if header else 'false'}",
            f"DELIMITER {quote_literal(delimiter)}",
        ]
        if emptyasnull:  # Redshift's EMPTYASNULL: an empty quoted field loads as NULL
            options.append(f"FORCE_NULL ({column_list(columns)})")
        sql = f"COPY {table.quoted()} ({column_list(columns)}) FROM STDIN ({', '.join(options)})"
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            copy.write(body)

    # --- Redshift extras -----------------------------------------------------------------------

    def copy_s3(
        self,
        table_name: str,
        bucket: str,
        key: str,
        manifest: bool = False,
        data_type: str = "csv",
        csv_delimiter: str = ",",
        compression: str | None = None,
        if_exists: str = "fail",
        max_errors: int = 0,
        distkey: str | None = None,
        sortkey: str | list[str] | None = None,
        padding: float | None = None,
        varchar_max: list[str] | None = None,
        statupdate: bool = True,
        compupdate: bool = True,
        ignoreheader: int = 1,
        acceptanydate: bool = True,
        dateformat: str = "auto",
        timeformat: str = "auto",
        emptyasnull: bool = True,
        blanksasnull: bool = True,
        nullas: str | None = None,
        acceptinvchars: bool = True,
        truncatecolumns: bool = False,
        columntypes: dict[str, str] | None = None,
        specifycols: bool | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        bucket_region: str | None = None,
        strict_length: bool = True,
        template_table: str | None = None,
        encoding: str = "utf-8",
        line_delimited: bool = False,
    ) -> None:
        """Load a CSV file already in S3 into `table_name`, creating the table from the file's
        header and values (or from `template_table`) when needed."""
        table = parse_table_name(table_name)
        staging = self._staging(bucket, aws_access_key_id, aws_secret_access_key, bucket_region)
        if manifest or data_type != "csv":
            # TODO: manifests and JSON files: the statement supports them, the table creation
            # from the file's contents does not yet.
            raise WarehouseError("copy_s3 supports single CSV files for now")

        with self.connection() as connection:
            body: bytes | None = None
            columns: list[str] | None = None
            if self._create_table_precheck(connection, table, if_exists):
                options: dict[str, Any] = {
                    "template_table": template_table,
                    "distkey": distkey,
                    "sortkey": sortkey,
                    "padding": padding,
                    "varchar_max": varchar_max,
                    "columntypes": columntypes,
                    "strict_length": strict_length,
                }
                if template_table:
                    self._run(connection, self._create_table_sql(table, None, **options), table)
                else:
                    body = staging.get(key)
                    load = self._file_load(table, body, compression, csv_delimiter, encoding)
                    self._create_table(connection, table, load, **options)
                    columns = load.columns
            if specifycols and columns is None:
                body = body or staging.get(key)
                columns = self._file_load(table, body, compression, csv_delimiter, encoding).columns

            sql = copy_statement(
                table,
                columns,
                f"s3://{bucket}/{key}",
                self._credentials(staging),
                csv_delimiter=csv_delimiter,
                ignoreheader=ignoreheader,
                compression=compression,
                max_errors=max_errors,
                statupdate=statupdate,
                compupdate=compupdate,
                acceptanydate=acceptanydate,
                dateformat=dateformat,
                timeformat=timeformat,
                emptyasnull=emptyasnull,
                blanksasnull=blanksasnull,
                nullas=nullas,
                acceptinvchars=acceptinvchars,
                truncatecolumns=truncatecolumns,
                bucket_region=bucket_region,
            )
            logger.debug("SQL: %s", redact_credentials(sql))
            if self.postgres_compatible:
                body = body or staging.get(key)
                if columns is None:
                    columns = self._file_load(table, body, compression, csv_delimiter, encoding)
                    columns = columns.columns
                self._copy_file_on_postgres(
                    connection,
                    table,
                    columns,
                    body,
                    compression=compression,
                    header=bool(ignoreheader),
                    delimiter=csv_delimiter,
                    emptyasnull=emptyasnull,
                )
            else:
                self._run(connection, sql, table)
        logger.info("s3://%s/%s copied to %s", bucket, key, table.display)

    def _file_load(
        self,
        table: TableName,
        body: bytes,
        compression: str | None,
        delimiter: str,
        encoding: str,
    ) -> PreparedLoad:
        from turnout.table import Table

        if compression == "gzip":
            body = gzip.decompress(body)
        text = body.decode(encoding)
        return prepare_load(Table.from_csv_string(text, delimiter=delimiter), table, REDSHIFT)

    def unload(
        self,
        sql: str,
        bucket: str,
        key_prefix: str,
        manifest: bool = True,
        header: bool = True,
        delimiter: str = "|",
        compression: str | None = "gzip",
        add_quotes: bool = True,
        null_as: str | None = None,
        escape: bool = True,
        allow_overwrite: bool = True,
        parallel: bool = True,
        max_file_size: str = "6.2 GB",
        extension: str | None = None,
        aws_region: str | None = None,
        format: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
    ) -> Any | None:
        """Write the result of `sql` to S3 under `key_prefix` with Redshift's UNLOAD."""
        staging = self._staging(bucket, aws_access_key_id, aws_secret_access_key, aws_region)
        statement = unload_statement(
            sql,
            f"s3://{bucket}/{key_prefix}",
            self._credentials(staging),
            manifest=manifest,
            header=header,
            delimiter=delimiter,
            compression=compression,
            add_quotes=add_quotes,
            null_as=null_as,
            escape=escape,
            allow_overwrite=allow_overwrite,
            parallel=parallel,
            max_file_size=max_file_size,
            extension=extension,
            aws_region=aws_region,
            format=format,
        )
        logger.info("unloading to s3://%s/%s", bucket, key_prefix)
        logger.debug("SQL: %s", redact_credentials(statement))
        if not self.postgres_compatible:
            return self.query(statement)
        self._unload_on_postgres(
            sql, staging, key_prefix, manifest, header, delimiter, compression, null_as, extension
        )
        return None

    def _unload_on_postgres(
        self,
        sql: str,
        staging: S3Staging,
        key_prefix: str,
        manifest: bool,
        header: bool,
        delimiter: str,
        compression: str | None,
        null_as: str | None,
        extension: str | None,
    ) -> None:
        """Write what UNLOAD would, using PostgreSQL's COPY TO STDOUT, as one part file."""
        options = [
            "FORMAT csv",
            f"HEADER {'true' if header else 'false'}",
            f"DELIMITER {quote_literal(delimiter or '|')}",
            f"NULL {quote_literal(null_as or '')}",
        ]
        statement = f"COPY ({sql.rstrip().rstrip(';')}) TO STDOUT ({', '.join(options)})"
        chunks: list[bytes] = []
        with (
            self.connection() as connection,
            connection.cursor() as cursor,
            cursor.copy(statement) as copy,
        ):
            chunks.extend(bytes(data) for data in copy)
        body = b"".join(chunks)
        key = f"{key_prefix}0000_part_00"
        if compression == "gzip":
            body = gzip.compress(body)
            key += ".gz"
        if extension:
            key += f".{extension.lstrip('.')}"
        staging.client.put_object(Bucket=staging.bucket, Key=key, Body=body)
        if manifest:
            entries = [
                {"url": f"s3://{staging.bucket}/{key}", "meta": {"content_length": len(body)}}
            ]
            staging.client.put_object(
                Bucket=staging.bucket,
                Key=f"{key_prefix}manifest",
                Body=json.dumps({"entries": entries}).encode(),
            )

    def get_creds(self, aws_access_key_id: str | None, aws_secret_access_key: str | None) -> str:
        """The CREDENTIALS (or IAM_ROLE) clause of a COPY or UNLOAD."""
        return credentials_clause(
            aws_access_key_id or self.aws_access_key_id or os.environ.get("AWS_ACCESS_KEY_ID"),
            aws_secret_access_key
            or self.aws_secret_access_key
            or os.environ.get("AWS_SECRET_ACCESS_KEY"),
            iam_role=self.iam_role,
        )

    def copy_statement(
        self,
        table_name: str,
        bucket: str,
        key: str,
        manifest: bool = False,
        data_type: str = "csv",
        csv_delimiter: str = ",",
        max_errors: int = 0,
        statupdate: bool | None = None,
        compupdate: bool | None = None,
        ignoreheader: int = 1,
        acceptanydate: bool = True,
        dateformat: str = "auto",
        timeformat: str = "auto",
        emptyasnull: bool = True,
        blanksasnull: bool = True,
        nullas: str | None = None,
        acceptinvchars: bool = True,
        truncatecolumns: bool = False,
        specifycols: list[str] | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        compression: str | None = None,
        bucket_region: str | None = None,
        json_option: str = "auto",
    ) -> str:
        """The Redshift COPY statement for a file in S3 (`specifycols`: the column list)."""
        return copy_statement(
            parse_table_name(table_name),
            list(specifycols) if specifycols and not isinstance(specifycols, bool) else None,
            f"s3://{bucket}/{key}",
            self.get_creds(aws_access_key_id, aws_secret_access_key),
            data_type=data_type,
            csv_delimiter=csv_delimiter,
            ignoreheader=ignoreheader,
            compression=compression,
            manifest=manifest,
            max_errors=max_errors,
            statupdate=statupdate,
            compupdate=compupdate,
            acceptanydate=acceptanydate,
            dateformat=dateformat,
            timeformat=timeformat,
            emptyasnull=emptyasnull,
            blanksasnull=blanksasnull,
            nullas=nullas,
            acceptinvchars=acceptinvchars,
            truncatecolumns=truncatecolumns,
            bucket_region=bucket_region,
            json_option=json_option,
        )

    def temp_s3_copy(
        self,
        tbl: Any,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        csv_encoding: str = "utf-8",
    ) -> str:
        """Stage `tbl` in the temp bucket as gzipped CSV; return its key."""
        staging = self._staging(
            aws_access_key_id=aws_access_key_id, aws_secret_access_key=aws_secret_access_key
        )
        if staging is None:
            raise WarehouseError("temp_s3_copy needs s3_temp_bucket or S3_TEMP_BUCKET")
        load = prepare_load(tbl, TableName("temp_s3_copy"), self.dialect)
        key = staging.new_key()
        staging.put(key, gzip.compress(load.csv_bytes(header=True), compresslevel=1))
        return key

    def temp_s3_delete(self, key: str) -> None:
        staging = self._staging()
        if staging is not None:
            staging.delete(key)

    def drop_and_unload(
        self,
        rs_table: str,
        bucket: str,
        key: str,
        cascade: bool = True,
        manifest: bool = True,
        header: bool = True,
        delimiter: str = "|",
        compression: str | None = "gzip",
        add_quotes: bool = True,
        escape: bool = True,
        allow_overwrite: bool = True,
        parallel: bool = True,
        max_file_size: str = "6.2 GB",
        aws_region: str | None = None,
    ) -> None:
        """Unload the table to `s3://bucket/key/<schema>_<table>/`, then drop it."""
        table = parse_table_name(rs_table)
        self.unload(
            f"SELECT * FROM {table.quoted()}",
            bucket,
            f"{key}/{table.display.replace('.', '_')}/",
            manifest=manifest,
            header=header,
            delimiter=delimiter,
            compression=compression,
            add_quotes=add_quotes,
            escape=escape,
            allow_overwrite=allow_overwrite,
            parallel=parallel,
            max_file_size=max_file_size,
            aws_region=aws_region,
        )
        self.query(f"DROP TABLE IF EXISTS {table.quoted()}{' CASCADE' if cascade else ''}")

    def generate_manifest(
        self,
        buckets: str | list[str],
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        mandatory: bool = True,
        prefix: str | None = None,
        manifest_bucket: str | None = None,
        manifest_key: str | None = None,
        path: str | None = None,
    ) -> dict:
        """A COPY manifest listing every key under `prefix` in `buckets`; saved to
        `s3://manifest_bucket/manifest_key` and/or the local `path` when given."""
        entries = []
        for bucket in [buckets] if isinstance(buckets, str) else list(buckets):
            staging = self._staging(bucket, aws_access_key_id, aws_secret_access_key)
            for key in staging.list_keys(prefix or "", bucket):
                entries.append({"url": f"s3://{bucket}/{key}", "mandatory": mandatory})
        manifest = {"entries": entries}
        body = json.dumps(manifest, indent=4, sort_keys=True).encode()
        if manifest_bucket and manifest_key:
            staging = self._staging(manifest_bucket, aws_access_key_id, aws_secret_access_key)
            staging.put(manifest_key, body)
        if path:
            with open(path, "wb") as file:
                file.write(body)
        return manifest

    def alter_varchar_column_widths(
        self, tbl: Any, table_name: str, drop_dependencies: bool = False
    ) -> None:
        """Widen the table's varchar columns to fit `tbl`'s values (UTF-8 bytes, up to 65535)
        and add the columns it lacks."""
        table = parse_table_name(table_name)
        load = prepare_load(tbl, table, self.dialect)
        with self.connection() as connection:
            self._alter_for_load(connection, table, load, drop_dependencies)

    def upsert(
        self,
        table_obj: Any,
        target_table: str,
        primary_key: str | list[str],
        vacuum: bool = True,
        distinct_check: bool = True,
        cleanup_temp_table: bool = True,
        alter_table: bool = True,
        alter_table_cascade: bool = False,
        from_s3: bool = False,
        distkey: str | None = None,
        sortkey: str | list[str] | None = None,
        **copy_args: Any,
    ) -> None:
        """Parsons' Redshift upsert: staging table, delete matching keys, insert, then VACUUM."""
        if from_s3:
            # TODO: upsert from a file already in S3 (copy_s3 into the staging table).
            raise WarehouseError("upsert(from_s3=True) is not supported yet")
        if distkey:
            copy_args["distkey"] = distkey
        if sortkey:
            copy_args["sortkey"] = sortkey
        super().upsert(
            table_obj,
            target_table,
            primary_key,
            distinct_check=distinct_check,
            cleanup_temp_table=cleanup_temp_table,
            alter_table=alter_table,
            alter_table_cascade=alter_table_cascade,
            **copy_args,
        )
        if vacuum:
            table = parse_table_name(target_table)
            connection = self._connect()
            try:
                connection.autocommit = True
                connection.execute(f"VACUUM {table.quoted()}")
            except psycopg.Error as error:  # lacking the rights to vacuum is not a failure
                logger.warning(
                    "VACUUM %s skipped: %s", table.display, describe_psycopg_error(error)
                )
            finally:
                connection.close()
