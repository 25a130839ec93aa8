"""CSV reading and writing with Parsons' results, on polars' parser and writer.

Reading. Every value is text, as in Parsons: an empty cell is "", a short row is padded with
None (petl's reading), a blank line is a row of None. A row with more values than the header
raises TableFormatError naming the line, where Parsons drops the extra values silently. A
UTF-8 byte-order mark is stripped from the first column name. polars parses the common case;
whenever its result could differ from Python's csv module (a short row, a blank line, a lone
carriage return, unusual csv arguments, a quoting polars refuses) the file is read again with
the csv module, which is the reference behaviour.

Writing. Values are written as petl's csv writer writes them: None as an empty cell, other
values as `str(value)` (True, 1.5, {'a': 1}), lines ending in \\r\\n, quotes only where needed.
Typed columns are stringified by polars (checked to match `str`), mixed columns per value.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
from collections.abc import Iterable
from typing import Any

import polars as pl

from turnout.errors import TableDecodeError, TableError, TableFormatError
from turnout.table.io_files import canonical_encoding, open_binary_writer
from turnout.table.storage import column_values

logger = logging.getLogger(__name__)

_UTF8 = ("utf-8", "utf-8-sig")
_HEAD = 1 << 20
_CR, _LF = 13, 10
_SCAN_CHUNK = 1 << 23
_WRITE_CHUNK_ROWS = 200_000
# Python prints floats below this magnitude in exponent form (1e-05); polars does not.
_SMALL_FLOAT = 1e-4
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


# --- reading -----------------------------------------------------------------------------------


def read_csv(
    table_class: Any,
    data: bytes,
    source: str,
    *,
    encoding: str | None = None,
    errors: str = "strict",
    header: list[str] | None = None,
    engine: str = "auto",
    **csvargs: Any,
) -> Any:
    """A Table of text values from the bytes of a CSV file; `source` names it in errors.

    `engine='python'` skips polars and reads with the csv module only (the reference).
    """
    # TODO: the whole file is held in memory next to the Table it becomes (about twice the
    # file's size at the peak); reading it in batches would bound that by the batch, but each
    # batch needs the same exactness checks, and a quoted cell may span two batches.
    options = polars_read_options(csvargs) if engine == "auto" else None
    if not data:
        raise TableFormatError(f"CSV file is empty: {source}")
    utf8 = to_utf8(data, source, encoding, errors)
    if options is not None:
        table = _read_with_polars(table_class, _BytesInput(utf8), header, options)
        if table is not None:
            return table
        logger.debug("%s: polars' reading could differ from csv's; reading with csv", source)
    try:
        utf8.decode("utf-8")
    except UnicodeDecodeError as error:
        # Offsets count from the start of the file, byte-order mark included.
        stripped = len(data) - len(utf8) if canonical_encoding(encoding) in _UTF8 else 0
        raise _decode_error(error, source, encoding, stripped) from None
    return read_csv_python(table_class, utf8, source, header=header, **csvargs)


class _BytesInput:
    """The CSV content, as the fast path's checks look at it."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.polars_source: Any = data

    def head(self, size: int) -> bytes:
        return self.data[:size]

    def last_line(self) -> bytes | None:
        """The bytes after the last line end."""
        return self.data[self.data.rfind(b"\n") + 1 :]

    def ends_with_newline(self) -> bool:
        return self.data.endswith(b"\n")

    def has_lone_carriage_return(self) -> bool:
        """True when a carriage return is not followed by a line feed."""
        data = self.data
        if b"\r" not in data:
            return False
        if data.endswith(b"\r"):
            return True
        try:
            import numpy
        except ImportError:  # numpy is optional: count both instead (two passes)
            return data.count(b"\r") != data.count(b"\r\n")
        octets = numpy.frombuffer(data, dtype=numpy.uint8)
        # In chunks, so the comparison's temporary array stays small.
        for start in range(0, len(octets) - 1, _SCAN_CHUNK):
            chunk = octets[start : start + _SCAN_CHUNK]
            positions = numpy.flatnonzero(chunk == _CR) + start + 1
            if len(positions) and (octets[positions] != _LF).any():
                return True
        return False

    def count(self, byte: bytes) -> int:
        return self.data.count(byte)


def to_utf8(data: bytes, source: str, encoding: str | None, errors: str = "strict") -> bytes:
    """The content as UTF-8 without a byte-order mark; names file, offset and encoding if bad."""
    name = canonical_encoding(encoding)
    if name in _UTF8 and errors == "strict":
        # polars validates the bytes as it reads them and drops a byte-order mark; the csv path
        # validates them up front and decodes with utf-8-sig. No copy is made.
        return data
    try:
        text = data.decode("utf-8-sig" if name in _UTF8 else name, errors)
    except UnicodeDecodeError as error:
        raise _decode_error(error, source, encoding) from None
    return text.removeprefix("\ufeff").encode("utf-8")


def _decode_error(
    error: UnicodeDecodeError, source: str, encoding: str | None, skipped: int = 0
) -> TableDecodeError:
    bad = error.object[error.start : error.start + 4]
    return TableDecodeError(
        f"{source} is not valid {canonical_encoding(encoding)} text (encoding={encoding!r}): "
        f"byte offset {error.start + skipped} ({bad!r}...) cannot be decoded ({error.reason}); "
        "pass the file's encoding, for example from_csv(path, encoding='latin-1')",
        error,
    )


def polars_read_options(csvargs: dict[str, Any]) -> dict[str, Any] | None:
    """polars' options for these csv.reader arguments, None where only csv reads them right."""
    allowed = {"delimiter", "quotechar", "quoting", "doublequote", "lineterminator", "strict"}
    if set(csvargs) - allowed or csvargs.get("doublequote", True) is not True:
        return None
    if csvargs.get("strict", False):
        return None
    delimiter = csvargs.get("delimiter", ",")
    quotechar = csvargs.get("quotechar", '"')
    quoting = csvargs.get("quoting", csv.QUOTE_MINIMAL)
    if quoting not in (csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONE):
        return None
    for char in (delimiter, quotechar):
        if not isinstance(char, str) or len(char) != 1 or not char.isascii() or char in "\r\n":
            return None
    if delimiter == quotechar:
        return None
    return {
        "separator": delimiter,
        "quote_char": None if quoting == csv.QUOTE_NONE else quotechar,
    }


def _read_with_polars(
    table_class: Any,
    data: _BytesInput,
    header: list[str] | None,
    options: dict[str, Any],
) -> Any | None:
    """The Table polars reads, or None where its reading might differ from csv's.

    The checks are cheap where the answer is clear and thorough only where it is not: the
    header as csv reads it must be what polars reads; a last line without a line end is looked
    at on its own (polars drops empty cells beyond the header's width there); a null in the
    last column (an empty cell, or a short row or blank line, which csv reads differently)
    makes the separators and line ends of the whole file be counted against what polars found.
    """
    raw_header = header if header is not None else _first_record(data, options)
    if not raw_header:
        return None
    width = len(raw_header)
    try:
        frame = pl.read_csv(
            data.polars_source,
            has_header=False,
            new_columns=[f"c{index}" for index in range(width)],
            infer_schema=False,
            raise_if_empty=False,
            **options,
        )
    except pl.exceptions.PolarsError:
        # Ragged rows, quotes polars refuses, bytes that are not UTF-8: the csv module decides
        # (and names the line or the byte).
        return None
    if frame.width != width:
        return None
    if header is None:
        if not frame.height or [cell or "" for cell in frame.row(0)] != raw_header:
            return None
        frame = frame.slice(1)

    separator = options["separator"].encode()
    quote = options["quote_char"]
    if not data.ends_with_newline():
        tail = data.last_line()
        if (
            tail is None
            or (quote is not None and quote.encode() in tail)
            or b"\r" in tail
            or tail.count(separator) != width - 1
        ):
            return None
    if data.has_lone_carriage_return():
        # csv ends a line at a lone \r; polars drops one at the end of a cell.
        return None
    if frame.width and frame.get_column(frame.columns[-1]).null_count():
        if width == 1 or not _structure_adds_up(data, frame, raw_header, options, header is None):
            return None
        frame = frame.with_columns(pl.all().fill_null(""))
    elif any(series.null_count() for series in frame.get_columns()):
        frame = frame.with_columns(pl.all().fill_null(""))

    from turnout.table.construction import unique_names

    names = unique_names(raw_header)
    columns = {name: series.rename(name) for name, series in zip(names, frame.get_columns())}
    return table_class._from_columns_unchecked(columns, frame.height)


def _first_record(data: _BytesInput, options: dict[str, Any]) -> list[str] | None:
    """The header row as csv reads it (polars renames repeated names; turnout's rule differs).

    None when it cannot be told from the first megabyte, or is not valid UTF-8.
    """
    head = data.head(_HEAD)
    text = io.TextIOWrapper(io.BytesIO(head), encoding="utf-8-sig", newline="")
    quoting = csv.QUOTE_NONE if options["quote_char"] is None else csv.QUOTE_MINIMAL
    reader = csv.reader(
        text,
        delimiter=options["separator"],
        quotechar=options["quote_char"] or '"',
        quoting=quoting,
    )
    try:
        record = next(reader)
        if len(head) == _HEAD and next(reader, None) is None:
            return None  # the header may go on past the part read
        return record
    except (StopIteration, csv.Error, UnicodeDecodeError):
        return None


def _structure_adds_up(
    data: _BytesInput,
    frame: pl.DataFrame,
    raw_header: list[str],
    options: dict[str, Any],
    has_header_row: bool,
) -> bool:
    """True when every separator and line end polars saw as structure is one csv sees too."""
    separator = options["separator"]
    records = frame.height + has_header_row
    counted = [
        pl.all().str.count_matches(separator, literal=True).sum().name.prefix("s"),
        pl.all().str.count_matches("\n", literal=True).sum().name.prefix("n"),
    ]
    counts = [int(count or 0) for count in frame.select(counted).row(0)] if frame.width else []
    width = frame.width
    in_values_separators, in_values_newlines = sum(counts[:width]), sum(counts[width:])
    header_text = raw_header if has_header_row else []
    expected_separators = (
        (width - 1) * records + in_values_separators + sum(n.count(separator) for n in header_text)
    )
    expected_newlines = (
        records
        - (not data.ends_with_newline())
        + in_values_newlines
        + sum(name.count("\n") for name in header_text)
    )
    if data.count(separator.encode()) != expected_separators:
        return False
    return data.count(b"\n") == expected_newlines


def read_csv_python(
    table_class: Any, data: bytes, source: str, *, header: list[str] | None = None, **csvargs: Any
) -> Any:
    """The reference reading, with Python's csv module (the one petl and Parsons use)."""
    from turnout.table.construction import unique_names

    lines = _Lines(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline=""))
    reader = csv.reader(lines, **csvargs)
    try:
        start = reader.line_num + 1
        raw_header = list(header) if header is not None else next(reader, [])
        if header is None and lines.exhausted and raw_header:
            raise _unterminated_quote(raw_header, start, source)
        width = len(raw_header)
        rows = []
        start = reader.line_num + 1
        for row in reader:
            if lines.exhausted:
                raise _unterminated_quote(row, start, source)
            if len(row) != width:
                row = _fit_row(row, width, len(rows), reader.line_num, source)
            rows.append(row)
            start = reader.line_num + 1
    except csv.Error as error:
        raise TableFormatError(f"{source}: line {reader.line_num}: {error}") from error

    names = unique_names(raw_header)
    values = [list(column) for column in zip(*rows)] if rows else [[] for _ in names]
    return table_class.from_columns(dict(zip(names, values)))


class _Lines:
    """The file's lines for csv.reader; `exhausted` tells when csv asked past the last one.

    csv (not strict) ends a quoted field left open at the end of the file silently, swallowing
    every line after the quote into one value; a record that comes only after the lines ran
    out is such a field.
    """

    # TODO: a quoted field closed by a quote that is not followed by a separator
    # ('1,"Ana\n2,Bo\n3,"Cy"') still swallows the lines in between, as csv and Parsons read it
    # ('"q"r' is 'qr'); telling that from intended data needs csv's strict mode, which refuses
    # the single-line form Parsons accepts.

    def __init__(self, text: io.TextIOWrapper) -> None:
        self._lines = iter(text)
        self.exhausted = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        try:
            return next(self._lines)
        except StopIteration:
            self.exhausted = True
            raise


def _unterminated_quote(record: list[str], start: int, source: str) -> TableFormatError:
    # The open field is the record's last; the fields before it may span lines too.
    line = start + sum(len(_LINE_BREAK.findall(value)) for value in record[:-1])
    return TableFormatError(
        f"{source}: line {line}: a quoted field starts here and is never closed (no closing "
        f"quote before the end of the file); it would swallow every line after it: "
        f"{record[-1][:40]!r}..."
    )


def _fit_row(row: list, width: int, index: int, line: int, source: str) -> list:
    if len(row) > width:
        raise TableFormatError(
            f"{source}: line {line} (data row {index}) has {len(row)} values but the header has "
            f"{width} columns; the extra values would be lost: {row!r}"
        )
    # A short row (or a blank line) is padded with None, as Parsons reads it.
    return row + [None] * (width - len(row))


# --- writing -----------------------------------------------------------------------------------


def write_csv(
    table: Any,
    path: str | os.PathLike,
    *,
    encoding: str | None = None,
    errors: str = "strict",
    write_header: bool = True,
    append: bool = False,
    csv_name: str | None = None,
    zip_mode: str = "w",
    **csvargs: Any,
) -> None:
    """Write `table` as CSV to `path` (gzip or zip by its name), as petl's tocsv writes it."""
    options = polars_write_options(csvargs)
    # The csv writer takes csv.writer's arguments, never polars' (separator=...).
    if _needs_python_writer(table, options):
        writer, settings = _write_python, csvargs
    else:
        writer, settings = _write_polars, options
    codec = canonical_encoding(encoding)
    with open_binary_writer(path, append=append, csv_name=csv_name, zip_mode=zip_mode) as file:
        if codec == "utf-8-sig" and not append:
            file.write(b"\xef\xbb\xbf")
        writer(table, file, codec, errors, write_header, settings)


def _needs_python_writer(table: Any, options: dict[str, Any] | None) -> bool:
    # One column: csv writes an empty cell as "" so the line is not blank; polars does not.
    names = table.columns
    return options is None or len(names) < 2 or "" in names


def polars_write_options(csvargs: dict[str, Any]) -> dict[str, Any] | None:
    """polars' options for these csv.writer arguments, None where only csv writes them right."""
    allowed = {"delimiter", "quotechar", "lineterminator", "quoting", "doublequote"}
    if set(csvargs) - allowed or csvargs.get("doublequote", True) is not True:
        return None
    if csvargs.get("quoting", csv.QUOTE_MINIMAL) != csv.QUOTE_MINIMAL:
        return None
    delimiter = csvargs.get("delimiter", ",")
    quotechar = csvargs.get("quotechar", '"')
    terminator = csvargs.get("lineterminator", "\r\n")
    for char in (delimiter, quotechar):
        if not isinstance(char, str) or len(char) != 1 or not char.isascii() or char in "\r\n":
            return None
    if delimiter == quotechar or terminator not in ("\r\n", "\n"):
        return None
    return {"separator": delimiter, "quote_char": quotechar, "line_terminator": terminator}


def _write_polars(
    table: Any, file: Any, codec: str, errors: str, write_header: bool, options: dict[str, Any]
) -> None:
    frame = pl.DataFrame([text_column(table._column_store(name), name) for name in table.columns])
    # csv writes "" as an empty cell; polars would quote it. Empty strings become nulls.
    frame = frame.with_columns(
        pl.when(pl.col(name).str.len_bytes() == 0).then(None).otherwise(pl.col(name)).alias(name)
        for name in frame.columns
    )
    if table.num_rows == 0:
        frame = frame.clear()
    settings = {"null_value": "", "quote_style": "necessary", **options}
    if codec in _UTF8:
        frame.write_csv(file, include_header=write_header, **settings)
        return
    for start in range(0, max(frame.height, 1), _WRITE_CHUNK_ROWS):
        chunk = frame.slice(start, _WRITE_CHUNK_ROWS)
        text = chunk.write_csv(include_header=write_header and start == 0, **settings)
        file.write(_encode(text, codec, errors))


def _encode(text: str, codec: str, errors: str) -> bytes:
    if codec in _UTF8:
        return text.encode("utf-8")
    try:
        return text.encode(codec, errors)
    except UnicodeEncodeError as error:
        raise TableError(
            f"cannot write {text[error.start : error.end]!r} in {codec} (encoding={codec!r}); "
            "choose an encoding that holds it, or errors='replace'"
        ) from error


def text_column(column: Any, name: str) -> pl.Series:
    """The column as CSV text: None stays null (an empty cell), other values `str(value)`."""
    if isinstance(column, pl.Series):
        dtype = column.dtype
        if dtype == pl.String:
            text = column
        elif dtype == pl.Null:
            return pl.Series(name, [None] * len(column), dtype=pl.String)
        elif dtype.is_integer():
            text = column.cast(pl.String)
        elif dtype == pl.Boolean:
            text = pl.select(
                pl.when(column).then(pl.lit("True")).otherwise(pl.lit("False"))
            ).to_series()
            text = text.set(column.is_null(), None) if column.null_count() else text
        elif dtype.is_float():
            text = _float_text(column)
        else:
            text = _python_text(column.to_list(), name)
    else:
        text = _python_text(column, name)
    return text.rename(name)


def _float_text(column: pl.Series) -> pl.Series:
    text = column.cast(pl.String)
    # polars and Python agree except below 1e-4 (0.00001 vs 1e-05) and for NaN (NaN vs nan).
    odd = (column.abs() < _SMALL_FLOAT) & (column != 0) | column.is_nan()
    if odd.any():
        indices = odd.arg_true()
        fixed = [str(value) for value in column.gather(indices).to_list()]
        text = text.scatter(indices, fixed)
    return text


def _python_text(values: Iterable[Any], name: str) -> pl.Series:
    return pl.Series(
        name,
        [
            value if type(value) is str else None if value is None else str(value)
            for value in values
        ],
        dtype=pl.String,
    )


def _write_python(
    table: Any, file: Any, codec: str, errors: str, write_header: bool, csvargs: dict[str, Any]
) -> None:
    """The reference writing, with Python's csv module (the one petl and Parsons use)."""
    text = io.TextIOWrapper(
        file, encoding="utf-8" if codec in _UTF8 else codec, errors=errors, newline=""
    )
    try:
        writer = csv.writer(text, **csvargs)
        if write_header:
            writer.writerow(table.columns)
        columns = [column_values(table._column_store(name)) for name in table.columns]
        writer.writerows(zip(*columns))
        text.flush()
    except UnicodeEncodeError as error:
        raise TableError(
            f"cannot write {error.object[error.start : error.end]!r} in {codec} "
            f"(encoding={codec!r}); choose an encoding that holds it, or errors='replace'"
        ) from error
    finally:
        text.detach()


def table_to_csv_string(table: Any, **csvargs: Any) -> str:
    """The whole table as CSV text."""
    buffer = io.BytesIO()
    options = polars_write_options(csvargs)
    if _needs_python_writer(table, options):
        _write_python(table, buffer, "utf-8", "strict", True, csvargs)
    else:
        _write_polars(table, buffer, "utf-8", "strict", True, options)
    return buffer.getvalue().decode("utf-8")
