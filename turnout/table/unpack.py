"""Unpacking nested values: unpack_dict, unpack_list, unpack_nested_columns_as_rows, long_table.

Departures from Parsons, each for a reason:
- every row's keys are seen (Parsons samples the first `sample_size` rows and drops later keys);
- an unpacked name that collides with an existing column keeps its prefix (`person_id`) and a
  warning is logged (Parsons holds two columns of the same name, and row dicts show only one);
- on a missing column the error names it; on an empty Table the result is empty.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from turnout.errors import ColumnNotFoundError
from turnout.table.construction import dict_columns
from turnout.table.storage import Column, build_column, column_values, rename_column

logger = logging.getLogger(__name__)


def _unique_new_name(wanted: str, taken: set[str], prefixed: str | None, method: str) -> str:
    """`wanted`, or when taken the prefixed form, or a numbered one; warns on any change."""
    if wanted not in taken:
        return wanted
    candidate = prefixed if prefixed is not None and prefixed not in taken else None
    if candidate is None:
        base = prefixed or wanted
        suffix = 2
        while f"{base}_{suffix}" in taken:
            suffix += 1
        candidate = f"{base}_{suffix}"
    logger.warning(
        "%s: column %r already exists; the new column is named %r (Parsons would hold two "
        "columns named %r)",
        method,
        wanted,
        candidate,
        wanted,
    )
    return candidate


class UnpackMixin:
    """Parsons' unpack and long-table methods."""

    _columns: dict[str, Column]
    _num_rows: int

    def _require_column(self, column: str) -> None:
        if column not in self._columns:
            raise ColumnNotFoundError(column, list(self._columns))

    def unpack_dict(
        self,
        column: str,
        keys: list[str] | None = None,
        include_original: bool = False,
        sample_size: int = 5000,
        missing: Any = None,
        prepend: bool = True,
        prepend_value: str | None = None,
    ) -> Any:
        """Turn the keys of a dict column into columns (sorted by key, added at the end).

        `prepend` names them `<prepend_value or column>_<key>`. Every row's keys are seen;
        `sample_size` is accepted for Parsons compatibility and ignored. A row whose value is not
        a dict, or lacks a key, gets `missing`.
        """
        self._require_column(column)
        values = column_values(self._columns[column])
        unpacked = _unpack_plain_dicts(values) if keys is None and missing is None else None
        if unpacked is not None:
            keys = list(unpacked)
        elif keys is None:
            found: dict[Any, None] = {}
            for value in values:
                if isinstance(value, dict):
                    found.update(dict.fromkeys(value))
            keys = list(found)
        prefix = column if prepend_value is None else prepend_value

        # Parsons sorts the (prefixed) names; order the new columns the same way.
        named = sorted(((f"{prefix}_{key}" if prepend else str(key)), key) for key in keys)

        remaining = {
            name: stored
            for name, stored in self._columns.items()
            if include_original or name != column
        }
        taken = set(remaining)
        new_columns: dict[str, Column] = {}
        for wanted, key in named:
            name = _unique_new_name(wanted, taken, f"{prefix}_{key}", "unpack_dict")
            taken.add(name)
            if unpacked is not None:
                new_columns[name] = _renamed(unpacked[key], name)
            else:
                new_columns[name] = build_column(
                    [_get(value, key, missing) for value in values], name
                )
        self._replace_columns({**remaining, **new_columns}, self._num_rows)
        return self

    def unpack_list(
        self,
        column: str,
        include_original: bool = False,
        missing: Any = None,
        replace: bool = False,
        max_columns: int | None = None,
    ) -> Any:
        """Turn the items of a list column into columns `<column>_0`, `<column>_1`...

        A value that is not a list counts as a one-item list. With `replace=True` this Table
        changes and is returned; otherwise a new Table is returned (Parsons returns a petl
        table) and this one is unchanged (Parsons wraps its values in lists). With
        `include_original` the original column keeps its values as they were.
        """
        self._require_column(column)
        values = [
            value if isinstance(value, list) else [value]
            for value in column_values(self._columns[column])
        ]
        width = max(map(len, values), default=0)
        if width > 0 and max_columns:
            width = max_columns

        remaining = {
            name: stored
            for name, stored in self._columns.items()
            if include_original or name != column
        }
        taken = set(remaining)
        new_columns: dict[str, Column] = {}
        for position in range(width):
            name = _unique_new_name(f"{column}_{position}", taken, None, "unpack_list")
            taken.add(name)
            new_columns[name] = build_column(
                [value[position] if position < len(value) else missing for value in values], name
            )
        columns = {**remaining, **new_columns}
        if replace:
            self._replace_columns(columns, self._num_rows)
            return self
        return self._new_table(columns, self._num_rows)

    def unpack_nested_columns_as_rows(
        self, column: str, key: str = "id", expand_original: bool | int = False
    ) -> Any:
        """One row per item of the list or dict values of `column`.

        Without `expand_original`: a new Table (uid, `key`, `column`, value) where `column`
        holds the list position ('0', '1'...) or the dict key; this Table loses `column`, as in
        Parsons. With `expand_original` (or an int not exceeded by the longest value): the rows
        of this Table with the packed rows replaced by the unpacked ones. None items are
        dropped; uid is the md5 of the row's other values, as Parsons computes it.
        """
        self._require_column(column)
        if not expand_original or expand_original is True:
            expand = bool(expand_original)
        else:
            lengths = [
                len(value)
                for value in column_values(self._columns[column])
                if isinstance(value, dict | list)
            ]
            expand = not lengths or max(lengths) <= expand_original
        if not expand:
            self._require_column(key)

        names = list(self._columns)
        values = column_values(self._columns[column])
        others = [name for name in names if name != column] if expand else [key]
        other_values = [column_values(self._columns[name]) for name in others]
        rows = list(zip(*other_values)) if other_values else [()] * self._num_rows

        list_rows: list[tuple] = []
        dict_rows: list[tuple] = []
        kept_rows: list[int] = []
        dict_keys: dict[Any, None] = {}
        width = 0
        for index, value in enumerate(values):
            if isinstance(value, dict):
                dict_keys.update(dict.fromkeys(value))
                dict_rows.append((index, value))
            elif isinstance(value, list) or not expand:
                items = value if isinstance(value, list) else [value]
                width = max(width, len(items))
                list_rows.append((index, items))
            else:
                kept_rows.append(index)

        melted: list[tuple] = []
        for index, items in list_rows:
            for position, item in enumerate(items):
                if item is not None:
                    melted.append((*rows[index], str(position), item))
        ordered_keys = sorted(dict_keys, key=str)
        for index, value in dict_rows:
            for dict_key in ordered_keys:
                item = value.get(dict_key)
                if item is not None:
                    melted.append((*rows[index], dict_key, item))

        if not expand:
            header = [key, column, "value"]
            out_rows = [(_uid(row), *row) for row in melted]
            self._columns.pop(column)
            return self._new_table(_columns_from_rows(["uid", *header], out_rows), len(out_rows))

        # Expanded: the unpackable rows of this Table (value column None), then the melted ones.
        value_name = f"{column}_value"
        position = names.index(column)
        full_rows: list[tuple] = []
        for index in kept_rows:
            original = [column_values(self._columns[name])[index] for name in names]
            full_rows.append((*original, None))
        for row in melted:
            *other, variable, item = row
            full = list(other)
            full.insert(position, variable)
            full_rows.append((*full, item))
        header = [*names, "value"]
        with_uid = "uid" not in self._columns
        if with_uid:
            full_rows = [(_uid(row), *row) for row in full_rows]
            header = ["uid", *header]
        header[-1] = value_name
        header.remove(column)
        header.insert(len(header) - 1, column)
        reordered = _reorder(
            full_rows,
            ["uid", *names, "value"] if with_uid else [*names, "value"],
            header,
            column,
            value_name,
        )
        return self._new_table(_columns_from_rows(header, reordered), len(reordered))

    def long_table(
        self,
        key: str | list[str],
        column: str,
        key_rename: dict[str, str] | None = None,
        retain_original: bool = False,
        prepend: bool = True,
        prepend_value: str | None = None,
    ) -> Any:
        """A new long Table: one row per item of the list column `column`, with the `key`
        columns; dict items are unpacked into columns. Drops `column` from this Table unless
        `retain_original`."""
        keys = [key] if isinstance(key, str) else list(key)
        for name in [column, *keys]:
            self._require_column(name)

        key_values = [column_values(self._columns[name]) for name in keys]
        values = column_values(self._columns[column])
        out_keys: list[list[Any]] = [[] for _ in keys]
        out_values: list[Any] = []
        for index, value in enumerate(values):
            items = value if isinstance(value, list) else [value]
            for item in items:
                if item is None:
                    continue
                for position, key_column in enumerate(key_values):
                    out_keys[position].append(key_column[index])
                out_values.append(item)
        columns = {name: build_column(vals, name) for name, vals in zip(keys, out_keys)}
        columns[column] = build_column(out_values, column)
        long = self._new_table(columns, len(out_values))

        if key_rename:
            for old_name, new_name in key_rename.items():
                long.rename_column(old_name, new_name)
        if out_values and isinstance(out_values[0], dict):
            long.unpack_dict(column, prepend=prepend, prepend_value=prepend_value)
        if not retain_original:
            self._columns.pop(column)
        return long


def _unpack_plain_dicts(values: list) -> dict[Any, Column] | None:
    """Columns per key when every value is a dict or None (read as {}), else None.

    Takes the fast path of building a Table from dicts.
    """
    kinds = set(map(type, values))
    if not values or not kinds <= {dict, type(None)}:
        return None
    rows = [{} if value is None else value for value in values] if type(None) in kinds else values
    keys, columns = dict_columns(rows)
    return dict(zip(keys, columns))


def _renamed(column: Column, name: str) -> Column:
    return rename_column(column, name)


def _get(value: Any, key: Any, missing: Any) -> Any:
    if isinstance(value, dict):
        return value.get(key, missing)
    try:
        return value[key]
    except (IndexError, KeyError, TypeError):
        return missing


def _uid(row: tuple) -> str:
    return hashlib.md5("".join(str(value) for value in row).encode()).hexdigest()


def _columns_from_rows(header: list[str], rows: list[tuple]) -> dict[str, Column]:
    if not rows:
        return {name: build_column([], name) for name in header}
    return {name: build_column(list(values), name) for name, values in zip(header, zip(*rows))}


def _reorder(
    rows: list[tuple], source: list[str], target: list[str], column: str, value_name: str
) -> list[tuple]:
    renamed = [value_name if name == "value" else name for name in source]
    positions = [renamed.index(name) for name in target]
    return [tuple(row[i] for i in positions) for row in rows]
