"""Warehouses: what Postgres, Redshift, DuckDB and BigQuery share.

`types` maps Table columns to warehouse column types (one mapping for every engine),
`identifiers` quotes schema-qualified names, `load` prepares a Table for a bulk load, and `base`
holds the SQL engines' shared copy/upsert/query. Engines are imported lazily from `turnout`.
"""

from __future__ import annotations

from turnout.warehouse.identifiers import TableName, parse_table_name, quote_identifier
from turnout.warehouse.load import PreparedLoad, prepare_load
from turnout.warehouse.types import ColumnType, Dialect, Kind, infer_column_type, load_series

__all__ = [
    "ColumnType",
    "Dialect",
    "Kind",
    "PreparedLoad",
    "TableName",
    "infer_column_type",
    "load_series",
    "parse_table_name",
    "prepare_load",
    "quote_identifier",
]
