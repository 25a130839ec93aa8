"""Column transforms: add, remove, rename, fill, move, coalesce, map, cut, header, type stats.

As in Parsons, these change the Table in place and return it, so calls chain; `cut` returns a
new Table. Each builds its new columns fully before swapping them in, so an error leaves the
Table as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from turnout.errors import ColumnExistsError, ColumnNotFoundError, ConversionError, TableError
from turnout.table.records import describe_value, iter_records
from turnout.table.storage import (
    Column,
    build_column,
    column_values,
    constant_column,
    flatten_arguments,
    rename_column,
)

logger = logging.getLogger(__name__)


class ColumnsMixin:
    """Parsons' column methods."""

    _columns: dict[str, Column]
    _num_rows: int

    # --- helpers ----------------------------------------------------------------------------

    def _row_function_column(
        self,
        name: str,
        function: Callable[[Any], Any],
        where: list[bool] | None = None,
        current: list | None = None,
        method: str = "add_column",
    ) -> Column:
        """`function(row)` per row; where `where` is false the `current` value stays."""
        values: list[Any] = []
        records = iter_records(self._columns, self._num_rows)
        for index, record in enumerate(records):
            if where is not None and not where[index]:
                values.append(current[index] if current is not None else None)
                continue
            try:
                values.append(function(record))
            except Exception as error:  # any user error is reported with its row
                raise ConversionError(
                    f"{method}: the function for column {name!r} raised on row {index} "
                    f"({type(error).__name__}: {error}); the Table is unchanged",
                    column=name,
                    row=index,
                    value=dict(zip(record.flds, record)),
                ) from error
        return build_column(values, name)

    def _resolve_column(self, column: Any) -> str:
        """A column name, or a petl-style integer position, as the name."""
        if isinstance(column, int) and not isinstance(column, bool):
            names = list(self._columns)
            try:
                return names[column]
            except IndexError:
                raise ColumnNotFoundError(str(column), names) from None
        name = str(column)
        if name not in self._columns:
            raise ColumnNotFoundError(name, list(self._columns))
        return name

    # --- Parsons' API -----------------------------------------------------------------------

    def add_column(
        self, column: str, value: Any = None, index: int | None = None, if_exists: str = "fail"
    ) -> Any:
        """Add a column holding `value` (or `value(row)` when callable) at position `index`."""
        if column in self._columns:
            if if_exists == "replace":
                return self.fill_column(column, value)
            raise ColumnExistsError(
                f"add_column: column {column!r} already exists; pass if_exists='replace' to "
                "overwrite it"
            )
        if if_exists not in ("fail", "replace"):
            raise TableError(
                f"add_column: if_exists must be 'fail' or 'replace', not {if_exists!r}"
            )

        if callable(value):
            new_column = self._row_function_column(column, value)
        else:
            new_column = constant_column(value, self._num_rows, column)

        items = list(self._columns.items())
        position = len(items) if index is None else index
        items.insert(position, (column, new_column))
        self._columns = dict(items)
        return self

    def remove_column(self, *columns: str) -> Any:
        """Remove one or more columns."""
        names = [self._resolve_column(column) for column in flatten_arguments(columns)]
        for name in names:
            self._columns.pop(name, None)
        return self

    def rename_column(self, column_name: str, new_column_name: str) -> Any:
        """Rename one column, keeping its position."""
        name = self._resolve_column(column_name)
        if new_column_name in self._columns:
            raise ColumnExistsError(f"rename_column: column {new_column_name!r} already exists")
        self._columns = {
            (new_column_name if key == name else key): _renamed(column, new_column_name)
            if key == name
            else column
            for key, column in self._columns.items()
        }
        return self

    def rename_columns(self, column_map: dict[str, str]) -> Any:
        """Rename several columns: `{old_name: new_name}`."""
        for old_name, new_name in column_map.items():
            if old_name not in self._columns:
                raise ColumnNotFoundError(old_name, list(self._columns))
            if new_name in self._columns:
                raise ColumnExistsError(f"rename_columns: column {new_name!r} already exists")
        new_names = list(column_map.values())
        if len(set(new_names)) != len(new_names):
            raise ColumnExistsError(f"rename_columns: new names repeat: {new_names!r}")
        self._columns = {
            column_map.get(key, key): _renamed(column, column_map[key])
            if key in column_map
            else column
            for key, column in self._columns.items()
        }
        return self

    def fill_column(self, column_name: str, fill_value: Any) -> Any:
        """Set every value of a column to `fill_value` (or `fill_value(row)` when callable)."""
        name = self._resolve_column(column_name)
        if callable(fill_value):
            new_column = self._row_function_column(name, fill_value, method="fill_column")
        else:
            new_column = constant_column(fill_value, self._num_rows, name)
        self._columns[name] = new_column
        return self

    def fillna_column(self, column_name: str, fill_value: Any) -> Any:
        """Replace the None values of a column with `fill_value` (or `fill_value(row)`)."""
        name = self._resolve_column(column_name)
        stored = self._columns[name]
        current = column_values(stored)
        where = [value is None for value in current]
        if not any(where):
            return self
        if callable(fill_value):
            new_column = self._row_function_column(
                name, fill_value, where=where, current=current, method="fillna_column"
            )
        elif isinstance(stored, pl.Series) and _fits_dtype(fill_value, stored):
            new_column = stored.fill_null(fill_value)
        else:
            new_column = build_column(
                [fill_value if missing else value for value, missing in zip(current, where)],
                name,
            )
        self._columns[name] = new_column
        return self

    def move_column(self, column: str, index: int) -> Any:
        """Move a column to position `index` (list.insert semantics, as petl)."""
        name = self._resolve_column(column)
        items = [(key, value) for key, value in self._columns.items() if key != name]
        items.insert(index, (name, self._columns[name]))
        self._columns = dict(items)
        return self

    def get_column_max_width(self, column: str) -> int:
        """The longest value of a column, in UTF-8 bytes of its str() (None counts as 'None')."""
        name = self._resolve_column(column)
        stored = self._columns[name]
        if not self._num_rows:
            return 0
        if isinstance(stored, pl.Series) and stored.dtype in (pl.String, pl.Int64):
            widths = stored.cast(pl.String).str.len_bytes().fill_null(len("None"))
            return int(widths.max())
        return max(len(str(value).encode("utf-8")) for value in column_values(stored))

    def get_column_types(self, column: str) -> list[str]:
        """The names of the Python types found in a column, sorted (Parsons: set order)."""
        name = self._resolve_column(column)
        stored = self._columns[name]
        if isinstance(stored, pl.Series):
            types: set[str] = set()
            if stored.null_count():
                types.add("NoneType")
            if stored.dtype != pl.Null and stored.null_count() < len(stored):
                types.add(_DTYPE_TYPE_NAMES[type(stored.dtype)])
            return sorted(types)
        return sorted({type(value).__name__ for value in stored})

    def get_columns_type_stats(self) -> list[dict[str, Any]]:
        """For each column, `{"name": column, "type": get_column_types(column)}`."""
        return [{"name": name, "type": self.get_column_types(name)} for name in self._columns]

    def coalesce_columns(
        self, dest_column: str, source_columns: list[str], remove_source_columns: bool = True
    ) -> Any:
        """Fill `dest_column` with each row's first truthy value among `source_columns`.

        Parsons' rule: a falsy value (0, '', False, None) is skipped. A source column missing
        from the Table counts as None. The destination is added at the end when new.
        """
        sources = [self._columns[name] for name in source_columns if name in self._columns]
        source_values = [column_values(column) for column in sources]
        if source_values:
            coalesced = [next(filter(None, row), None) for row in zip(*source_values)]
        else:
            coalesced = [None] * self._num_rows
        logger.debug("Coalescing %s into %s", source_columns, dest_column)

        # An existing destination keeps its position; a new one goes at the end.
        self._columns[dest_column] = build_column(coalesced, dest_column)
        if remove_source_columns:
            for name in source_columns:
                if name != dest_column:
                    self._columns.pop(name, None)
        return self

    def map_columns(self, column_map: dict[str, list[str]], exact_match: bool = True) -> Any:
        """Rename columns whose name is listed among the alternatives of a standard name.

        With `exact_match=False` a column name is compared lowercased, without spaces and
        underscores.
        """
        renames: dict[str, str] = {}
        for name in self._columns:
            cleaned = name if exact_match else name.lower().replace("_", "").replace(" ", "")
            for standard, alternatives in column_map.items():
                if cleaned in alternatives:
                    renames[name] = standard
                    break
        for old_name, new_name in renames.items():
            if old_name != new_name:
                self.rename_column(old_name, new_name)
        return self

    def map_and_coalesce_columns(self, column_map: dict[str, list[str]]) -> Any:
        """Coalesce every alternative of a standard name into one column of that name.

        An existing column of the standard name comes first. Alternatives missing from the
        Table are skipped. The caller's map is left unchanged (Parsons edits it).
        """
        for standard, alternatives in column_map.items():
            sources = [name for name in alternatives if name in self._columns]
            if standard in self._columns:
                sources = [standard] + [name for name in sources if name != standard]
                stored = self._columns.pop(standard)
                self._columns[f"{standard}_temp"] = stored
                sources[0] = f"{standard}_temp"
            self.coalesce_columns(standard, sources, remove_source_columns=True)
        return self

    def cut(self, *columns: str) -> Any:
        """A new Table holding only these columns, in this order."""
        names = [self._resolve_column(column) for column in flatten_arguments(columns)]
        if len(set(names)) != len(names):
            raise TableError(f"cut: columns repeat: {names!r}")
        return self._new_table({name: self._columns[name] for name in names}, self._num_rows)

    def set_header(self, new_header: Sequence[str]) -> Any:
        """Replace the column names, in order."""
        new_header = [str(name) for name in new_header]
        if len(new_header) != len(self._columns):
            raise TableError(
                f"set_header: got {len(new_header)} names for {len(self._columns)} columns"
            )
        if len(set(new_header)) != len(new_header):
            raise ColumnExistsError(f"set_header: names repeat: {new_header!r}")
        self._columns = {
            new: _renamed(column, new) for new, column in zip(new_header, self._columns.values())
        }
        return self

    @staticmethod
    def get_normalized_column_name(column_name: str) -> str:
        """Lowercased, stripped, only letters and digits."""
        column_name = column_name.lower().strip()
        return "".join(c for c in column_name if c.isalnum())

    def match_columns(
        self,
        desired_columns: list[str],
        fuzzy_match: bool = True,
        if_extra_columns: str = "remove",
        if_missing_columns: str = "add",
    ) -> Any:
        """Rename and reorder columns to match `desired_columns`.

        Fuzzy matching compares normalized names; extra columns are removed, ignored (kept at
        the end) or fail; missing ones are added (None), ignored or fail.
        """
        if if_missing_columns not in ("add", "ignore", "fail"):
            raise TableError(
                f"Invalid option {if_missing_columns} for argument `if_missing_columns`"
            )
        if if_extra_columns not in ("remove", "ignore", "fail"):
            raise TableError(f"Invalid option {if_extra_columns} for argument `if_extra_columns`")
        normalize = self.get_normalized_column_name if fuzzy_match else (lambda name: name)

        # For two columns normalizing alike, the first one matches and the later one is extra.
        current: dict[str, str] = {}
        for name in reversed(list(self._columns)):
            current[normalize(name)] = name
        current = dict(reversed(list(current.items())))
        matched = set()

        new_columns: dict[str, Column] = {}
        for desired in desired_columns:
            source = current.get(normalize(desired))
            if source is None or source in matched:
                if if_missing_columns == "fail":
                    raise TableError(f"Table is missing column {desired}")
                if if_missing_columns == "add":
                    new_columns[desired] = constant_column(None, self._num_rows, desired)
                continue
            matched.add(source)
            new_columns[desired] = _renamed(self._columns[source], desired)

        for name in self._columns:
            if name in matched:
                continue
            if if_extra_columns == "fail":
                raise TableError(f"Table has extra column {name}")
            if if_extra_columns == "ignore":
                if name in new_columns:
                    raise ColumnExistsError(f"match_columns: column {name!r} would repeat")
                new_columns[name] = self._columns[name]
        self._columns = new_columns
        return self

    def empty_column(self, column: str) -> bool:
        """True when every value of the column is None."""
        name = self._resolve_column(column)
        stored = self._columns[name]
        if isinstance(stored, pl.Series):
            return stored.null_count() == len(stored)
        return all(value is None for value in stored)


_DTYPE_TYPE_NAMES = {
    pl.Int64: "int",
    pl.Float64: "float",
    pl.String: "str",
    pl.Boolean: "bool",
    pl.Date: "date",
    pl.Datetime: "datetime",
}


def _renamed(column: Column, name: str) -> Column:
    return rename_column(column, name)


def _fits_dtype(value: Any, series: pl.Series) -> bool:
    """Whether `value` has exactly the Python type the Series holds (so fill_null is exact)."""
    from turnout.table.storage import TYPED_DTYPES

    dtype = TYPED_DTYPES.get(type(value))
    if dtype is None or series.dtype == pl.Null:
        return False
    if isinstance(series.dtype, pl.Datetime):
        return isinstance(dtype, pl.Datetime) and value.tzinfo is None
    return series.dtype == dtype


__all__ = ["ColumnsMixin", "describe_value"]
