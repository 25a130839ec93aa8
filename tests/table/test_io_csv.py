"""CSV IO: Parsons' results (values as text, petl's writing), BOM, encodings, ragged rows."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from turnout.errors import (
    TableDecodeError,
    TableError,
    TableFileNotFoundError,
    TableFormatError,
)
from turnout.table import Table, io_csv


def read_text(path: str) -> str:
    with open(path, newline="") as file:
        return file.read()


def write_bytes(tmp_path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


# --- reading -----------------------------------------------------------------------------------


def test_from_csv_gives_every_value_as_text(tmp_path):
    path = write_bytes(tmp_path, "people.csv", b"id,name,n\r\n1,Lou,3.5\r\n2,Ann,\r\n")
    table = Table.from_csv(path)
    assert table.columns == ["id", "name", "n"]
    assert list(table) == [
        {"id": "1", "name": "Lou", "n": "3.5"},
        {"id": "2", "name": "Ann", "n": ""},
    ]


def test_empty_cells_are_empty_strings_quoted_or_not(tmp_path):
    path = write_bytes(tmp_path, "e.csv", b'a,b,c\n,"",x\n"",,\n')
    assert list(Table.from_csv(path)) == [
        {"a": "", "b": "", "c": "x"},
        {"a": "", "b": "", "c": ""},
    ]


def test_from_csv_strips_the_byte_order_mark(tmp_path):
    path = write_bytes(tmp_path, "bom.csv", b"\xef\xbb\xbfid,name\n1,Lou\n")
    table = Table.from_csv(path)
    assert table.columns == ["id", "name"]
    assert table["id"] == ["1"]


def test_byte_order_mark_stripped_on_the_csv_module_path(tmp_path):
    path = write_bytes(tmp_path, "bom.csv", b"\xef\xbb\xbfid;name\n1;Lou\n")
    table = Table.from_csv(path, delimiter=";", skipinitialspace=True)
    assert table.columns == ["id", "name"]


def test_newlines_inside_quoted_cells_are_kept(tmp_path):
    path = write_bytes(tmp_path, "nl.csv", b'a,b\r\n"line 1\r\nline 2","x\ny"\r\n')
    assert list(Table.from_csv(path)) == [{"a": "line 1\r\nline 2", "b": "x\ny"}]


def test_quotes_and_delimiters_inside_cells(tmp_path):
    path = write_bytes(tmp_path, "q.csv", b'a,b\n"say ""hi""","1,2"\n')
    assert list(Table.from_csv(path)) == [{"a": 'say "hi"', "b": "1,2"}]


def test_delimiter_and_quotechar_arguments(tmp_path):
    path = write_bytes(tmp_path, "d.csv", b"a|b\n'x|y'|2\n")
    table = Table.from_csv(path, delimiter="|", quotechar="'")
    assert list(table) == [{"a": "x|y", "b": "2"}]


def test_quote_nonnumeric_reads_unquoted_values_as_floats_like_csv(tmp_path):
    path = write_bytes(tmp_path, "n.csv", b'"a","b"\n1,"x"\n')
    table = Table.from_csv(path, quoting=csv.QUOTE_NONNUMERIC)
    assert list(table) == [{"a": 1.0, "b": "x"}]


def test_latin1_encoding(tmp_path):
    path = write_bytes(tmp_path, "l.csv", "name\nJosé\n".encode("latin-1"))
    assert Table.from_csv(path, encoding="latin-1")["name"] == ["José"]


def test_utf16_encoding(tmp_path):
    path = write_bytes(tmp_path, "u.csv", "a,b\nü,ß\n".encode("utf-16"))
    assert list(Table.from_csv(path, encoding="utf-16")) == [{"a": "ü", "b": "ß"}]


def test_bad_encoding_names_file_offset_and_encoding(tmp_path):
    path = write_bytes(tmp_path, "bad.csv", b"a,b\n1,caf\xe9\n")
    with pytest.raises(TableFormatError) as caught:
        Table.from_csv(path)
    message = str(caught.value)
    assert path in message
    assert "byte offset 9" in message
    assert "encoding=None" in message
    assert "utf-8" in message


def test_bad_encoding_offset_counts_the_byte_order_mark(tmp_path):
    path = write_bytes(tmp_path, "bad.csv", b"\xef\xbb\xbfa\n\xff\n")
    with pytest.raises(TableFormatError, match=r"byte offset 5 \(b'\\xff\\n'"):
        Table.from_csv(path)


def test_bad_encoding_with_explicit_encoding_argument(tmp_path):
    path = write_bytes(tmp_path, "bad.csv", b"a\n\xff\n")
    with pytest.raises(TableFormatError, match=r"byte offset 2 .*") as caught:
        Table.from_csv(path, encoding="ascii")
    assert "encoding='ascii'" in str(caught.value)


def test_bad_bytes_error_is_also_the_unicode_decode_error_parsons_raised(tmp_path):
    path = write_bytes(tmp_path, "bad.csv", b"a,b\n1,caf\xe9\n")
    with pytest.raises(UnicodeDecodeError) as caught:
        Table.from_csv(path)
    error = caught.value
    assert isinstance(error, TableDecodeError)
    assert isinstance(error, TableFormatError)
    assert str(error) == (
        f"{path} is not valid utf-8 text (encoding=None): byte offset 9 (b'\\xe9\\n'...) cannot "
        "be decoded (invalid continuation byte); pass the file's encoding, for example "
        "from_csv(path, encoding='latin-1')"
    )
    assert (error.encoding, error.start, error.end, error.reason) == (
        "utf-8",
        9,
        10,
        "invalid continuation byte",
    )


def test_bad_bytes_in_a_declared_encoding_is_a_unicode_decode_error(tmp_path):
    path = write_bytes(tmp_path, "bad.csv", b"a\n\xff\n")
    with pytest.raises(UnicodeDecodeError) as caught:
        Table.from_csv(path, encoding="ascii")
    assert (caught.value.encoding, caught.value.start, caught.value.end) == ("ascii", 2, 3)
    assert "byte offset 2 (b'\\xff\\n'...)" in str(caught.value)


def test_errors_replace_reads_bad_bytes(tmp_path):
    path = write_bytes(tmp_path, "bad.csv", b"a\nx\xffy\n")
    assert Table.from_csv(path, errors="replace")["a"] == ["x\ufffdy"]


def test_short_rows_and_blank_lines_read_as_parsons_does(tmp_path):
    path = write_bytes(tmp_path, "rag.csv", b"a,b\r\n1,2\r\n\r\n3\r\n,\r\n")
    assert list(Table.from_csv(path)) == [
        {"a": "1", "b": "2"},
        {"a": None, "b": None},
        {"a": "3", "b": None},
        {"a": "", "b": ""},
    ]


def test_single_column_blank_line_is_a_row_of_none(tmp_path):
    path = write_bytes(tmp_path, "one.csv", b"a\n1\n\n2\n")
    assert Table.from_csv(path)["a"] == ["1", None, "2"]


def test_long_row_raises_naming_the_line(tmp_path):
    path = write_bytes(tmp_path, "long.csv", b"a,b\n1,2\n3,4,5\n")
    with pytest.raises(TableFormatError) as caught:
        Table.from_csv(path)
    message = str(caught.value)
    assert "line 3 (data row 1) has 3 values but the header has 2 columns" in message
    assert "['3', '4', '5']" in message


@pytest.mark.parametrize("engine", ["auto", "python"])
def test_unterminated_quote_raises_naming_file_and_line(tmp_path, engine):
    # Regression: the open field swallowed "2,Bo\n" and record 2 was lost silently.
    path = write_bytes(tmp_path, "open.csv", b'id,name\n1,"Ana\n2,Bo\n')
    with pytest.raises(TableFormatError) as caught:
        Table.from_csv(path, engine=engine)
    message = str(caught.value)
    assert message.startswith(f"{path}: line 2: a quoted field starts here and is never closed")
    assert message.endswith("'Ana\\n2,Bo\\n'...")


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b'id,name\n1,Ana\n2,"Bo', 3),  # no line end after it
        (b'id,"name\n1,Ana\n', 1),  # in the header
        (b'name\n"Ana\nBo\n', 2),  # one column
        (b'a,b\r\n"x\r\ny","z\r\n3,4\r\n', 3),  # after a closed field spanning two lines
    ],
)
def test_unterminated_quote_names_the_line_it_opens_on(tmp_path, content, line):
    path = write_bytes(tmp_path, "open.csv", content)
    with pytest.raises(TableFormatError, match=f"open.csv: line {line}: a quoted field starts"):
        Table.from_csv(path)


def test_unterminated_quote_in_a_csv_string_and_with_a_given_header():
    with pytest.raises(TableFormatError, match="CSV string: line 1: a quoted field starts"):
        Table.from_csv_string('1,"Ana\n2,Bo\n', header=["id", "name"])


def test_closed_quoted_field_spanning_lines_still_reads(tmp_path):
    path = write_bytes(tmp_path, "ok.csv", b'a,b\n"x\ny",z\n3,"4"')
    assert list(Table.from_csv(path)) == [{"a": "x\ny", "b": "z"}, {"a": "3", "b": "4"}]


def test_lone_carriage_returns_end_lines_as_in_csv(tmp_path):
    path = write_bytes(tmp_path, "cr.csv", b"a,b\r1,2\r3,4\r")
    assert list(Table.from_csv(path)) == [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]


def test_lone_carriage_return_before_a_separator_ends_the_row_as_in_csv(tmp_path):
    path = write_bytes(tmp_path, "mid.csv", b"a,b\r\n1\r,2\r\n3,4\r\n")
    assert list(Table.from_csv(path)) == [
        {"a": "1", "b": None},
        {"a": "", "b": "2"},
        {"a": "3", "b": "4"},
    ]


def test_quote_in_the_middle_of_a_cell_is_literal(tmp_path):
    path = write_bytes(tmp_path, "mid.csv", b'a,b\nx"y,2\n"q"r,3\n')
    assert list(Table.from_csv(path)) == [{"a": 'x"y', "b": "2"}, {"a": "qr", "b": "3"}]


def test_repeated_header_names_get_a_suffix(tmp_path):
    path = write_bytes(tmp_path, "dup.csv", b"id,id,name\n1,2,x\n")
    table = Table.from_csv(path)
    assert table.columns == ["id", "id_2", "name"]
    assert table[0] == {"id": "1", "id_2": "2", "name": "x"}


def test_header_only_file_has_columns_and_no_rows(tmp_path):
    table = Table.from_csv(write_bytes(tmp_path, "h.csv", b"a,b\n"))
    assert table.columns == ["a", "b"]
    assert table.num_rows == 0


def test_empty_file_raises_value_error(tmp_path):
    with pytest.raises(ValueError, match="CSV file is empty"):
        Table.from_csv(write_bytes(tmp_path, "empty.csv", b""))


def test_missing_file_names_it(tmp_path):
    with pytest.raises(TableFormatError, match=r"nope\.csv"):
        Table.from_csv(str(tmp_path / "nope.csv"))


@pytest.mark.parametrize("name", ["nope.csv", "nope.csv.gz", "nope.zip"])
def test_missing_file_is_also_the_file_not_found_error_parsons_raised(tmp_path, name):
    path = str(tmp_path / name)
    with pytest.raises(FileNotFoundError) as caught:
        Table.from_csv(path)
    error = caught.value
    assert isinstance(error, TableFileNotFoundError)
    assert isinstance(error, TableFormatError)
    assert str(error) == f"file {path!r} does not exist"
    assert (error.errno, error.strerror, error.filename) == (2, "No such file or directory", path)


def test_missing_json_and_parquet_files_are_file_not_found_errors(tmp_path):
    json_path = str(tmp_path / "nope.json")
    with pytest.raises(TableFileNotFoundError, match=f"^file '{json_path}' does not exist$"):
        Table.from_json(json_path)
    parquet_path = str(tmp_path / "nope.parquet")
    with pytest.raises(FileNotFoundError, match=f"^file '{parquet_path}' does not exist$"):
        Table.from_parquet(parquet_path)


def test_header_argument_treats_first_line_as_data(tmp_path):
    path = write_bytes(tmp_path, "nh.csv", b"1,2\n3,4\n")
    assert list(Table.from_csv(path, header=["x", "y"])) == [
        {"x": "1", "y": "2"},
        {"x": "3", "y": "4"},
    ]


def test_gzip_and_zip_by_extension(tmp_path):
    content = b"a,b\n1,2\n"
    gz = tmp_path / "t.csv.gz"
    gz.write_bytes(gzip.compress(content))
    archive = tmp_path / "t.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("inner.csv", content)
    assert list(Table.from_csv(str(gz))) == [{"a": "1", "b": "2"}]
    assert list(Table.from_csv(str(archive))) == [{"a": "1", "b": "2"}]


def test_zip_with_two_members_is_refused(tmp_path):
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("a.csv", "a\n1\n")
        zipped.writestr("b.csv", "b\n1\n")
    with pytest.raises(TableFormatError, match="holds 2 files"):
        Table.from_csv(str(archive))


def test_from_csv_string():
    table = Table.from_csv_string('a,b\n1,"x,y"\n')
    assert list(table) == [{"a": "1", "b": "x,y"}]


def test_remote_paths_are_refused_with_a_clear_error():
    with pytest.raises(TableError, match="reads local files"):
        Table.from_csv("https://example.invalid/x.csv")


# --- writing -----------------------------------------------------------------------------------


def test_to_csv_writes_as_petl_does(tmp_path):
    table = Table(
        [
            {"a": 1, "b": "x,y", "c": None, "d": True, "e": 1.5},
            {"a": 2, "b": 'q"', "c": "", "d": False, "e": 1e-05},
        ]
    )
    path = table.to_csv(str(tmp_path / "out.csv"))
    assert path == str(tmp_path / "out.csv")
    assert read_text(path) == ('a,b,c,d,e\r\n1,"x,y",,True,1.5\r\n2,"q""",,False,1e-05\r\n')


def test_mixed_and_nested_values_are_written_with_str(tmp_path):
    table = Table([{"a": 1, "b": {"k": 1}}, {"a": "x", "b": [1, 2]}, {"a": None, "b": None}])
    assert table.to_csv_string() == "a,b\r\n1,{'k': 1}\r\nx,\"[1, 2]\"\r\n,\r\n"


def test_dates_and_datetimes_are_written_with_str():
    table = Table(
        [
            {"d": dt.date(2022, 1, 2), "t": dt.datetime(2022, 1, 2, 3, 4, 5)},
            {"d": None, "t": dt.datetime(2022, 1, 2, 3, 4, 5, 6)},
        ]
    )
    assert table.to_csv_string() == (
        "d,t\r\n2022-01-02,2022-01-02 03:04:05\r\n,2022-01-02 03:04:05.000006\r\n"
    )


def test_append_csv_to_gzip(tmp_path):
    path = Table([{"a": 1, "b": 2}]).to_csv(str(tmp_path / "app.csv.gz"))
    Table([{"a": 3, "b": 4}]).append_csv(path)
    assert list(Table.from_csv(path)) == [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]


def test_single_column_empty_cell_is_quoted_like_csv(tmp_path):
    assert Table([{"a": None}, {"a": "x"}]).to_csv_string() == 'a\r\n""\r\nx\r\n'


def test_to_csv_without_header_and_with_delimiter(tmp_path):
    table = Table([{"a": "1", "b": "2"}])
    path = table.to_csv(str(tmp_path / "o.csv"), write_header=False, delimiter="\t")
    assert read_text(path) == "1\t2\r\n"


def test_to_csv_quote_all_goes_through_csv(tmp_path):
    table = Table([{"a": "1", "b": None}])
    assert table.to_csv_string(quoting=csv.QUOTE_ALL) == '"a","b"\r\n"1",""\r\n'


def test_to_csv_temp_file_and_compression(tmp_path):
    table = Table([{"a": "1", "b": "2"}])
    plain = table.to_csv()
    assert plain.endswith(".csv")
    gz = table.to_csv(temp_file_compression="gzip")
    assert gz.endswith(".csv.gz")
    with gzip.open(gz) as file:
        assert file.read() == b"a,b\r\n1,2\r\n"
    zipped = table.to_csv(temp_file_compression="zip")
    assert zipped.endswith(".zip")
    assert list(Table.from_csv(zipped)) == [{"a": "1", "b": "2"}]


def test_to_csv_zip_member_name(tmp_path):
    path = Table([{"a": 1, "b": 2}]).to_csv(str(tmp_path / "out.zip"), csv_name="inner.csv")
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["inner.csv"]
        assert archive.read("inner.csv") == b"a,b\r\n1,2\r\n"


def test_to_zip_csv_append_adds_members(tmp_path):
    archive = str(tmp_path / "many.zip")
    Table([{"a": 1, "b": 2}]).to_zip_csv(archive, csv_name="one.csv")
    Table([{"a": 3, "b": 4}]).to_zip_csv(archive, csv_name="two.csv", if_exists="append")
    with zipfile.ZipFile(archive) as zipped:
        assert sorted(zipped.namelist()) == ["one.csv", "two.csv"]
        assert zipped.read("two.csv") == b"a,b\r\n3,4\r\n"


def test_append_csv(tmp_path):
    path = Table([{"a": 1, "b": 2}]).to_csv(str(tmp_path / "app.csv"))
    Table([{"a": 3, "b": 4}]).append_csv(path)
    assert read_text(path) == "a,b\r\n1,2\r\n3,4\r\n"


def test_to_csv_encoding(tmp_path):
    table = Table([{"name": "José", "n": 1}])
    path = table.to_csv(str(tmp_path / "l.csv"), encoding="latin-1")
    with open(path, "rb") as file:
        assert file.read() == "name,n\r\nJosé,1\r\n".encode("latin-1")
    with pytest.raises(TableError, match="encoding='ascii'"):
        table.to_csv(str(tmp_path / "a.csv"), encoding="ascii")


def test_empty_table_writes_its_header(tmp_path):
    table = Table.from_csv_string("a,b\n")
    assert table.to_csv_string() == "a,b\r\n"


def read_bytes(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()


def test_to_csv_one_column_table_to_a_path_and_a_temp_file(tmp_path):
    # Regression: polars' options (separator=...) were passed to csv.writer -> TypeError.
    table = Table([{"a": 1}])
    assert read_bytes(table.to_csv(str(tmp_path / "x.csv"))) == b"a\r\n1\r\n"
    assert read_bytes(table.to_csv()) == b"a\r\n1\r\n"
    with gzip.open(table.to_csv(str(tmp_path / "x.csv.gz")), "rb") as file:
        assert file.read() == b"a\r\n1\r\n"
    assert read_bytes(table.append_csv(str(tmp_path / "x.csv"))) == b"a\r\n1\r\n1\r\n"


def test_to_csv_one_column_keeps_csv_arguments(tmp_path):
    table = Table([{"a": "x;y"}, {"a": None}])
    path = table.to_csv(str(tmp_path / "d.csv"), delimiter=";", lineterminator="\n")
    assert read_bytes(path) == b'a\n"x;y"\n""\n'


def test_to_csv_table_without_columns_writes_an_empty_header_line(tmp_path):
    # petl.tocsv(petl.fromdicts([])) writes b"\r\n" (an empty header row).
    assert read_bytes(Table().to_csv(str(tmp_path / "e.csv"))) == b"\r\n"
    assert read_bytes(Table([]).to_csv()) == b"\r\n"
    assert read_bytes(Table().to_csv(str(tmp_path / "n.csv"), write_header=False)) == b""


# --- properties --------------------------------------------------------------------------------

_TEXT = st.text(alphabet=st.sampled_from(list('ab ,"\r\n\té;')), max_size=6)
_VALUES = st.one_of(
    st.none(),
    _TEXT,
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)


@st.composite
def tables(draw, values=_VALUES):
    width = draw(st.integers(min_value=1, max_value=4))
    names = [f"c{index}" for index in range(width)]
    height = draw(st.integers(min_value=0, max_value=6))
    column_kind = [draw(st.sampled_from(["text", "typed", "any"])) for _ in names]
    rows = []
    for _ in range(height):
        row = {}
        for name, kind in zip(names, column_kind):
            if kind == "text":
                row[name] = draw(st.one_of(st.none(), _TEXT))
            elif kind == "typed":
                row[name] = draw(st.one_of(st.none(), st.floats(allow_nan=False)))
            else:
                row[name] = draw(values)
        rows.append(row)
    return Table(rows) if rows else Table.from_columns({name: [] for name in names})


def _reference_csv(table: Table) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(table.columns)
    for row in table:
        writer.writerow(row.values())
    return buffer.getvalue()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_written_csv_is_byte_for_byte_what_csv_writer_gives(table):
    assert table.to_csv_string() == _reference_csv(table)


@settings(max_examples=150, deadline=None)
@given(tables())
def test_csv_round_trip_keeps_values_as_text(table):
    text = table.to_csv_string()
    back = Table.from_csv_string(text)
    expected = [
        {name: "" if value is None else str(value) for name, value in row.items()} for row in table
    ]
    assert back.columns == table.columns
    assert list(back) == expected


_PIECES = [b"a", b",", b'"', b"\n", b"\r", b"\r\n", b" ", b"\xff", b"\xc3\xa9", b"\xef\xbb\xbf"]


def _outcome(read):
    try:
        table = read()
    except TableFormatError:
        return "error"
    return table.columns, [list(row.items()) for row in table]


@settings(max_examples=120, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=30))
def test_fast_reader_agrees_with_the_csv_module(tmp_path_factory, pieces):
    data = b"".join(pieces)
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_bytes(data)

    reference = _outcome(lambda: io_csv.read_csv(Table, data, "s", engine="python"))
    assert _outcome(lambda: io_csv.read_csv(Table, data, "s")) == reference
    assert _outcome(lambda: Table.from_csv(str(path))) == reference
