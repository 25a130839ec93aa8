"""The small OData subset Action Network's `filter` parameter accepts.

Clauses are `<field> <op> '<value>'` joined by `and` / `or` (no parentheses), with `eq`, `ne`,
`gt`, `ge`, `lt`, `le`. Dates compare as instants; a bare date means midnight UTC. Which fields
the real API lets one filter is not fully documented; the emulator accepts the ones below.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

_CLAUSE = re.compile(r"^\s*(\w+)\s+(eq|ne|gt|ge|lt|le)\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE)
_JOINER = re.compile(r"\s+(and|or)\s+(?=(?:[^']*'[^']*')*[^']*$)", re.IGNORECASE)

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
}

DATE_FIELDS = frozenset({"created_date", "modified_date", "start_date"})


class FilterError(ValueError):
    """A filter expression the emulator cannot parse or does not support."""


def parse_instant(text: str) -> datetime:
    """An ISO date or datetime (`Z`, `+0000` or `+00:00`) as an aware UTC datetime."""
    value = text.strip().replace("Z", "+00:00")
    value = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", value)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise FilterError(f"invalid date {text!r}") from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


Predicate = Callable[[dict[str, Any]], bool]
FieldValues = Callable[[dict[str, Any], str], list[Any]]


def compile_filter(expression: str, values_of: FieldValues, fields: frozenset[str]) -> Predicate:
    """Compile `expression` into a predicate over resources.

    `values_of(resource, field)` lists the resource's values for a field (a person has several
    email addresses); a clause holds when any value satisfies it.
    """
    parts = _JOINER.split(expression.strip())
    clauses = [_compile_clause(part, values_of, fields) for part in parts[0::2]]
    joiners = [joiner.lower() for joiner in parts[1::2]]

    def predicate(resource: dict[str, Any]) -> bool:
        # `and` binds tighter than `or`, as in OData.
        groups: list[list[Predicate]] = [[clauses[0]]]
        for joiner, clause in zip(joiners, clauses[1:]):
            if joiner == "and":
                groups[-1].append(clause)
            else:
                groups.append([clause])
        return any(all(clause(resource) for clause in group) for group in groups)

    return predicate


def _compile_clause(text: str, values_of: FieldValues, fields: frozenset[str]) -> Predicate:
    match = _CLAUSE.match(text)
    if match is None:
        raise FilterError(f"cannot parse filter clause {text.strip()!r}")
    field, op, raw = match.group(1), match.group(2).lower(), match.group(3).replace("''", "'")
    if field not in fields:
        raise FilterError(f"filtering on {field!r} is not supported")
    compare = _COMPARE[op]

    if field in DATE_FIELDS:
        wanted: Any = parse_instant(raw)

        def convert(value: Any) -> Any:
            return parse_instant(value)
    elif field == "phone_number":
        wanted = re.sub(r"\D", "", raw)

        def convert(value: Any) -> Any:
            return value
    else:
        wanted = raw.lower()

        def convert(value: Any) -> Any:
            return str(value).lower()

    def clause(resource: dict[str, Any]) -> bool:
        return any(
            compare(convert(value), wanted)
            for value in values_of(resource, field)
            if value is not None
        )

    return clause
