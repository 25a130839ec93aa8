"""The Table: Parsons' public Table API over eager, columnar storage.

Internal contract (relied on by turnout/table/io.py and other layers)
--------------------------------------------------------------------
Storage: ``tbl._columns`` is an ordered ``dict[str, pl.Series | list]`` and ``tbl._num_rows`` the
row count. A column whose non-null values share one type (int within int64, float, str, bool,
date, naive datetime) is a typed polars Series (all-null columns are ``pl.Null``); any other column
(mixed types, dicts, lists, big ints, aware datetimes, anything else) is a plain Python list.
Stored columns are never mutated in place; transforms build new columns and swap them in.

``Table._from_columns_unchecked(columns, num_rows=None) -> Table``
    classmethod. Each value a Series (typed as above) or a Python list, all of equal length; no
    copying, checking or typing. ``num_rows`` only matters for a Table with no columns.
``Table.from_columns(cols, header=None) -> Table``
    public classmethod. ``cols`` is a mapping ``name -> sequence`` or, as in Parsons, a list of
    column sequences with an optional ``header`` (default names ``f0``, ``f1``...); each column
    is typed by ``storage.build_column``. Short columns are padded with None, as petl does.
``tbl._column_store(name) -> pl.Series | list``
    the stored column as is (do not mutate a returned list); ColumnNotFoundError if missing.
``tbl.column_data(name) -> list``
    Parsons' public method: the column's values as a new list.
``tbl.to_polars() -> pl.DataFrame`` / ``tbl.to_arrow() -> pa.Table``
    typed columns are passed without copying; a list column is converted when polars can hold
    its values without changing them: a list of dicts or lists of one consistent shape becomes a
    struct or list column (one copy); a mixed column raises TableError naming the column.
``Table(pl.DataFrame)``, ``Table(pa.Table)``
    build from polars or Arrow; dtypes that do not round-trip exactly (Int32, Decimal, struct...)
    are read as Python values and re-typed.
``turnout.table.storage``
    ``build_column(values, name)`` types a list as above; ``column_values(column)`` gives a
    column's Python values (for a list column the stored list itself: read only);
    ``slice_column``, ``take``, ``filter_column``, ``concat_columns`` work on either kind.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Mapping, Sequence
from enum import Enum
from itertools import repeat
from typing import TYPE_CHECKING, Any

import petl
import polars as pl

from turnout.errors import ColumnNotFoundError, TableError
from turnout.table.columns import ColumnsMixin
from turnout.table.construction import columns_from_input, unique_names
from turnout.table.convert import ConvertMixin
from turnout.table.io import TableIO
from turnout.table.io_warehouse import TableWarehouseIO
from turnout.table.petl_bridge import PetlBridgeMixin
from turnout.table.rows import RowsMixin
from turnout.table.storage import (
    Column,
    build_column,
    column_values,
    rename_column,
    slice_column,
)
from turnout.table.unpack import UnpackMixin

if TYPE_CHECKING:
    # pyarrow costs about 40 MB of RSS (it pulls in numpy): only to_arrow() needs it, and
    # polars imports it there.
    import pyarrow as pa

logger = logging.getLogger(__name__)

_REPR_ROWS = 5


class _Empty(Enum):
    """Default for `Table()`: distinct from None, which Parsons (and turnout) refuse."""

    token = 0


_EMPTY = _Empty.token


class TableCore(PetlBridgeMixin):
    """Construction, row and column access, and the dunder methods."""

    _columns: dict[str, Column]
    _num_rows: int

    # Parsons' optional labels: where the data came from, and what it is called.
    source: str | None = None
    name: str | None = None

    def __init__(
        self, lst: Any = _EMPTY, source: str | None = None, name: str | None = None
    ) -> None:
        self.source = source
        self.name = name
        if lst is _EMPTY:
            columns, num_rows = {}, 0
        elif lst is None:
            raise TableError("could not build a Table from None; use Table() for an empty one")
        else:
            columns, num_rows = columns_from_input(lst)
        self._columns = columns
        self._num_rows = num_rows

    # --- internal contract ------------------------------------------------------------------

    @classmethod
    def _from_columns_unchecked(
        cls, columns: dict[str, Column], num_rows: int | None = None
    ) -> Any:
        table = cls.__new__(cls)
        table._columns = dict(columns)
        if num_rows is None:
            num_rows = len(next(iter(columns.values()))) if columns else 0
        table._num_rows = num_rows
        return table

    @classmethod
    def from_columns(
        cls, cols: Mapping[str, Sequence[Any]] | Sequence[Sequence[Any]], header: Any = None
    ) -> Any:
        """A Table from columns: a mapping name -> values, or a list of columns and a header."""
        if isinstance(cols, Mapping):
            names = unique_names(cols.keys())
            sequences = [_as_sequence(values) for values in cols.values()]
        else:
            sequences = [_as_sequence(values) for values in cols]
            if header is None:
                header = [f"f{index}" for index in range(len(sequences))]
            if len(header) != len(sequences):
                raise TableError(
                    f"from_columns got {len(sequences)} columns but {len(header)} header names"
                )
            names = unique_names(header)
        num_rows = max((len(values) for values in sequences), default=0)
        columns = {
            name: build_column(_padded(values, num_rows), name)
            for name, values in zip(names, sequences)
        }
        return cls._from_columns_unchecked(columns, num_rows)

    def _column_store(self, name: str) -> Column:
        try:
            return self._columns[name]
        except KeyError:
            raise ColumnNotFoundError(name, self.columns) from None

    def _replace_columns(self, columns: dict[str, Column], num_rows: int) -> None:
        self._columns = columns
        self._num_rows = num_rows

    def _set_column(self, name: str, column: Column) -> None:
        """Swap in a fully built column, keeping its position (or appending a new one)."""
        self._columns[name] = rename_column(column, name)

    def _require(self, *names: str) -> None:
        for name in names:
            if name not in self._columns:
                raise ColumnNotFoundError(name, self.columns)

    def _new_table(self, columns: dict[str, Column], num_rows: int | None = None) -> Any:
        return type(self)._from_columns_unchecked(columns, num_rows)

    # --- Parsons' access API ----------------------------------------------------------------

    @property
    def num_rows(self) -> int:
        """Number of rows in the table."""
        return self._num_rows

    def __len__(self) -> int:
        return self._num_rows

    def __bool__(self) -> bool:
        return self._num_rows > 0

    @property
    def columns(self) -> list[str]:
        """The column names, in order (a new list each call)."""
        return list(self._columns)

    @property
    def data(self) -> petl.util.base.Table:
        """The data rows as tuples, without the header (petl's data view, as in Parsons)."""
        return petl.data(self.table)

    @property
    def first(self) -> Any:
        """The first value of the first column; None when there is none."""
        if not self._columns or not self._num_rows:
            return None
        column = next(iter(self._columns.values()))
        return column[0]

    def column_data(self, column_name: str) -> list:
        """The values of a column, as a new list."""
        return list(column_values(self._column_store(column_name)))

    def row_data(self, row_index: int) -> dict[str, Any]:
        """One row as a dict, column name -> value. Negative indices count from the end."""
        index = row_index + self._num_rows if row_index < 0 else row_index
        if not 0 <= index < self._num_rows:
            raise IndexError(f"row {row_index} is out of range for a Table of {self._num_rows}")
        return {name: column[index] for name, column in self._columns.items()}

    def __getitem__(self, index: int | str | slice) -> Any:
        if isinstance(index, bool):
            raise TypeError("You must pass a string, an int or a slice as an index.")
        if isinstance(index, int):
            return self.row_data(index)
        if isinstance(index, str):
            return self.column_data(index)
        if isinstance(index, slice):
            return list(self._iter_rows(index))
        raise TypeError("You must pass a string, an int or a slice as an index.")

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self._iter_rows(slice(None))

    def _iter_rows(self, rows: slice) -> Iterator[dict[str, Any]]:
        names = list(self._columns)
        if not names:
            for _ in range(*rows.indices(self._num_rows)):
                yield {}
            return
        start, stop, step = rows.indices(self._num_rows)
        if step == 1:
            # Only the rows asked for become Python values (a repr reads five, not a million).
            values = [
                column_values(slice_column(column, start, stop))
                for column in self._columns.values()
            ]
        else:
            values = [column_values(column)[rows] for column in self._columns.values()]
        # map/zip keep the per-row work in C: about a third faster than a generator of dicts.
        yield from map(dict, map(zip, repeat(names), zip(*values)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TableCore):
            return NotImplemented
        if self.columns != other.columns or self._num_rows != other._num_rows:
            return False
        return all(
            column_values(self._columns[name]) == column_values(other._columns[name])
            for name in self._columns
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        rows = [repr(row) for row in self._iter_rows(slice(0, _REPR_ROWS))]
        if self._num_rows > _REPR_ROWS:
            rows.append(f"... ({self._num_rows} rows)")
        return "\n".join(rows)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        return self.table._repr_html_()

    # --- polars and Arrow -------------------------------------------------------------------

    def to_polars(self) -> pl.DataFrame:
        """A polars DataFrame of this Table; typed columns are shared, not copied."""
        series = []
        for name, column in self._columns.items():
            if isinstance(column, pl.Series):
                series.append(column.rename(name) if column.name != name else column)
            else:
                series.append(_list_to_series(name, column))
        return pl.DataFrame(series, height=self._num_rows if not series else None)

    def to_arrow(self) -> pa.Table:
        """A pyarrow Table of this Table (see to_polars for how list columns convert)."""
        return self.to_polars().to_arrow()


def _as_sequence(values: Any) -> list | pl.Series:
    # A caller's list is copied: a list column is stored as is and must not change under us.
    return values if isinstance(values, pl.Series) else list(values)


def _padded(values: list | pl.Series, length: int) -> list | pl.Series:
    """Short columns are padded with None, as petl's fromcolumns does."""
    if len(values) == length:
        return values
    if isinstance(values, pl.Series):
        values = values.to_list()
    return list(values) + [None] * (length - len(values))


def _list_to_series(name: str, values: list) -> pl.Series:
    """A polars Series for a list column, only when its values come back unchanged."""
    try:
        series = pl.Series(name, values, strict=True)
    except (TypeError, OverflowError, ValueError, pl.exceptions.PolarsError) as error:
        raise TableError(
            f"column {name!r} mixes value types ({_type_names(values)}); polars and Arrow "
            "hold one type per column. Convert it first, e.g. convert_column"
            f"({name!r}, str)"
        ) from error
    if not _portable(series.dtype) or not _same_values(values, series.to_list()):
        raise TableError(
            f"column {name!r} holds values ({_type_names(values)}) that polars and Arrow cannot "
            f"hold unchanged. Convert it first, e.g. convert_column({name!r}, str)"
        )
    return series


def _portable(dtype: pl.DataType) -> bool:
    """Whether Arrow holds this dtype and it reads back as the same Python values."""
    if isinstance(dtype, pl.List):
        return _portable(dtype.inner)
    if isinstance(dtype, pl.Struct):
        return all(_portable(field.dtype) for field in dtype.fields)
    if isinstance(dtype, pl.Datetime):
        return dtype.time_zone is None
    return isinstance(dtype, pl.Int64 | pl.Float64 | pl.String | pl.Boolean | pl.Date | pl.Null)


def _same_values(before: Any, after: Any) -> bool:
    """Equal and of the same types all the way down (== alone treats 1, 1.0 and True alike)."""
    if type(before) is not type(after):
        return False
    if isinstance(before, dict):
        return list(before) == list(after) and all(
            _same_values(before[key], after[key]) for key in before
        )
    if isinstance(before, list | tuple):
        return len(before) == len(after) and all(map(_same_values, before, after))
    if isinstance(before, float) and before != before:
        return after != after
    if isinstance(before, dt.datetime):
        return repr(before) == repr(after)  # == ignores fold and tzinfo identity
    return before == after


def _type_names(values: list) -> str:
    names = sorted({type(value).__name__ for value in values})
    return ", ".join(names)


class Table(
    ColumnsMixin, ConvertMixin, RowsMixin, UnpackMixin, TableCore, TableIO, TableWarehouseIO
):
    """A Parsons-compatible table: list of dicts, list of lists, petl, polars or Arrow in."""
