"""turnout's Table: Parsons' Table API on eager, columnar storage."""

from turnout.table.converters import unix_to_text
from turnout.table.table import Table

__all__ = ["Table", "unix_to_text"]
