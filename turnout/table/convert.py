"""Value conversion: convert_column, convert_table, convert_columns_to_str.

A conversion runs exactly once per value, eagerly. A value whose conversion raises stops the
whole call with a ConversionError naming the column, the row and the value, and the Table is
left unchanged (Parsons, through petl, silently writes None instead). A user who wants petl's
behaviour says so: `errorvalue=<value>` (or petl's `failonerror=False`, giving None).

Fast paths exist for a few functions users pass often (`int`, `float`, `str`, `json.loads`) on
typed columns; each gives results identical to calling the function per value (property-tested),
and otherwise falls back to the per-value call.
"""

from __future__ import annotations

import json
import logging
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import orjson
import polars as pl

from turnout.errors import ConversionError, TableError
from turnout.table.records import describe_value, iter_records
from turnout.table.storage import Column, build_column, column_values

logger = logging.getLogger(__name__)

_NO_ERROR_VALUE = object()
_CONVERT_OPTIONS = {"errorvalue", "failonerror", "where", "pass_row"}


class VectorConverter:
    """A converter that runs as one polars operation over a typed column.

    `expression(series)` returns the converted Series, or None when it cannot handle this
    column (then `fallback` runs per value). turnout's own converters (converters.py) are these.
    """

    def __init__(
        self,
        expression: Callable[[pl.Series], pl.Series | None],
        fallback: Callable[[Any], Any],
        name: str = "converter",
    ) -> None:
        self.expression = expression
        self.fallback = fallback
        self.__name__ = name

    def __call__(self, value: Any) -> Any:
        return self.fallback(value)

    def __repr__(self) -> str:
        return f"<turnout converter {self.__name__}>"


def _method_converter(method: str, args: Sequence[Any]) -> Callable[[Any], Any]:
    return operator.methodcaller(method, *args)


def _mapping_converter(mapping: dict) -> Callable[[Any], Any]:
    def translate(value: Any) -> Any:
        return mapping.get(value, value)

    return translate


def make_converter(spec: Any, args: Sequence[Any] = ()) -> Callable[[Any], Any]:
    """The per-value function for a petl-style converter: a callable, a method name, a dict."""
    if isinstance(spec, str):
        return _method_converter(spec, args)
    if args:
        raise TableError(f"convert_column: extra arguments {args!r} only go with a method name")
    if isinstance(spec, dict):
        return _mapping_converter(spec)
    if isinstance(spec, list | tuple) and spec and isinstance(spec[0], str):
        return _method_converter(spec[0], spec[1:])
    if callable(spec):
        return spec
    raise TableError(
        f"convert_column: a converter is a function, a method name or a dict, not {spec!r}"
    )


def apply_per_value(
    function: Callable[[Any], Any],
    values: Sequence[Any],
    column: str,
    errorvalue: Any = _NO_ERROR_VALUE,
    fallback: Callable[[Any], Any] | None = None,
    method: str = "convert_column",
) -> list[Any]:
    """`[function(v) for v in values]`, at C speed, with the failing row named on error.

    `fallback`, when given, gets a second try at a value `function` refused (the fast JSON
    parser hands its refusals to json.loads). On failure either raise ConversionError or,
    with an explicit `errorvalue`, store it and go on.
    """
    if errorvalue is _NO_ERROR_VALUE and fallback is None and isinstance(values, list):
        # The common case at full speed: list(map()) in C. On failure the iterator's remaining
        # length tells which row raised, without calling the function again.
        remaining = iter(values)
        try:
            return list(map(function, remaining))
        except Exception as error:  # a user's function may raise anything
            index = len(values) - operator.length_hint(remaining) - 1
            raise _conversion_error(method, column, index, values[index], error) from error

    results: list[Any] = []
    remaining = iter(values)
    while True:
        try:
            results.extend(map(function, remaining))
            return results
        except Exception as first_error:  # noqa: BLE001  # a user's function may raise anything
            index = len(results)
            value = values[index]
            error = first_error
            if fallback is not None:
                try:
                    results.append(fallback(value))
                    continue
                except Exception as fallback_error:  # noqa: BLE001  # same: the user's call
                    error = fallback_error
            if errorvalue is _NO_ERROR_VALUE:
                raise _conversion_error(method, column, index, value, error) from error
            results.append(errorvalue)


def _conversion_error(
    method: str, column: str, index: int, value: Any, error: BaseException
) -> ConversionError:
    return ConversionError(
        f"{method}: converting column {column!r} failed on row {index}, value "
        f"{describe_value(value)} ({type(error).__name__}: {error}); the Table is unchanged. "
        "Pass errorvalue=... to store a value instead",
        column=column,
        row=index,
        value=value,
    )


def _fast_series(function: Any, stored: Column) -> pl.Series | None:
    """A vectorised result identical to calling `function` per value, or None."""
    if not isinstance(stored, pl.Series):
        return None
    if isinstance(function, VectorConverter):
        return function.expression(stored)
    dtype = stored.dtype
    no_nulls = stored.null_count() == 0
    try:
        if function is str:
            if dtype in (pl.Int64, pl.String, pl.Null):
                # str(None) is 'None'.
                return stored.cast(pl.String).fill_null("None")
            return None
        if function is int and no_nulls:
            if dtype == pl.Int64:
                return stored
            if dtype == pl.String:
                return stored.cast(pl.Int64, strict=True)
            return None
        if function is float and no_nulls:
            if dtype == pl.Float64:
                return stored
            if dtype == pl.Int64:
                return stored.cast(pl.Float64)
            return None
    except pl.exceptions.PolarsError:
        # polars refused some value: the per-value path gives Python's own result or error.
        return None
    return None


def _orjson_is_exact(stored: Column) -> bool:
    """Whether orjson parses every text of this column exactly as json.loads would.

    orjson reads integers beyond 64 bits as floats; a run of 19 or more digits may be one, so
    such a column goes to json.loads. What orjson refuses (NaN, lone surrogates...) goes to
    json.loads value by value.
    """
    if not isinstance(stored, pl.Series) or stored.dtype != pl.String:
        return False
    return not stored.str.contains(r"[0-9]{19}").any()


class ConvertMixin:
    """Parsons' convert_* methods."""

    _columns: dict[str, Column]
    _num_rows: int

    def convert_column(self, *column: Any, **kwargs: Any) -> Any:
        """Convert the values of one or more columns (petl's convert arguments).

        `convert_column("a", f)`, `convert_column(["a", "b"], f)`,
        `convert_column("a", "replace", "x", "y")` (a method name and its arguments),
        `convert_column("a", {"old": "new"})`, `convert_column({"a": f, "b": "upper"})`.
        Options: `where=` (a row callable or "{col}" expression: convert only those rows),
        `pass_row=True` (call `f(value, row)`), `errorvalue=` (store it when `f` raises,
        instead of raising ConversionError), `failonerror=False` (same, storing None).
        """
        unknown = set(kwargs) - _CONVERT_OPTIONS
        if unknown:
            raise TypeError(f"convert_column got unexpected options {sorted(unknown)!r}")
        if not column:
            raise TableError("convert_column needs a column and a converter")

        errorvalue = kwargs.get("errorvalue", _NO_ERROR_VALUE)
        if kwargs.get("failonerror") is False and errorvalue is _NO_ERROR_VALUE:
            errorvalue = None
        where = kwargs.get("where")
        pass_row = bool(kwargs.get("pass_row", False))

        field, *args = column
        if isinstance(field, dict):
            if args:
                raise TableError("convert_column with a dict of converters takes no more args")
            plan = [
                (self._resolve_column(name), make_converter(spec)) for name, spec in field.items()
            ]
        else:
            if not args:
                raise TableError("convert_column needs a converter after the column name")
            function = make_converter(args[0], args[1:])
            names = field if isinstance(field, list | tuple) else [field]
            plan = [(self._resolve_column(name), function) for name in names]

        mask = self._row_mask(where, "convert_column") if where is not None else None
        new_columns = {
            name: self._converted_column(name, function, errorvalue, mask, pass_row)
            for name, function in plan
        }
        # Every column is built before any is swapped in: an error leaves the Table unchanged.
        self._columns.update(new_columns)
        return self

    def _converted_column(
        self,
        name: str,
        function: Callable[[Any], Any],
        errorvalue: Any,
        mask: list[bool] | None,
        pass_row: bool,
    ) -> Column:
        stored = self._columns[name]
        if mask is None and not pass_row:
            fast = _fast_series(function, stored)
            if fast is not None:
                return build_column(fast, name)
            values = column_values(stored)
            # TODO: json.loads still builds one Python object per value; a vectorised decoder
            # (polars json_decode) would change ints into floats across rows, so it is not used.
            if function is json.loads and _orjson_is_exact(stored):
                converted = apply_per_value(
                    orjson.loads, values, name, errorvalue, fallback=json.loads
                )
            else:
                if isinstance(function, VectorConverter):
                    function = function.fallback
                converted = apply_per_value(function, values, name, errorvalue)
            return build_column(converted, name)
        return self._converted_rowwise(name, function, errorvalue, mask, pass_row)

    def _converted_rowwise(
        self,
        name: str,
        function: Callable[..., Any],
        errorvalue: Any,
        mask: list[bool] | None,
        pass_row: bool,
    ) -> Column:
        values = column_values(self._columns[name])
        records: Iterable[Any] = (
            iter_records(self._columns, self._num_rows) if pass_row else iter(values)
        )
        converted: list[Any] = []
        for index, (value, record) in enumerate(zip(values, records)):
            if mask is not None and not mask[index]:
                converted.append(value)
                continue
            try:
                converted.append(function(value, record) if pass_row else function(value))
            except Exception as error:  # a user's function may raise anything
                if errorvalue is _NO_ERROR_VALUE:
                    raise ConversionError(
                        f"convert_column: converting column {name!r} failed on row {index}, "
                        f"value {describe_value(value)} ({type(error).__name__}: {error}); the "
                        "Table is unchanged. Pass errorvalue=... to store a value instead",
                        column=name,
                        row=index,
                        value=value,
                    ) from error
                converted.append(errorvalue)
        return build_column(converted, name)

    def convert_table(self, *args: Any) -> Any:
        """Convert every value of every column (same converter forms as convert_column)."""
        if not self._columns:
            return self
        return self.convert_column(list(self._columns), *args)

    def convert_columns_to_str(self) -> Any:
        """Turn every column that is not purely str into str; None becomes ''."""
        if self._num_rows == 0:
            return self
        new_columns: dict[str, Column] = {}
        for name, stored in self._columns.items():
            if self.get_column_types(name) == ["str"]:
                continue
            if isinstance(stored, pl.Series) and stored.dtype in (pl.Int64, pl.String, pl.Null):
                new_columns[name] = stored.cast(pl.String).fill_null("")
            else:
                new_columns[name] = build_column(
                    ["" if value is None else str(value) for value in column_values(stored)],
                    name,
                )
        self._columns.update(new_columns)
        return self
