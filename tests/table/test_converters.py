"""turnout's own converters: the vectorised path gives exactly the per-value result."""

from datetime import datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from turnout import Table
from turnout.errors import ConversionError
from turnout.table.converters import unix_to_text

SECONDS = st.integers(min_value=-30_610_224_000, max_value=253_402_300_799)


def reference(value, fmt):
    return datetime.utcfromtimestamp(int(value)).strftime(fmt)


def test_unix_to_text_documented_values():
    tbl = Table([{"ts": 1642865400}, {"ts": 1648225800}])
    tbl.convert_column("ts", unix_to_text())
    assert tbl["ts"] == ["2022-01-22 15:30:00", "2022-03-25 16:30:00"]
    text = Table([{"ts": "1642865400"}]).convert_column("ts", unix_to_text("%Y-%m"))
    assert text["ts"] == ["2022-01"]


@pytest.mark.parametrize("fmt", ["%Y-%m-%d %H:%M:%S", "%y%j %H%%", "%d/%m/%Y", "%A %B %d"])
@settings(max_examples=60, deadline=None)
@given(values=st.lists(SECONDS, max_size=6))
def test_unix_to_text_matches_utcfromtimestamp(fmt, values):
    as_ints = Table.from_columns({"ts": values}).convert_column("ts", unix_to_text(fmt))
    as_text = Table.from_columns({"ts": [str(v) for v in values]}).convert_column(
        "ts", unix_to_text(fmt)
    )
    expected = [reference(v, fmt) for v in values]
    assert as_ints["ts"] == expected
    assert as_text["ts"] == expected


def test_unix_to_text_runs_as_a_polars_expression():
    converter = unix_to_text()
    series = pl.Series("ts", [0, 86400])
    assert converter.expression(series).to_list() == ["1970-01-01 00:00:00", "1970-01-02 00:00:00"]


def test_unix_to_text_mixed_and_bad_values():
    mixed = Table([{"ts": 0}, {"ts": " 60 "}, {"ts": None}])
    assert mixed.convert_column("ts", unix_to_text())["ts"] == [
        "1970-01-01 00:00:00",
        "1970-01-01 00:01:00",
        None,
    ]
    with pytest.raises(ConversionError, match="row 1"):
        Table([{"ts": "0"}, {"ts": "soon"}]).convert_column("ts", unix_to_text())
