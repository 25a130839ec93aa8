"""BigQuery column types for Table columns, and the Arrow data a load job uploads.

The logical type of a column comes from the shared mapping in `turnout.warehouse.types`; this
module only spells it the BigQuery way and builds Arrow arrays whose Parquet form BigQuery loads
into exactly that type:

- boolean -> BOOL, integer -> INT64, float -> FLOAT64, date -> DATE, time -> TIME
- naive datetime -> DATETIME, aware datetime -> TIMESTAMP (stored in UTC)
- ints beyond 64 bits and decimals -> NUMERIC when they fit (29 integer digits, scale 9), else
  BIGNUMERIC (38 integer digits, scale 38), else STRING with a warning: no digit is lost
- text -> STRING ("02134" stays text); dicts and lists -> JSON (values JSON-encoded)
- a column of None only -> STRING

Query results come back through `result_table`: JSON columns decoded, NUMERIC as Decimal.
"""

from __future__ import annotations

import decimal
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl
import pyarrow as pa
from google.cloud import bigquery

from turnout.errors import WarehouseError
from turnout.table import Table
from turnout.table.storage import build_column
from turnout.warehouse.types import ColumnType, Kind, infer_column_type, load_series

logger = logging.getLogger(__name__)

NUMERIC_INTEGER_DIGITS = 29
NUMERIC_SCALE = 9
BIGNUMERIC_INTEGER_DIGITS = 38
BIGNUMERIC_SCALE = 38

_SIMPLE_TYPES = {
    Kind.BOOLEAN: "BOOL",
    Kind.INTEGER: "INT64",
    Kind.FLOAT: "FLOAT64",
    Kind.DATE: "DATE",
    Kind.TIME: "TIME",
    Kind.TIMESTAMP: "DATETIME",
    Kind.TIMESTAMPTZ: "TIMESTAMP",
    Kind.TEXT: "STRING",
    Kind.JSON: "JSON",
}

# Standard SQL spellings of the legacy names the REST API reports for existing tables.
_STANDARD_NAMES = {
    "INTEGER": "INT64",
    "FLOAT": "FLOAT64",
    "BOOLEAN": "BOOL",
}

_ARROW_TYPES: dict[str, pa.DataType] = {
    "BOOL": pa.bool_(),
    "INT64": pa.int64(),
    "FLOAT64": pa.float64(),
    "DATE": pa.date32(),
    "TIME": pa.time64("us"),
    "DATETIME": pa.timestamp("us"),
    "TIMESTAMP": pa.timestamp("us", tz="UTC"),
    "STRING": pa.string(),
    # TODO: Parquet STRING into a JSON column is checked against the loopback stub only; confirm
    # against the live service (else load JSON as STRING and PARSE_JSON after the load).
    "JSON": pa.string(),
    "NUMERIC": pa.decimal128(38, NUMERIC_SCALE),
    "BIGNUMERIC": pa.decimal256(76, BIGNUMERIC_SCALE),
    "BYTES": pa.binary(),
}


@dataclass(frozen=True)
class LoadColumn:
    """One column ready to upload: its BigQuery type and its Arrow values."""

    name: str
    field_type: str
    values: pa.Array


def standard_type(field_type: str) -> str:
    """`INTEGER` -> `INT64` and so on; other names unchanged."""
    upper = field_type.upper()
    return _STANDARD_NAMES.get(upper, upper)


def bigquery_type(column_type: ColumnType, name: str = "") -> str:
    """The BigQuery type a column of `column_type` is created with."""
    kind = column_type.kind
    if kind in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[kind]
    if kind is Kind.BIG_INTEGER:
        integer_digits, scale = column_type.digits or 0, 0
    elif kind is Kind.DECIMAL:
        scale = column_type.scale or 0
        integer_digits = (column_type.precision or 0) - scale
    else:
        raise WarehouseError(f"column {name!r}: no BigQuery type for {kind.value}")
    if integer_digits <= NUMERIC_INTEGER_DIGITS and scale <= NUMERIC_SCALE:
        return "NUMERIC"
    if integer_digits <= BIGNUMERIC_INTEGER_DIGITS and scale <= BIGNUMERIC_SCALE:
        return "BIGNUMERIC"
    logger.warning(
        "column %r holds numbers wider than BIGNUMERIC (%s integer digits, scale %s): "
        "it loads as STRING so no digit is lost",
        name,
        integer_digits,
        scale,
    )
    return "STRING"


# Which logical kinds may load into an existing column of each BigQuery type. Text and JSON
# columns take any value in its text or JSON form; nothing is ever parsed out of a string.
_ACCEPTS: dict[str, frozenset[Kind]] = {
    "BOOL": frozenset({Kind.BOOLEAN}),
    "INT64": frozenset({Kind.INTEGER}),
    "FLOAT64": frozenset({Kind.INTEGER, Kind.FLOAT}),
    "NUMERIC": frozenset({Kind.INTEGER, Kind.BIG_INTEGER, Kind.DECIMAL}),
    "BIGNUMERIC": frozenset({Kind.INTEGER, Kind.BIG_INTEGER, Kind.DECIMAL}),
    "DATE": frozenset({Kind.DATE}),
    "TIME": frozenset({Kind.TIME}),
    "DATETIME": frozenset({Kind.TIMESTAMP}),
    "TIMESTAMP": frozenset({Kind.TIMESTAMPTZ, Kind.TIMESTAMP}),
    "STRING": frozenset(Kind),
    "JSON": frozenset(Kind),
}


def load_column(column: pl.Series | list, name: str, field_type: str | None = None) -> LoadColumn:
    """Arrow values for one Table column, typed as `field_type` (inferred when None).

    Raises WarehouseError naming the column when its values do not fit `field_type` (appending
    text to an INT64 column, say), before anything is uploaded.
    """
    column_type = infer_column_type(column, name)
    target = standard_type(field_type) if field_type else bigquery_type(column_type, name)
    if target not in _ACCEPTS:
        raise WarehouseError(f"column {name!r}: loading into a {target} column is not supported")
    arrow_type = _ARROW_TYPES[target]

    if column_type.kind is Kind.TEXT and column_type.max_bytes is None:  # no value at all
        return LoadColumn(name, target, pa.nulls(len(column), arrow_type))
    if column_type.kind not in _ACCEPTS[target]:
        raise WarehouseError(
            f"column {name!r} holds {column_type.kind.value} values, which do not load into "
            f"its BigQuery type {target}"
        )
    if target in ("NUMERIC", "BIGNUMERIC"):
        return LoadColumn(name, target, _decimal_array(column, arrow_type, name))
    if target == "TIMESTAMP" and column_type.kind is Kind.TIMESTAMP:
        logger.warning(
            "column %r: naive datetimes load into a TIMESTAMP column as UTC, as BigQuery reads "
            "them",
            name,
        )
    if target == "JSON":
        column_type = ColumnType(Kind.JSON)  # every value JSON-encoded, strings included
    elif target == "STRING" and column_type.kind is not Kind.TEXT:
        column_type = ColumnType(Kind.TEXT, mixed=True)  # canonical text forms

    values = load_series(column, column_type, name).to_arrow()
    try:
        return LoadColumn(name, target, values.cast(arrow_type))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as error:
        raise WarehouseError(
            f"column {name!r}: its values do not fit BigQuery type {target}: {error}"
        ) from error


def _decimal_array(column: pl.Series | list, arrow_type: pa.DataType, name: str) -> pa.Array:
    values = column.to_list() if isinstance(column, pl.Series) else column
    converted: list[decimal.Decimal | None] = []
    for row, value in enumerate(values):
        if value is None:
            converted.append(None)
        elif isinstance(value, bool) or not isinstance(value, int | decimal.Decimal):
            raise WarehouseError(
                f"column {name!r}, row {row}: {type(value).__name__} value {value!r} does not "
                "fit a NUMERIC column"
            )
        else:
            converted.append(decimal.Decimal(value))
    try:
        return pa.array(converted, arrow_type)
    except (pa.ArrowInvalid, decimal.InvalidOperation) as error:
        raise WarehouseError(f"column {name!r}: a value is too wide: {error}") from error


def schema_fields(columns: Sequence[LoadColumn]) -> list[bigquery.SchemaField]:
    """The load job schema for new columns (all NULLABLE)."""
    return [bigquery.SchemaField(c.name, c.field_type, mode="NULLABLE") for c in columns]


def arrow_table(columns: Sequence[LoadColumn]) -> pa.Table:
    """An Arrow table of the columns, in order."""
    if not columns:
        raise WarehouseError("cannot load a Table with no columns into BigQuery")
    return pa.table({c.name: c.values for c in columns})


def result_table(rows: bigquery.table.RowIterator) -> Table:
    """A query result as a Table."""
    return arrow_to_table(rows.to_arrow(create_bqstorage_client=False), rows.schema)


def arrow_to_table(arrow: pa.Table, schema: Sequence[bigquery.SchemaField]) -> Table:
    """Rows from BigQuery as a Table. JSON columns hold the decoded dicts and lists again;
    NUMERIC and BIGNUMERIC columns hold Decimals (polars cannot take 256-bit decimals)."""
    json_columns = {f.name for f in schema if f.field_type == "JSON" and f.mode != "REPEATED"}
    python_columns = {
        name
        for name, field in zip(arrow.column_names, arrow.schema)
        if name in json_columns or pa.types.is_decimal(field.type)
    }
    if not python_columns:
        return Table(arrow)
    typed = Table(arrow.drop_columns(list(python_columns)))
    columns = {}
    for name in arrow.column_names:
        if name not in python_columns:
            columns[name] = typed._column_store(name)
            continue
        values = arrow.column(name).to_pylist()
        if name in json_columns:
            values = [None if v is None else json.loads(v) for v in values]
        columns[name] = build_column(values, name)
    return Table._from_columns_unchecked(columns, arrow.num_rows)
