"""Redshift's COPY and UNLOAD statements.

These statements cannot take bind parameters, so the few values they hold (S3 URLs,
credentials, format options) are written as quoted literals through `quote_literal`, and every
free-form option is checked against what Redshift accepts. Identifiers are quoted as everywhere.
"""

from __future__ import annotations

import re

from turnout.errors import WarehouseError
from turnout.warehouse.identifiers import TableName, column_list, quote_literal

COMPRESSIONS = {"gzip": "GZIP", "bzip2": "BZIP2", "lzop": "LZOP", "zstd": "ZSTD"}
UNLOAD_FORMATS = {"csv": "CSV", "parquet": "PARQUET", "json": "JSON"}
_FILE_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(MB|GB)\s*$", re.IGNORECASE)
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


def credentials_clause(
    aws_access_key_id: str | None = None,
    aws_secret_access_key: str | None = None,
    aws_session_token: str | None = None,
    iam_role: str | None = None,
) -> str:
    """`IAM_ROLE '...'` or `CREDENTIALS 'aws_access_key_id=...;aws_secret_access_key=...'`."""
    if iam_role:
        return f"IAM_ROLE {quote_literal(iam_role)}"
    if not (aws_access_key_id and aws_secret_access_key):
        raise WarehouseError(
            "Redshift COPY/UNLOAD needs AWS credentials: aws_access_key_id and "
            "aws_secret_access_key (or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), or iam_role"
        )
    credentials = (
        f"aws_access_key_id={aws_access_key_id};aws_secret_access_key={aws_secret_access_key}"
    )
    if aws_session_token:
        credentials += f";token={aws_session_token}"
    return f"CREDENTIALS {quote_literal(credentials)}"


def _on_off(name: str, value: bool | None) -> list[str]:
    if value is None:
        return []
    return [f"{name} {'ON' if value else 'OFF'}"]


def _region(region: str | None) -> list[str]:
    if not region:
        return []
    if not _REGION.match(region):
        raise WarehouseError(f"{region!r} is not an AWS region name")
    return [f"REGION {quote_literal(region)}"]


def copy_statement(
    table: TableName,
    columns: list[str] | None,
    s3_url: str,
    credentials: str,
    *,
    data_type: str = "csv",
    csv_delimiter: str = ",",
    ignoreheader: int = 1,
    compression: str | None = None,
    manifest: bool = False,
    max_errors: int = 0,
    statupdate: bool | None = None,
    compupdate: bool | None = None,
    acceptanydate: bool = True,
    dateformat: str | None = "auto",
    timeformat: str | None = "auto",
    emptyasnull: bool = True,
    blanksasnull: bool = True,
    nullas: str | None = None,
    acceptinvchars: bool = True,
    truncatecolumns: bool = False,
    bucket_region: str | None = None,
    json_option: str = "auto",
) -> str:
    """A Redshift COPY from S3 into `table` (columns listed, so they match by name)."""
    parts = [f"COPY {table.quoted()}"]
    if columns:
        parts[0] += f" ({column_list(columns)})"
    parts += [f"FROM {quote_literal(s3_url)}", credentials]

    if data_type == "csv":
        parts += ["CSV", f"DELIMITER {quote_literal(csv_delimiter)}"]
        if ignoreheader:
            parts.append(f"IGNOREHEADER {int(ignoreheader)}")
    elif data_type == "json":
        parts.append(f"FORMAT AS JSON {quote_literal(json_option)}")
    else:
        raise WarehouseError(f"data_type must be 'csv' or 'json', not {data_type!r}")

    if compression:
        if compression.lower() not in COMPRESSIONS:
            raise WarehouseError(f"compression must be one of {sorted(COMPRESSIONS)!r}")
        parts.append(COMPRESSIONS[compression.lower()])
    if manifest:
        parts.append("MANIFEST")
    if acceptanydate:
        parts.append("ACCEPTANYDATE")
    if dateformat:
        parts.append(f"DATEFORMAT {quote_literal(dateformat)}")
    if timeformat:
        parts.append(f"TIMEFORMAT {quote_literal(timeformat)}")
    if emptyasnull:
        parts.append("EMPTYASNULL")
    if blanksasnull:
        parts.append("BLANKSASNULL")
    if nullas is not None:
        parts.append(f"NULL AS {quote_literal(nullas)}")
    if acceptinvchars:
        parts.append("ACCEPTINVCHARS")
    if truncatecolumns:
        parts.append("TRUNCATECOLUMNS")
    parts.append(f"MAXERROR {int(max_errors)}")
    parts += _on_off("STATUPDATE", statupdate)
    parts += _on_off("COMPUPDATE", compupdate)
    parts += _region(bucket_region)
    return "\n".join(parts)


def unload_statement(
    sql: str,
    s3_url: str,
    credentials: str,
    *,
    manifest: bool = True,
    header: bool = True,
    delimiter: str | None = "|",
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
) -> str:
    """A Redshift UNLOAD of `sql` to the S3 prefix `s3_url`; `sql` is quoted as a literal."""
    size = _FILE_SIZE.match(max_file_size or "")
    if size is None:
        raise WarehouseError(
            f"max_file_size must look like '6.2 GB' or '100 MB', not {max_file_size!r}"
        )
    parts = [f"UNLOAD ({quote_literal(sql)})", f"TO {quote_literal(s3_url)}", credentials]
    parts.append(f"PARALLEL {'ON' if parallel else 'OFF'}")
    parts.append(f"MAXFILESIZE {size.group(1)} {size.group(2).upper()}")
    if format:
        if format.lower() not in UNLOAD_FORMATS:
            raise WarehouseError(f"format must be one of {sorted(UNLOAD_FORMATS)!r}")
        parts.append(f"FORMAT AS {UNLOAD_FORMATS[format.lower()]}")
    if manifest:
        parts.append("MANIFEST")
    if header:
        parts.append("HEADER")
    if delimiter and format is None:
        parts.append(f"DELIMITER AS {quote_literal(delimiter)}")
    if compression:
        if compression.lower() not in COMPRESSIONS:
            raise WarehouseError(f"compression must be one of {sorted(COMPRESSIONS)!r}")
        parts.append(COMPRESSIONS[compression.lower()])
    if add_quotes and format is None:
        parts.append("ADDQUOTES")
    if null_as is not None:
        parts.append(f"NULL AS {quote_literal(null_as)}")
    if escape and format is None:
        parts.append("ESCAPE")
    if allow_overwrite:
        parts.append("ALLOWOVERWRITE")
    if extension:
        parts.append(f"EXTENSION {quote_literal(extension)}")
    parts += _region(aws_region)
    return "\n".join(parts)


def redact_credentials(statement: str) -> str:
    """The statement with its CREDENTIALS literal masked, for logs."""
    return re.sub(r"CREDENTIALS '(?:[^']|'')*'", "CREDENTIALS '***'", statement)


def distribution_clause(distkey: str | None, sortkey: str | list[str] | None) -> str:
    """` DISTKEY("a") COMPOUND SORTKEY("a", "b")` for a CREATE TABLE."""
    clause = ""
    if distkey:
        clause += f" DISTKEY({column_list([distkey])})"
    if sortkey:
        keys = [sortkey] if isinstance(sortkey, str) else list(sortkey)
        clause += (
            f" COMPOUND SORTKEY({column_list(keys)})"
            if len(keys) > 1
            else (f" SORTKEY({column_list(keys)})")
        )
    return clause
