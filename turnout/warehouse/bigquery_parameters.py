"""Query parameters for BigQuery: Parsons' placeholders turned into BigQuery's own.

Parsons' `query(sql, parameters)` takes DB-API "pyformat" placeholders: `%s` with a list, or
`%(name)s` with a dict. BigQuery's API takes `?` (positional) and `@name` (named) markers with
typed values in the job configuration, so values never enter the SQL text. A dict may also be
used with `@name` markers directly; ready-made `bigquery.ScalarQueryParameter` /
`ArrayQueryParameter` objects pass through.
"""

from __future__ import annotations

import datetime as dt
import decimal
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from google.cloud import bigquery

from turnout.errors import WarehouseError

logger = logging.getLogger(__name__)

# Quoted strings, quoted identifiers and comments are copied as they are; placeholders inside
# them are not placeholders.
_SKIPPED = "|".join(
    (
        r"'''(?:\\.|[^\\])*?'''",  # triple-quoted strings
        r'"""(?:\\.|[^\\])*?"""',
        r"'(?:\\.|[^'\\])*'",  # quoted strings
        r'"(?:\\.|[^"\\])*"',
        r"`(?:\\.|[^`\\])*`",  # quoted identifiers
        r"--[^\n]*",  # comments
        r"\#[^\n]*",
        r"/\*.*?\*/",
    )
)
_TOKENS = re.compile(rf"({_SKIPPED})|(%%)|%\((\w+)\)s|(%s)", re.S)

_PARAMETER_CLASSES = (
    bigquery.ScalarQueryParameter,
    bigquery.ArrayQueryParameter,
    bigquery.StructQueryParameter,
)


def convert_placeholders(sql: str, parameters: Sequence[Any] | Mapping[str, Any] | None) -> str:
    """`sql` with `%s` -> `?` and `%(name)s` -> `@name` outside quotes and comments, and `%%`
    -> `%` outside comments, as DB-API drivers read pyformat SQL.

    Without parameters the text is returned unchanged (a literal `%` needs no escaping then).
    """
    if not parameters:
        return sql
    named = isinstance(parameters, Mapping)
    positional_count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal positional_count
        skipped, percent, name, _positional = match.groups()
        if skipped is not None:
            # DB-API: with parameters, a literal % is written %% everywhere, strings included.
            return skipped if skipped[0] in "-#/" else skipped.replace("%%", "%")
        if percent is not None:
            return "%"
        if name is not None:
            if not named:
                raise WarehouseError(f"query uses %({name})s but parameters is a list, not a dict")
            return "@" + name
        if named:
            raise WarehouseError("query uses %s but parameters is a dict; use %(name)s")
        positional_count += 1
        return "?"

    converted = _TOKENS.sub(replace, sql)
    if not named and positional_count != len(parameters):
        raise WarehouseError(
            f"query has {positional_count} %s placeholders but {len(parameters)} parameters"
        )
    return converted


def query_parameters(parameters: Sequence[Any] | Mapping[str, Any] | None) -> list[Any]:
    """BigQuery query parameter objects for a list (positional) or a dict (named)."""
    if not parameters:
        return []
    if isinstance(parameters, Mapping):
        return [_parameter(str(name), value) for name, value in parameters.items()]
    return [_parameter(None, value) for value in parameters]


def _parameter(name: str | None, value: Any) -> Any:
    if isinstance(value, _PARAMETER_CLASSES):
        return value
    if isinstance(value, list | tuple):
        kinds = {_scalar_type(name, item) for item in value if item is not None}
        if len(kinds) > 1:
            raise WarehouseError(
                f"query parameter {name or '?'}: an array must hold one type, got {sorted(kinds)}"
            )
        return bigquery.ArrayQueryParameter(name, kinds.pop() if kinds else "STRING", list(value))
    return bigquery.ScalarQueryParameter(name, _scalar_type(name, value), value)


def _scalar_type(name: str | None, value: Any) -> str:
    """The BigQuery type of one Python value; bool before int, datetime before date."""
    if value is None:
        return "STRING"  # a typed NULL; BigQuery coerces it where the query uses it
    if isinstance(value, bool):
        return "BOOL"
    if isinstance(value, int):
        return "INT64" if -(2**63) <= value < 2**63 else "BIGNUMERIC"
    if isinstance(value, float):
        return "FLOAT64"
    if isinstance(value, decimal.Decimal):
        return "NUMERIC"
    if isinstance(value, str):
        return "STRING"
    if isinstance(value, bytes):
        return "BYTES"
    if isinstance(value, dt.datetime):
        return "DATETIME" if value.tzinfo is None else "TIMESTAMP"
    if isinstance(value, dt.date):
        return "DATE"
    if isinstance(value, dt.time):
        return "TIME"
    raise WarehouseError(
        f"query parameter {name or '?'}: no BigQuery type for {type(value).__name__} {value!r}"
    )
