"""Row transforms: select, remove nulls, sort, deduplicate, head/tail, stack/concat, chunk, reduce.

As in Parsons: select_rows and chunk return new Tables; the others change the Table in place
and return it. Sorting and deduplication follow petl's order (None first, then numbers, then
other values; stable; deduplicate keeps the first row of each key after sorting) and run as
polars operations on typed columns, in Python (with petl's ordering) otherwise.
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Sequence
from typing import Any

import petl
import polars as pl
from petl.comparison import Comparable

from turnout.errors import ExpressionError, TableError
from turnout.table.expressions import (
    ParsedExpression,
    PolarsCompiler,
    RowEvaluator,
    field_names,
)
from turnout.table.records import describe_value, iter_records
from turnout.table.storage import (
    Column,
    column_values,
    concat_columns,
    constant_column,
    filter_column,
    flatten_arguments,
    slice_column,
    take,
)

logger = logging.getLogger(__name__)


class RowsMixin:
    """Parsons' row methods."""

    _columns: dict[str, Column]
    _num_rows: int

    # --- selection --------------------------------------------------------------------------

    def select_rows(self, *filters: Any) -> Any:
        """A new Table of the rows matching a filter.

        A filter is a `"{col}"` expression string, a callable taking the row (a petl Record:
        `row["a"]`, `row.a`), or, as petl allows, a column name and a callable on its value.
        """
        mask = self._filter_mask(filters, "select_rows")
        return self._new_table(self._filtered_columns(mask), int(mask.sum()))

    def _filter_mask(self, filters: Sequence[Any], method: str) -> pl.Series:
        if len(filters) == 1:
            return self._condition_mask(filters[0], method)
        if len(filters) == 2 and callable(filters[1]):
            name = self._resolve_column(filters[0])
            function = filters[1]
            values = column_values(self._columns[name])
            return pl.Series(
                self._truth_per_row(function, values, method, column=name), dtype=pl.Boolean
            )
        raise TableError(
            f"{method} takes one filter (an expression string or a row function), or a column "
            f"and a function of its value; got {len(filters)} arguments"
        )

    def _condition_mask(self, condition: Any, method: str) -> pl.Series:
        if isinstance(condition, str):
            return self._expression_mask(condition, method)
        if callable(condition):
            records = iter_records(self._columns, self._num_rows)
            return pl.Series(self._truth_per_row(condition, records, method), dtype=pl.Boolean)
        raise TableError(
            f"{method}: a filter is an expression string or a function, not {condition!r}"
        )

    def _expression_mask(self, text: str, method: str, vectorise: bool = True) -> pl.Series:
        if not self._columns and not self._num_rows:
            # As in Parsons (petl), an empty Table without columns selects nothing whatever
            # columns the expression names; it must still parse and use only what is allowed.
            RowEvaluator(ParsedExpression(text, field_names(text)))
            return pl.Series([], dtype=pl.Boolean)
        parsed = ParsedExpression(text, list(self._columns))
        expression = PolarsCompiler(parsed, self._columns).compile() if vectorise else None
        if expression is not None:
            if not self._num_rows:
                return pl.Series([], dtype=pl.Boolean)
            frame = pl.DataFrame([self._columns[name] for name in parsed.fields])
            if not parsed.fields:
                frame = pl.DataFrame({"_": [None] * self._num_rows})
            mask = frame.select(expression.alias("mask")).to_series()
            if len(mask) == 1 and self._num_rows != 1:
                mask = pl.repeat(mask[0], self._num_rows, eager=True, dtype=pl.Boolean)
            return mask.fill_null(False)
        logger.debug("%s: evaluating %r row by row", method, text)
        return self._rowwise_expression_mask(parsed, method)

    def _rowwise_expression_mask(self, parsed: ParsedExpression, method: str) -> pl.Series:
        evaluate = RowEvaluator(parsed).evaluate
        columns = [column_values(self._columns[name]) for name in parsed.fields]
        rows = zip(*columns) if columns else (() for _ in range(self._num_rows))
        results: list[bool] = []
        for index, row in enumerate(rows):
            try:
                results.append(bool(evaluate(row)))
            except ExpressionError:
                raise
            except Exception as error:  # the expression may raise anything
                values = dict(zip(parsed.fields, row))
                raise ExpressionError(
                    f"{method}: expression {parsed.text!r} failed on row {index} with values "
                    f"{describe_value(values, 200)} ({type(error).__name__}: {error})"
                ) from error
        return pl.Series(results, dtype=pl.Boolean)

    @staticmethod
    def _truth_per_row(
        function: Callable[[Any], Any], items: Any, method: str, column: str | None = None
    ) -> list[bool]:
        results: list[bool] = []
        for index, item in enumerate(items):
            try:
                results.append(bool(function(item)))
            except Exception as error:  # a user's function may raise anything
                where = f"column {column!r}, " if column else ""
                raise ExpressionError(
                    f"{method}: the filter function raised on {where}row {index} "
                    f"({type(error).__name__}: {error}); the Table is unchanged"
                ) from error
        return results

    def _row_mask(self, condition: Any, method: str) -> list[bool]:
        return self._condition_mask(condition, method).to_list()

    def _filtered_columns(self, mask: pl.Series) -> dict[str, Column]:
        return {name: filter_column(column, mask) for name, column in self._columns.items()}

    def remove_null_rows(self, columns: str | list[str], null_value: Any = None) -> Any:
        """Remove the rows whose value in any of `columns` is None (or equals `null_value`)."""
        names = [columns] if isinstance(columns, str) else list(columns)
        names = [self._resolve_column(name) for name in names]
        keep = pl.repeat(True, self._num_rows, eager=True, dtype=pl.Boolean)
        for name in names:
            stored = self._columns[name]
            if null_value is None:
                if isinstance(stored, pl.Series):
                    drop = stored.is_null()
                else:
                    drop = pl.Series([value is None for value in stored], dtype=pl.Boolean)
            else:
                drop = pl.Series(
                    [value == null_value for value in column_values(stored)], dtype=pl.Boolean
                )
            keep = keep & ~drop
        if not keep.all():
            self._replace_columns(self._filtered_columns(keep), int(keep.sum()))
        return self

    # --- order ------------------------------------------------------------------------------

    def _sort_indices(self, names: list[str], reverse: bool) -> pl.Series:
        """Row positions in petl's sort order over `names` (stable)."""
        stored = [self._columns[name] for name in names]
        if all(_sortable(column) for column in stored):
            frame = pl.DataFrame(
                [column.rename(f"k{i}") for i, column in enumerate(stored)]
            ).with_row_index("_row")
            ordered = frame.sort(
                [f"k{i}" for i in range(len(stored))],
                descending=reverse,
                nulls_last=reverse,
                maintain_order=True,
            )
            return ordered.get_column("_row").cast(pl.Int64)
        values = [column_values(column) for column in stored]
        keys = [Comparable(row) for row in zip(*values)]
        order = sorted(range(self._num_rows), key=keys.__getitem__, reverse=reverse)
        return pl.Series(order, dtype=pl.Int64)

    def _reordered(self, indices: pl.Series) -> dict[str, Column]:
        return {name: take(column, indices, name) for name, column in self._columns.items()}

    def sort(self, columns: str | list[str] | None = None, reverse: bool = False) -> Any:
        """Sort the rows by a column, a list of columns, or (None) all columns left to right."""
        names = self._key_names(columns)
        if self._num_rows > 1 and names:
            self._columns = self._reordered(self._sort_indices(names, reverse))
        return self

    def _key_names(self, columns: str | list[str] | None) -> list[str]:
        if columns is None:
            return list(self._columns)
        if isinstance(columns, str | int):
            return [self._resolve_column(columns)]
        return [self._resolve_column(column) for column in columns]

    def deduplicate(self, keys: str | list[str] | None = None, presorted: bool = False) -> Any:
        """Keep the first row of each distinct key, sorting by the key first (as petl does).

        With `presorted=True` the rows are not sorted and only adjacent repeats are removed.
        """
        names = self._key_names(keys)
        if self._num_rows < 2 or not names:
            return self
        stored = [self._columns[name] for name in names]
        if not presorted and all(_sortable(column) for column in stored):
            # First occurrence per key, then a stable sort of the survivors: the same rows in the
            # same order as sorting everything first, with far less to sort.
            frame = pl.DataFrame(
                [column.rename(f"k{i}") for i, column in enumerate(stored)]
            ).with_row_index("_row")
            key_names = [f"k{i}" for i in range(len(stored))]
            kept = (
                frame.unique(subset=key_names, keep="first", maintain_order=True)
                .sort(key_names, nulls_last=False, maintain_order=True)
                .get_column("_row")
                .cast(pl.Int64)
            )
            self._replace_columns(self._reordered(kept), len(kept))
            return self
        indices = (
            pl.Series(range(self._num_rows), dtype=pl.Int64)
            if presorted
            else self._sort_indices(names, reverse=False)
        )
        if all(_sortable(column) for column in stored):
            keys_frame = pl.DataFrame(
                [take(column, indices).rename(f"k{i}") for i, column in enumerate(stored)]
            )
            changed = pl.repeat(False, self._num_rows, eager=True, dtype=pl.Boolean)
            for series in keys_frame.get_columns():
                changed = changed | series.ne_missing(series.shift(1))
            first = changed.to_list()
            first[0] = True
        else:
            values = [column_values(take(column, indices)) for column in stored]
            rows = list(zip(*values))
            first = [True] + [rows[i] != rows[i - 1] for i in range(1, len(rows))]
        kept = indices.filter(pl.Series(first, dtype=pl.Boolean))
        if len(kept) != self._num_rows or not presorted:
            self._replace_columns(self._reordered(kept), len(kept))
        return self

    def head(self, n: int = 5) -> Any:
        """Keep the first n rows (in place, as Parsons)."""
        stop = max(self._num_rows + n, 0) if n < 0 else min(n, self._num_rows)
        self._replace_columns(
            {name: slice_column(column, 0, stop) for name, column in self._columns.items()}, stop
        )
        return self

    def tail(self, n: int = 5) -> Any:
        """Keep the last n rows (in place, as Parsons)."""
        start = max(self._num_rows - n, 0) if n >= 0 else min(-n, self._num_rows)
        self._replace_columns(
            {
                name: slice_column(column, start, self._num_rows)
                for name, column in self._columns.items()
            },
            self._num_rows - start,
        )
        return self

    def chunk(self, rows: int) -> list[Any]:
        """New Tables of `rows` rows each; the last holds the remainder."""
        if rows < 1:
            raise TableError(f"chunk: rows must be at least 1, not {rows!r}")
        return [
            self._new_table(
                {
                    name: slice_column(column, start, start + rows)
                    for name, column in self._columns.items()
                },
                min(rows, self._num_rows - start),
            )
            for start in range(0, self._num_rows, rows)
        ]

    # --- combining --------------------------------------------------------------------------

    def concat(self, *tables: Any, missing: Any = None) -> Any:
        """Append the rows of one or more Tables, matching columns by name.

        A column missing from a Table is filled with `missing`; new columns are added at the
        end. Accepts `concat(t)`, `concat(t1, t2)` and `concat([t1, t2])`.
        """
        others = flatten_arguments(tables)
        parts = [self, *others]
        names: dict[str, None] = {}
        for part in parts:
            names.update(dict.fromkeys(part._columns))
        columns = {
            name: concat_columns(
                [
                    part._columns[name]
                    if name in part._columns
                    else constant_column(missing, part._num_rows, name)
                    for part in parts
                ],
                name,
            )
            for name in names
        }
        self._replace_columns(columns, sum(part._num_rows for part in parts))
        return self

    def stack(self, *tables: Any, missing: Any = None) -> Any:
        """Append the rows of one or more Tables by position, keeping this Table's header.

        A Table with fewer columns is padded with `missing`; one with more columns raises
        TableError rather than drop its values (petl drops them).
        """
        others = flatten_arguments(tables)
        names = list(self._columns)
        for position, other in enumerate(others):
            if len(other._columns) > len(names):
                raise TableError(
                    f"stack: Table {position} has {len(other._columns)} columns, this one "
                    f"{len(names)}; its extra columns {list(other._columns)[len(names) :]!r} "
                    "would be lost"
                )
        columns = {}
        for index, name in enumerate(names):
            parts = [self._columns[name]]
            for other in others:
                other_columns = list(other._columns.values())
                parts.append(
                    other_columns[index]
                    if index < len(other_columns)
                    else constant_column(missing, other._num_rows, name)
                )
            columns[name] = concat_columns(parts, name)
        self._replace_columns(columns, self._num_rows + sum(other._num_rows for other in others))
        return self

    def reduce_rows(
        self,
        columns: str | list[str],
        reduce_func: Callable[[Any, list], Sequence[Any]],
        headers: list[str],
        presorted: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Group rows by `columns` and reduce each group to one row (petl's rowreduce)."""
        result = petl.rowreduce(
            self.table, columns, reduce_func, header=headers, presorted=presorted, **kwargs
        )
        self.table = result
        return self

    # --- materialization --------------------------------------------------------------------

    def materialize(self) -> Any:
        """Parsons loads pending petl transforms here; a turnout Table is always loaded."""
        return self

    def materialize_to_file(self, file_path: str | None = None) -> str:
        """Write the rows to a pickle file (Parsons' format: header, then one list per row).

        Returns the path. The Table keeps its data in memory.
        """
        if file_path is None:
            handle, file_path = tempfile.mkstemp(suffix=".pickle")
            os.close(handle)
        with open(file_path, "wb") as output:
            pickle.dump(list(self._columns), output)
            for row in zip(*(column_values(column) for column in self._columns.values())):
                pickle.dump(list(row), output)
        return file_path

    def is_valid_table(self) -> bool:
        """Always True: a turnout Table cannot hold an invalid petl table."""
        return isinstance(self._columns, dict)


def _sortable(column: Column) -> bool:
    """Whether polars sorts this column exactly as petl would (no NaN, no Python values)."""
    if not isinstance(column, pl.Series):
        return False
    if column.dtype == pl.Float64:
        return not column.is_nan().any()
    return True
