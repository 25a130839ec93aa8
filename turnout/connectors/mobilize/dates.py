"""Date arguments as Parsons' MobilizeAmerica takes them: to Unix seconds, and `>=date` to
the API's `gte_<seconds>` comparison filters."""

from __future__ import annotations

import datetime as dt
import re

from dateutil.parser import ParserError
from dateutil.parser import parse as parse_date

from turnout.errors import ConfigurationError

DateLike = int | float | str | dt.datetime | dt.date

# Longest operators first, so ">=" is not read as ">".
_OPERATORS = ((">=", "gte_"), ("<=", "lte_"), (">", "gt_"), ("<", "lt_"))


def to_timestamp(value: DateLike | None, *, argument: str = "date") -> int | None:
    """Unix seconds for an int, a datetime, a date or a date string (naive means UTC);
    None and empty values stay None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ConfigurationError(f"{argument}: expected a date, got {value!r}")
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = parse_date(value)
        except (ParserError, OverflowError, ValueError):
            raise ConfigurationError(f"{argument}: cannot read {value!r} as a date") from None
    else:
        raise ConfigurationError(f"{argument}: expected a date, got {type(value).__name__}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp())


def comparison(value: str | None, *, argument: str) -> str | None:
    """`">=2018-12-13"` -> `"gte_1544659200"` (also `>`, `<=`, `<`); None stays None."""
    if not value:
        return None
    text = value.strip()
    for operator, prefix in _OPERATORS:
        if text.startswith(operator):
            moment = text[len(operator) :].strip()
            if moment.lower() == "now":
                return f"{prefix}now"
            return f"{prefix}{to_timestamp(moment, argument=argument)}"
    found = re.search(r"<=|<|>=|>", text)
    where = f" (found {found.group()!r} inside, not at the start)" if found else ""
    raise ConfigurationError(
        f"{argument}={value!r}: start with one of >=, >, <=, < followed by a date{where}"
    )
