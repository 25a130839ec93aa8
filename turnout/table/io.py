"""File and format IO for Table: Parsons' to_*/from_* methods, same names, arguments, defaults.

`Table` inherits `TableIO`. The readers are classmethods returning a new Table; the writers
return the path they wrote, as Parsons does. Where turnout departs from Parsons on purpose:

- `from_csv` strips a UTF-8 byte-order mark from the first column name, raises a
  TableFormatError naming the file, the byte offset and `encoding=` for undecodable bytes, and
  refuses a row longer than the header, naming its line (Parsons drops the extra values
  silently). A short row is padded with None and a blank line is a row of None, as in Parsons.
  A repeated header name gets a suffix (`id`, `id_2`) so column names stay unique. `.zip`
  archives holding one file are read too; remote URLs are not.
- `from_json` sees every key of every object (petl samples the first 1,000), skips blank
  lines of a line-delimited file, and applies `header` to line-delimited files too (Parsons
  ignores it there).
- `to_json` writes compact UTF-8 JSON (`{"a":1}`) where Parsons writes `{"a": 1}` with \\u
  escapes: the same values, other whitespace. Dates and datetimes are written as ISO text.
- `to_csv_string`, `from_dicts`, `to_parquet` and `from_parquet` are not in Parsons 6.1.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

from turnout.errors import TableError
from turnout.table import io_csv, io_json
from turnout.table.io_files import (
    compression_for_path,
    read_file_bytes,
    suffix_for_compression,
    temp_path,
)

logger = logging.getLogger(__name__)


class TableIO:
    """Parsons' Table IO methods: CSV, JSON, dicts, pandas, HTML, Parquet, petl."""

    # --- CSV ------------------------------------------------------------------------------------

    def to_csv(
        self,
        local_path: str | None = None,
        temp_file_compression: str | None = None,
        encoding: str | None = None,
        errors: str = "strict",
        write_header: bool = True,
        csv_name: str | None = None,
        **csvargs: Any,
    ) -> str:
        """Write the table as CSV and return the path; `.gz` / `.zip` paths are compressed.

        Without `local_path` a temporary file is written (removed at exit), compressed per
        `temp_file_compression` (None, 'gzip' or 'zip'). `csvargs` go to `csv.writer`.
        """
        if local_path is None:
            suffix = suffix_for_compression(temp_file_compression)
            local_path = temp_path(suffix if temp_file_compression == "zip" else ".csv" + suffix)
        io_csv.write_csv(
            self,
            local_path,
            encoding=encoding,
            errors=errors,
            write_header=write_header,
            csv_name=csv_name,
            **csvargs,
        )
        logger.debug("wrote %s rows to %s", self.num_rows, local_path)
        return str(local_path)

    def append_csv(
        self, local_path: str, encoding: str | None = None, errors: str = "strict", **csvargs: Any
    ) -> str:
        """Append the rows (no header) to an existing CSV file; returns its path."""
        io_csv.write_csv(
            self,
            local_path,
            encoding=encoding,
            errors=errors,
            write_header=False,
            append=True,
            **csvargs,
        )
        return str(local_path)

    def to_zip_csv(
        self,
        archive_path: str | None = None,
        csv_name: str | None = None,
        encoding: str | None = None,
        errors: str = "strict",
        write_header: bool = True,
        if_exists: str = "replace",
        **csvargs: Any,
    ) -> str:
        """Write the table as a CSV inside a zip archive; `if_exists='append'` adds a member."""
        if if_exists not in ("replace", "append"):
            raise TableError(f"if_exists={if_exists!r}: use 'replace' or 'append'")
        if archive_path is None:
            archive_path = temp_path(".zip")
        io_csv.write_csv(
            self,
            archive_path,
            encoding=encoding,
            errors=errors,
            write_header=write_header,
            csv_name=csv_name,
            zip_mode="a" if if_exists == "append" else "w",
            **csvargs,
        )
        return str(archive_path)

    def to_csv_string(self, **csvargs: Any) -> str:
        """The table as CSV text (not in Parsons 6.1)."""
        return io_csv.table_to_csv_string(self, **csvargs)

    @classmethod
    def from_csv(cls, local_path: str | os.PathLike, **csvargs: Any) -> Any:
        """A Table from a CSV file (`.gz` and `.zip` by name); every value is text.

        `encoding`, `errors` and `header` as in petl's fromcsv; other `csvargs` go to
        `csv.reader` (delimiter, quotechar, quoting...).
        """
        if isinstance(local_path, str) and local_path.startswith(
            ("http://", "https://", "ftp://", "s3://")
        ):
            # TODO: Parsons reads remote URLs through petl; turnout reads local files only.
            raise TableError(f"from_csv reads local files; download {local_path!r} first")
        return io_csv.read_csv(cls, read_file_bytes(local_path), str(local_path), **csvargs)

    @classmethod
    def from_csv_string(cls, str: str, **csvargs: Any) -> Any:
        """A Table from a string holding CSV text."""
        return io_csv.read_csv(cls, str.encode("utf-8"), "CSV string", **csvargs)

    # --- JSON -----------------------------------------------------------------------------------

    def to_json(
        self,
        local_path: str | None = None,
        temp_file_compression: str | None = None,
        line_delimited: bool = False,
    ) -> str:
        """Write the rows as a JSON list, or one object a line; `.gz` paths are compressed."""
        if local_path is None:
            if temp_file_compression not in (None, "gzip"):
                raise TableError("to_json supports temp_file_compression None or 'gzip'")
            local_path = temp_path(".json" + suffix_for_compression(temp_file_compression))
        if compression_for_path(local_path) == "zip":
            raise TableError(f"to_json cannot write a zip archive ({local_path!r}); use .gz")
        io_json.write_json(self, local_path, line_delimited=line_delimited)
        return str(local_path)

    @classmethod
    def from_json(
        cls,
        local_path: str | os.PathLike,
        header: Sequence[str] | None = None,
        line_delimited: bool = False,
    ) -> Any:
        """A Table from a JSON file holding a list of objects, or one object a line."""
        if line_delimited:
            # An uncompressed file goes to Arrow's reader by path (memory-mapped, no copy).
            source = (
                str(local_path)
                if compression_for_path(local_path) is None and os.path.isfile(local_path)
                else read_file_bytes(local_path)
            )
            table = io_json.read_json_lines(cls, source, str(local_path))
            if header is not None:
                return cls.from_columns({name: _column_or_nones(table, name) for name in header})
            return table
        return io_json.read_json_document(
            cls,
            read_file_bytes(local_path),
            str(local_path),
            list(header) if header is not None else None,
        )

    # --- Python objects ---------------------------------------------------------------------------

    def to_dicts(self) -> list[dict[str, Any]]:
        """The rows as a list of dicts."""
        return list(self)

    @classmethod
    def from_dicts(cls, dicts: Sequence[dict[str, Any]]) -> Any:
        """A Table from a list of dicts (every key of every dict becomes a column)."""
        return cls(list(dicts)) if dicts else cls()

    def to_petl(self) -> Any:
        """The petl view of this table (same as `.table`)."""
        return self.table

    # --- pandas ----------------------------------------------------------------------------------

    def to_dataframe(
        self,
        index: Any = None,
        exclude: Any = None,
        columns: Any = None,
        coerce_float: bool = False,
    ) -> Any:
        """A pandas DataFrame of the rows (arguments as `pandas.DataFrame.from_records`)."""
        pandas = _import_pandas("to_dataframe")
        return pandas.DataFrame.from_records(
            [tuple(row.values()) for row in self],
            index=index,
            exclude=exclude,
            columns=self.columns if columns is None else list(columns),
            coerce_float=coerce_float,
        )

    @classmethod
    def from_dataframe(cls, dataframe: Any, include_index: bool = False) -> Any:
        """A Table from a pandas DataFrame; `include_index` adds the index as the first column."""
        _import_pandas("from_dataframe")
        from turnout.table.construction import unique_names

        raw_names = (["index"] if include_index else []) + list(dataframe.columns)
        columns = [dataframe.iloc[:, position].tolist() for position in range(dataframe.shape[1])]
        if include_index:
            # petl names the index column 'index' whatever the index's own name.
            columns.insert(0, dataframe.index.tolist())
        return cls.from_columns(dict(zip(unique_names(raw_names), columns)))

    # --- HTML -----------------------------------------------------------------------------------

    def to_html(
        self,
        local_path: str | None = None,
        encoding: str | None = None,
        errors: str = "strict",
        index_header: bool = False,
        caption: str | None = None,
        tr_style: Any = None,
        td_styles: Any = None,
        truncate: int | None = None,
    ) -> str:
        """Write the table as an HTML table (petl's tohtml layout) and return the path."""
        import petl

        if local_path is None:
            local_path = temp_path(".html")
        petl.tohtml(
            self.table,
            source=local_path,
            encoding=encoding,
            errors=errors,
            caption=caption,
            index_header=index_header,
            tr_style=tr_style,
            td_styles=td_styles,
            truncate=truncate,
        )
        return str(local_path)

    # --- Parquet ----------------------------------------------------------------------------------

    def to_parquet(self, local_path: str | None = None, **parquet_args: Any) -> str:
        """Write the table as Parquet (via Arrow); a mixed-type column is refused by name."""
        import pyarrow.parquet as pq

        if local_path is None:
            local_path = temp_path(".parquet")
        pq.write_table(self.to_arrow(), local_path, **parquet_args)
        return str(local_path)

    @classmethod
    def from_parquet(cls, local_path: str | os.PathLike, **parquet_args: Any) -> Any:
        """A Table from a Parquet file."""
        import pyarrow.parquet as pq

        try:
            arrow = pq.read_table(local_path, **parquet_args)
        except FileNotFoundError:
            from turnout.errors import TableFileNotFoundError

            raise TableFileNotFoundError(str(local_path)) from None
        return cls(arrow)


def _column_or_nones(table: Any, name: str) -> list:
    if name in table.columns:
        return table.column_data(name)
    return [None] * table.num_rows


def _import_pandas(method: str) -> Any:
    try:
        import pandas
    except ImportError:
        raise TableError(
            f"{method} needs pandas, an optional extra: pip install 'turnout[pandas]'"
        ) from None
    return pandas
