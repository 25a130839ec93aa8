"""The one type mapping from Table columns to warehouse columns, shared by every engine.

`infer_column_type` looks at a whole column (a polars Series or a list of Python values) and
returns a `ColumnType`; it depends only on the set of value types and their ranges, never on row
order, so `[True, 5]` and `[5, True]` map alike. `load_series` turns the column into a polars
Series the bulk paths can write (CSV for COPY, Arrow for DuckDB, files for load jobs) without
changing any value. Each engine's `Dialect` spells a ColumnType in its own SQL.

Rules (one place, so every engine agrees):

- bool -> BOOLEAN; ints -> BIGINT; ints beyond 64 bits -> BIG_INTEGER (numeric, no scale);
  floats, or ints mixed with floats -> FLOAT (double precision, never a zero-scale decimal);
  Decimal -> DECIMAL with the measured precision and scale.
- date -> DATE, naive datetime -> TIMESTAMP, aware datetime -> TIMESTAMPTZ, time -> TIME.
- str -> TEXT with its widest value measured in UTF-8 bytes and in characters. Strings are never
  parsed: "02134" stays text.
- dict or list anywhere in the column -> JSON (each value JSON-encoded, strings included).
- any other mix (bool with int, int with str, date with datetime...) -> TEXT, each value written
  in a canonical text form (true/false, str(int), repr(float), ISO dates), logged at INFO.
- a column of None only -> TEXT with no measured width (the dialect's default text type).
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson
import polars as pl

from turnout.errors import WarehouseError

logger = logging.getLogger(__name__)

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


class Kind(enum.Enum):
    BOOLEAN = "boolean"
    INTEGER = "integer"  # fits in 64 bits
    BIG_INTEGER = "big_integer"  # beyond 64 bits
    FLOAT = "float"
    DECIMAL = "decimal"
    DATE = "date"
    TIMESTAMP = "timestamp"
    TIMESTAMPTZ = "timestamptz"
    TIME = "time"
    TEXT = "text"
    JSON = "json"


@dataclass(frozen=True)
class ColumnType:
    """What a column needs in a warehouse.

    `max_bytes` / `max_chars` measure the widest text value (TEXT and JSON; None when the
    column holds no value); `digits` the widest BIG_INTEGER; `precision`/`scale` a DECIMAL.
    `mixed` is true when values of several Python types were written as text.
    """

    kind: Kind
    max_bytes: int | None = None
    max_chars: int | None = None
    digits: int | None = None
    precision: int | None = None
    scale: int | None = None
    mixed: bool = False

    def widen(self, max_bytes: int, max_chars: int) -> ColumnType:
        return ColumnType(
            self.kind,
            max(self.max_bytes or 0, max_bytes),
            max(self.max_chars or 0, max_chars),
            mixed=self.mixed,
        )


DEFAULT_TYPE = ColumnType(Kind.TEXT)

# Python type -> Kind for columns that hold one type. Exact types: bool is not int here.
_SIMPLE_KINDS: dict[type, Kind] = {
    bool: Kind.BOOLEAN,
    float: Kind.FLOAT,
    dt.date: Kind.DATE,
    dt.time: Kind.TIME,
    str: Kind.TEXT,
    uuid.UUID: Kind.TEXT,
}

_NESTED = (dict, list, tuple)


# --- inference ---------------------------------------------------------------------------------


def infer_column_type(column: pl.Series | list, name: str = "") -> ColumnType:
    """The ColumnType of a whole column; independent of row order."""
    if isinstance(column, pl.Series):
        return _infer_series(column, name)
    return _infer_values(column, name)


def _infer_series(series: pl.Series, name: str) -> ColumnType:
    dtype = series.dtype
    if dtype == pl.Null or series.null_count() == len(series):
        return DEFAULT_TYPE
    if dtype == pl.Boolean:
        return ColumnType(Kind.BOOLEAN)
    if dtype.is_integer():
        if dtype in (pl.UInt64,) and (series.max() or 0) > INT64_MAX:
            return ColumnType(Kind.BIG_INTEGER, digits=len(str(series.max())))
        return ColumnType(Kind.INTEGER)
    if dtype.is_float():
        return ColumnType(Kind.FLOAT)
    if dtype == pl.Date:
        return ColumnType(Kind.DATE)
    if isinstance(dtype, pl.Datetime):
        return ColumnType(Kind.TIMESTAMP if dtype.time_zone is None else Kind.TIMESTAMPTZ)
    if dtype == pl.Time:
        return ColumnType(Kind.TIME)
    if dtype == pl.String:
        max_bytes = series.str.len_bytes().max()
        max_chars = series.str.len_chars().max()
        return ColumnType(Kind.TEXT, int(max_bytes or 0), int(max_chars or 0))
    # Decimal, struct, list, object... : measure the Python values.
    return _infer_values(series.to_list(), name)


def _value_kind(value: Any) -> Kind | None:
    kind = _SIMPLE_KINDS.get(type(value))
    if kind is not None:
        return kind
    if type(value) is int:
        return Kind.INTEGER if INT64_MIN <= value <= INT64_MAX else Kind.BIG_INTEGER
    if isinstance(value, dt.datetime):
        return Kind.TIMESTAMP if value.tzinfo is None else Kind.TIMESTAMPTZ
    if isinstance(value, decimal.Decimal):
        return Kind.DECIMAL
    if isinstance(value, _NESTED):
        return Kind.JSON
    for python_type, simple in _SIMPLE_KINDS.items():  # subclasses (str enums, date subclasses)
        if python_type is not bool and isinstance(value, python_type):
            return simple
    if isinstance(value, int):
        return Kind.INTEGER if INT64_MIN <= value <= INT64_MAX else Kind.BIG_INTEGER
    return None


def _infer_values(values: Iterable[Any], name: str) -> ColumnType:
    kinds: set[Kind] = set()
    max_digits = 0
    max_precision = 0
    max_scale = 0
    for row, value in enumerate(values):
        if value is None:
            continue
        kind = _value_kind(value)
        if kind is None:
            raise WarehouseError(
                f"column {name!r}, row {row}: values of type {type(value).__name__} "
                "cannot be loaded into a warehouse; convert them first"
            )
        kinds.add(kind)
        if kind is Kind.BIG_INTEGER:
            max_digits = max(max_digits, len(str(abs(value))))
        elif kind is Kind.DECIMAL:
            _sign, digits, exponent = value.as_tuple()
            if not isinstance(exponent, int):
                kinds.discard(Kind.DECIMAL)
                kinds.add(Kind.FLOAT)  # NaN or infinity: only floats hold them
                continue
            scale = max(-exponent, 0)
            precision = len(digits) + exponent if exponent >= 0 else max(len(digits), scale)
            max_scale = max(max_scale, scale)
            max_precision = max(max_precision, precision - scale)  # digits before the point

    if not kinds:
        return DEFAULT_TYPE
    if Kind.JSON in kinds:
        # Measured for engines that keep JSON as text (Redshift's varchar).
        return _measure_text(
            (_as_json(value) for value in values), ColumnType(Kind.JSON, mixed=len(kinds) > 1)
        )
    if kinds <= {Kind.INTEGER, Kind.BIG_INTEGER}:
        if Kind.BIG_INTEGER in kinds:
            return ColumnType(Kind.BIG_INTEGER, digits=max_digits)
        return ColumnType(Kind.INTEGER)
    if kinds == {Kind.INTEGER, Kind.FLOAT} or kinds == {Kind.FLOAT}:
        return ColumnType(Kind.FLOAT)
    if kinds <= {Kind.INTEGER, Kind.DECIMAL} and Kind.DECIMAL in kinds:
        integer_digits = max(max_precision, 19 if Kind.INTEGER in kinds else 1)
        return ColumnType(Kind.DECIMAL, precision=integer_digits + max_scale, scale=max_scale)
    if len(kinds) == 1:
        kind = kinds.pop()
        if kind is Kind.TEXT:
            return _measure_text(values, ColumnType(Kind.TEXT))
        return ColumnType(kind)

    logger.info("column %r mixes %s values: it loads as text", name, sorted(k.value for k in kinds))
    return _measure_text((_as_text(v) for v in values), ColumnType(Kind.TEXT, mixed=True))


def _measure_text(values: Iterable[Any], base: ColumnType) -> ColumnType:
    max_bytes = 0
    max_chars = 0
    for value in values:
        if value is None:
            continue
        text = str(value)
        max_chars = max(max_chars, len(text))
        max_bytes = max(max_bytes, len(text.encode("utf-8", "surrogatepass")))
    return base.widen(max_bytes, max_chars)


# --- rendering ---------------------------------------------------------------------------------


def _as_text(value: Any) -> str | None:
    """The canonical text form of a value in a text column that mixes types."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, _NESTED):
        return _as_json(value)
    return str(value)


def _as_json(value: Any) -> str | None:
    if value is None:
        return None
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:  # orjson rejects ints beyond 64 bits and unknown types
        import json

        return json.dumps(value, default=str)


_LOAD_DTYPES: dict[Kind, pl.DataType] = {
    Kind.BOOLEAN: pl.Boolean(),
    Kind.INTEGER: pl.Int64(),
    Kind.FLOAT: pl.Float64(),
    Kind.DATE: pl.Date(),
    Kind.TIME: pl.Time(),
    Kind.TIMESTAMP: pl.Datetime("us"),
}


def load_series(column: pl.Series | list, column_type: ColumnType, name: str) -> pl.Series:
    """The column as a polars Series ready for a bulk load, values unchanged.

    Text-like kinds (TEXT, JSON, BIG_INTEGER, DECIMAL) become strings the engine casts on load;
    the rest keep their native dtype.
    """
    kind = column_type.kind
    if isinstance(column, pl.Series):
        if column.dtype == pl.Null:
            return pl.Series(name, [None] * len(column), dtype=pl.String)
        if kind is Kind.TEXT and column.dtype == pl.String:
            return column.rename(name)
        if kind in _LOAD_DTYPES and column.dtype == _LOAD_DTYPES[kind]:
            return column.rename(name)
        if kind is Kind.TIMESTAMPTZ and isinstance(column.dtype, pl.Datetime):
            return column.rename(name)
        if kind is Kind.FLOAT and column.dtype.is_numeric():
            return column.cast(pl.Float64).rename(name)
        column = column.to_list()

    if kind is Kind.JSON:
        return pl.Series(name, [_as_json(v) for v in column], dtype=pl.String)
    if kind is Kind.TEXT:
        return pl.Series(name, [_as_text(v) for v in column], dtype=pl.String)
    if kind in (Kind.BIG_INTEGER, Kind.DECIMAL):
        return pl.Series(name, [None if v is None else str(v) for v in column], dtype=pl.String)
    if kind is Kind.TIMESTAMPTZ:
        return pl.Series(name, column, dtype=pl.Datetime("us", "UTC"))
    if kind is Kind.FLOAT:
        return pl.Series(name, [None if v is None else float(v) for v in column], pl.Float64)
    return pl.Series(name, column, dtype=_LOAD_DTYPES[kind], strict=True)


# --- dialects ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dialect:
    """How one engine spells column types and what limits it has.

    `text_width_unit` is what the engine's varchar(n) counts ("bytes" on Redshift, "chars" on
    PostgreSQL); `varchar_max` its widest varchar; `sized_text` whether new text columns get a
    measured width (Redshift) or an unbounded text type (PostgreSQL, DuckDB).
    """

    name: str
    type_names: dict[Kind, str]
    text_type: str = "TEXT"
    sized_text: bool = False
    text_width_unit: str = "chars"
    varchar_max: int | None = None
    default_varchar: int = 256
    max_decimal_precision: int | None = None
    identifier_max_bytes: int | None = None
    allows_nul: bool = False
    quote: str = '"'
    widens_integers: bool = True  # alter_table may turn INTEGER into BIGINT (not on Redshift)
    # Quoted identifiers that differ only in ASCII case name the same column (DuckDB).
    folds_ascii_case: bool = False

    def sql_type(self, column_type: ColumnType, *, varchar_max: bool = False) -> str:
        """The SQL type for a new column."""
        kind = column_type.kind
        if kind in (Kind.TEXT, Kind.JSON) or (
            kind is Kind.BIG_INTEGER
            and self.max_decimal_precision is not None
            and (column_type.digits or 0) > self.max_decimal_precision
        ):
            if kind is Kind.JSON and Kind.JSON in self.type_names:
                return self.type_names[Kind.JSON]
            if kind is Kind.BIG_INTEGER:
                logger.warning(
                    "%s cannot hold %s-digit integers as numbers: the column loads as text",
                    self.name,
                    column_type.digits,
                )
            if not self.sized_text:
                return self.text_type
            if varchar_max:
                return f"VARCHAR({self.varchar_max})"
            return f"VARCHAR({self.varchar_width(column_type)})"
        if kind is Kind.BIG_INTEGER:
            return self.type_names[Kind.BIG_INTEGER]
        if kind is Kind.DECIMAL:
            precision = column_type.precision or 38
            scale = column_type.scale or 0
            if self.max_decimal_precision is not None:
                precision = min(precision, self.max_decimal_precision)
                scale = min(scale, precision)
            return self.type_names[Kind.DECIMAL].format(precision=precision, scale=scale)
        return self.type_names[kind]

    def text_width(self, column_type: ColumnType) -> int:
        """The width a value of this column needs, in the unit the engine's varchar counts."""
        if self.text_width_unit == "bytes":
            return column_type.max_bytes or 0
        return column_type.max_chars or 0

    def varchar_width(self, column_type: ColumnType) -> int:
        width = self.text_width(column_type)
        if column_type.max_bytes is None:  # no value seen: a sane default, not a measured 4
            width = self.default_varchar
        width = max(width, 1)
        if self.varchar_max is not None:
            width = min(width, self.varchar_max)
        return width


POSTGRES = Dialect(
    name="postgres",
    type_names={
        Kind.BOOLEAN: "BOOLEAN",
        Kind.INTEGER: "BIGINT",
        Kind.BIG_INTEGER: "NUMERIC",
        Kind.FLOAT: "DOUBLE PRECISION",
        Kind.DECIMAL: "NUMERIC({precision},{scale})",
        Kind.DATE: "DATE",
        Kind.TIMESTAMP: "TIMESTAMP",
        Kind.TIMESTAMPTZ: "TIMESTAMPTZ",
        Kind.TIME: "TIME",
        Kind.JSON: "JSONB",
    },
    text_width_unit="chars",
    identifier_max_bytes=63,
)

REDSHIFT = Dialect(
    name="redshift",
    type_names={
        Kind.BOOLEAN: "BOOLEAN",
        Kind.INTEGER: "BIGINT",
        Kind.BIG_INTEGER: "DECIMAL(38,0)",
        Kind.FLOAT: "DOUBLE PRECISION",
        Kind.DECIMAL: "DECIMAL({precision},{scale})",
        Kind.DATE: "DATE",
        Kind.TIMESTAMP: "TIMESTAMP",
        Kind.TIMESTAMPTZ: "TIMESTAMPTZ",
        Kind.TIME: "TIME",
    },
    sized_text=True,
    text_width_unit="bytes",
    varchar_max=65535,
    max_decimal_precision=38,
    identifier_max_bytes=127,
    widens_integers=False,
    # TODO: Redshift folds even quoted identifiers to lower case unless the cluster sets
    # enable_case_sensitive_identifier, so "A" and "a" collide there too; folds_ascii_case is
    # left off because the tests run Redshift's SQL on PostgreSQL and cannot check which applies.
)

DUCKDB = Dialect(
    name="duckdb",
    type_names={
        Kind.BOOLEAN: "BOOLEAN",
        Kind.INTEGER: "BIGINT",
        Kind.BIG_INTEGER: "DECIMAL(38,0)",
        Kind.FLOAT: "DOUBLE",
        Kind.DECIMAL: "DECIMAL({precision},{scale})",
        Kind.DATE: "DATE",
        Kind.TIMESTAMP: "TIMESTAMP",
        Kind.TIMESTAMPTZ: "TIMESTAMPTZ",
        Kind.TIME: "TIME",
        Kind.JSON: "JSON",
    },
    text_type="VARCHAR",
    max_decimal_precision=38,
    allows_nul=True,
    folds_ascii_case=True,
)
