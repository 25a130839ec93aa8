"""File and format IO for Table (to_csv, from_csv, ...)."""


class TableIO:
    """File and format IO (to_csv, from_csv, ...)."""
