"""Query parameters as the Mobilize API reads them, with its field-keyed 400 errors."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

from werkzeug.datastructures import MultiDict

_COMPARISON = re.compile(r"^(gte|gt|lte|lt)_(now|-?\d+)$")
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "gte": operator.ge,
    "gt": operator.gt,
    "lte": operator.le,
    "lt": operator.lt,
}

Condition = tuple[Callable[[Any, Any], bool], int]


class BadInput(Exception):
    """A parameter the API would refuse: becomes a 400 with `{"data": null, "error": ...}`."""

    def __init__(self, error: dict[str, Any], status: int = 400) -> None:
        super().__init__(error)
        self.error = error
        self.status = status


def integers(args: MultiDict, name: str) -> list[int]:
    """Every value of a repeatable integer parameter."""
    values = []
    for position, raw in enumerate(args.getlist(name)):
        try:
            values.append(int(raw))
        except ValueError:
            raise BadInput({name: {str(position): ["A valid integer is required."]}}) from None
    return values


def integer(args: MultiDict, name: str) -> int | None:
    """A single integer parameter, or None when absent."""
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise BadInput({name: ["A valid integer is required."]}) from None


def boolean(args: MultiDict, name: str) -> bool | None:
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    lowered = raw.lower()
    if lowered in {"true", "1"}:
        return True
    if lowered in {"false", "0"}:
        return False
    raise BadInput({name: ["Must be a valid boolean."]})


def choices(args: MultiDict, name: str, allowed: list[str]) -> list[str]:
    values = args.getlist(name)
    for position, value in enumerate(values):
        if value not in allowed:
            message = f'"{value}" is not a valid choice.'
            raise BadInput({name: {str(position): [message]}})
    return values


def comparisons(args: MultiDict, name: str, now: int) -> list[Condition]:
    """`gte_`/`gt_`/`lte_`/`lt_` conditions with a Unix time or `now`; repeatable, ANDed."""
    conditions = []
    for position, raw in enumerate(args.getlist(name)):
        match = _COMPARISON.match(raw)
        if match is None:
            message = "Expected gte_, gt_, lte_ or lt_ followed by a Unix timestamp or 'now'."
            raise BadInput({name: {str(position): [message]}})
        op, value = match.groups()
        conditions.append((_OPERATORS[op], now if value == "now" else int(value)))
    return conditions


def holds(value: int, conditions: list[Condition]) -> bool:
    return all(compare(value, bound) for compare, bound in conditions)
