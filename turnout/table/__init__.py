"""turnout's Table: Parsons' Table API on eager, columnar storage."""

from turnout.table.table import Table

__all__ = ["Table"]
