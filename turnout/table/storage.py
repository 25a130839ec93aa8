"""Column storage: a typed polars Series where a column holds one type, a plain list otherwise.

A stored column is never mutated in place: every transform builds a new column object and swaps
it in, so views handed out earlier (petl views, slices) keep seeing the data they were made from.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl

logger = logging.getLogger(__name__)

Column = pl.Series | list

_NONE_TYPE = type(None)

# Python type -> polars dtype for the types a typed column may hold. Exact types only: a bool is
# not an int here, a datetime is not a date, and a subclass of str stays a Python value.
TYPED_DTYPES: dict[type, pl.DataType] = {
    int: pl.Int64(),
    float: pl.Float64(),
    str: pl.String(),
    bool: pl.Boolean(),
    dt.date: pl.Date(),
    dt.datetime: pl.Datetime("us"),
}

# polars dtypes whose values come back from `to_list()` exactly as Python put them in.
_EXACT_DTYPES = (pl.Int64, pl.Float64, pl.String, pl.Boolean, pl.Date, pl.Null)


def build_column(values: Iterable[Any], name: str = "") -> Column:
    """Store `values`: a typed Series when every non-null value has one supported type, else a list.

    Never coerces: [1, 2.5] stays a list holding an int and a float; ints beyond int64 stay
    Python ints; timezone-aware datetimes stay Python values (their tzinfo object would not
    survive a round trip through polars).
    """
    if isinstance(values, pl.Series):
        return series_column(values, name)
    if not isinstance(values, list):
        values = list(values)

    kinds = set(map(type, values))
    kinds.discard(_NONE_TYPE)
    if not kinds:
        return pl.Series(name, values, dtype=pl.Null)
    if len(kinds) != 1:
        return values

    kind = kinds.pop()
    dtype = TYPED_DTYPES.get(kind)
    if dtype is None:
        return values
    if kind is dt.datetime and any(
        v is not None and (v.tzinfo is not None or v.fold) for v in values
    ):
        # polars keeps neither the tzinfo object nor `fold`: such values stay Python values.
        return values
    try:
        series = pl.Series(name, values, dtype=dtype, strict=True)
    except (TypeError, ValueError, OverflowError, pl.exceptions.PolarsError):
        # An int beyond int64, a date polars cannot represent: keep the Python values.
        return values
    return series


def rename_column(column: Column, name: str) -> Column:
    """The column under a new name."""
    if not isinstance(column, pl.Series) or column.name == name:
        return column
    return column.rename(name)


def series_column(series: pl.Series, name: str = "") -> Column:
    """Accept a polars Series as a column, as a list when its dtype would not round-trip exactly."""
    dtype = series.dtype
    if isinstance(dtype, _EXACT_DTYPES) or (
        isinstance(dtype, pl.Datetime) and dtype.time_zone is None
    ):
        return rename_column(series, name)
    # Other dtypes (Int32, Decimal, struct, list, tz-aware datetimes...) become Python values,
    # then get typed again where they fit a supported dtype.
    return build_column(series.to_list(), name)


def column_values(column: Column) -> list:
    """The column's values as a list. The stored list itself for list columns: do not mutate."""
    # A typed column keeps no Python copy of its values (that copy would hold every object
    # alive next to the Series, above Parsons' peak memory): row-wise work converts it here.
    if isinstance(column, pl.Series):
        return column.to_list()
    return column


def column_length(column: Column) -> int:
    return len(column)


def take(column: Column, indices: Sequence[int] | pl.Series, name: str = "") -> Column:
    """The values at `indices`, in that order, as a new column."""
    if isinstance(column, pl.Series):
        if not isinstance(indices, pl.Series):
            indices = pl.Series(indices, dtype=pl.Int64)
        return column.gather(indices)
    if isinstance(indices, pl.Series):
        indices = indices.to_list()
    return [column[i] for i in indices]


def slice_column(column: Column, start: int, stop: int) -> Column:
    if isinstance(column, pl.Series):
        return column.slice(start, max(stop - start, 0))
    return column[start:stop]


def filter_column(column: Column, mask: pl.Series) -> Column:
    """The values where the boolean `mask` is true."""
    if isinstance(column, pl.Series):
        return column.filter(mask)
    return [value for value, keep in zip(column, mask.to_list()) if keep]


def concat_columns(parts: Sequence[Column], name: str = "") -> Column:
    """Join columns end to end; typed when the parts share a dtype, re-typed otherwise."""
    series = [part for part in parts if isinstance(part, pl.Series)]
    if len(series) == len(parts):
        dtypes = {part.dtype for part in series if part.dtype != pl.Null}
        if len(dtypes) <= 1:
            if dtypes:
                target = dtypes.pop()
                series = [part.cast(target) if part.dtype == pl.Null else part for part in series]
            return pl.concat(series, how="vertical").rename(name)
    values: list = []
    for part in parts:
        values.extend(column_values(part))
    return build_column(values, name)


def constant_column(value: Any, length: int, name: str = "") -> Column:
    """A column holding `value` in every row."""
    kind = type(value)
    if value is None:
        return pl.Series(name, [None] * length, dtype=pl.Null)
    dtype = TYPED_DTYPES.get(kind)
    if dtype is not None and not (kind is dt.datetime and (value.tzinfo or value.fold)):
        try:
            return pl.repeat(value, length, dtype=dtype, eager=True).rename(name)
        except (TypeError, ValueError, OverflowError, pl.exceptions.PolarsError):
            pass
    return [value] * length


def is_typed(column: Column) -> bool:
    return isinstance(column, pl.Series)


def null_mask(column: Column) -> pl.Series:
    """A boolean Series, true where the value is None."""
    if isinstance(column, pl.Series):
        return column.is_null()
    return pl.Series([value is None for value in column], dtype=pl.Boolean)


def flatten_arguments(arguments: Iterable[Any]) -> list[Any]:
    """Variadic arguments as one flat list, as Parsons accepts them: `f("a", "b")`,
    `f(["a", "b"])` and `f("a")` all mean the same list (of column names, or of Tables)."""
    flat: list[Any] = []
    for argument in arguments:
        if isinstance(argument, list | tuple):
            flat.extend(argument)
        else:
            flat.append(argument)
    return flat
