"""turnout's own converters for convert_column: vectorised, with a per-value twin.

Each returns a converter usable as `tbl.convert_column("ts", unix_to_text())`. On a typed column
it runs as one polars operation; on a mixed column, or for values polars would format
differently, it runs per value; both give the same result.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

import polars as pl

from turnout.table.convert import VectorConverter

logger = logging.getLogger(__name__)

_EPOCH = dt.datetime(1970, 1, 1)
# Python pads %Y to 4 digits only from year 1000; chrono always does. Outside these seconds
# (years 1000 to 9999) the per-value path runs.
_FIRST_SAFE_SECOND = -30_610_224_000
_LAST_SAFE_SECOND = 253_402_300_799
# Directives Python's strftime and polars' strftime render alike.
_SAME_DIRECTIVES = set("YmdHMSyj%")
_DIRECTIVE = re.compile(r"%(.)")


def unix_to_text(fmt: str = "%Y-%m-%d %H:%M:%S") -> VectorConverter:
    """Unix seconds (int, or a numeric string) to UTC text, as
    `datetime.utcfromtimestamp(int(v)).strftime(fmt)` gives it. None stays None."""

    def per_value(value: Any) -> str | None:
        if value is None:
            return None
        return (_EPOCH + dt.timedelta(seconds=int(value))).strftime(fmt)

    vectorisable = all(directive in _SAME_DIRECTIVES for directive in _DIRECTIVE.findall(fmt))

    def expression(series: pl.Series) -> pl.Series | None:
        if not vectorisable:
            return None
        if series.dtype == pl.String:
            try:
                seconds = series.cast(pl.Int64, strict=True)
            except pl.exceptions.PolarsError:
                return None  # not plain integers: int() per value decides
        elif series.dtype == pl.Int64:
            seconds = series
        elif series.dtype == pl.Null:
            return series
        else:
            return None
        if len(seconds) and seconds.null_count() < len(seconds):
            low, high = seconds.min(), seconds.max()
            if low < _FIRST_SAFE_SECOND or high > _LAST_SAFE_SECOND:  # type: ignore[operator]
                return None
        return pl.from_epoch(seconds, time_unit="s").dt.strftime(fmt)

    return VectorConverter(expression, per_value, name=f"unix_to_text({fmt!r})")


__all__ = ["unix_to_text"]
