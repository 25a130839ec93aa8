"""Column transforms: Parsons' results as plain values, and turnout's stricter errors."""

import pytest

from turnout import Table
from turnout.errors import ColumnExistsError, ColumnNotFoundError, ConversionError, TableError


def table():
    return Table([["a", "b", "c"], [1, "x", None], [2, "y", 3.5], [3, None, 1.0]])


@pytest.mark.parametrize(
    ("call", "columns", "rows"),
    [
        (lambda t: t.add_column("d", 0), ["a", "b", "c", "d"], [(1, "x", None, 0)]),
        (lambda t: t.add_column("d", index=0), ["d", "a", "b", "c"], [(None, 1, "x", None)]),
        (
            lambda t: t.add_column("d", lambda r: r["a"] * 2),
            ["a", "b", "c", "d"],
            [(1, "x", None, 2)],
        ),
        (
            lambda t: t.add_column("d", lambda r: r.a + 1, 1),
            ["a", "d", "b", "c"],
            [(1, 2, "x", None)],
        ),
        (lambda t: t.add_column("a", 9, if_exists="replace"), ["a", "b", "c"], [(9, "x", None)]),
        (lambda t: t.remove_column("b", "c"), ["a"], [(1,)]),
        (lambda t: t.remove_column(["b", "c"]), ["a"], [(1,)]),
        (lambda t: t.rename_column("a", "z"), ["z", "b", "c"], [(1, "x", None)]),
        (lambda t: t.rename_columns({"a": "z", "c": "y"}), ["z", "b", "y"], [(1, "x", None)]),
        (lambda t: t.fill_column("b", "f"), ["a", "b", "c"], [(1, "f", None)]),
        (lambda t: t.fill_column("b", lambda r: r["a"] + 10), ["a", "b", "c"], [(1, 11, None)]),
        (lambda t: t.fillna_column("c", 0), ["a", "b", "c"], [(1, "x", 0)]),
        (lambda t: t.move_column("c", 0), ["c", "a", "b"], [(None, 1, "x")]),
        (lambda t: t.move_column("a", -1), ["b", "a", "c"], [("x", 1, None)]),
        (lambda t: t.set_header(["x", "y", "z"]), ["x", "y", "z"], [(1, "x", None)]),
        (lambda t: t.coalesce_columns("c", ["c", "a"]), ["b", "c"], [("x", 1)]),
        (
            lambda t: t.coalesce_columns("n", ["c", "b"], remove_source_columns=False),
            ["a", "b", "c", "n"],
            [(1, "x", None, "x")],
        ),
    ],
)
def test_column_transforms_change_the_table_and_return_it(call, columns, rows):
    tbl = table()
    assert call(tbl) is tbl
    assert tbl.columns == columns
    assert list(tbl.data)[: len(rows)] == rows


def test_fillna_keeps_other_values_and_types():
    tbl = table().fillna_column("c", lambda row: row["a"] * 100)
    assert tbl["c"] == [100, 3.5, 1.0]
    assert [type(v) for v in tbl["c"]] == [int, float, float]


def test_coalesce_skips_falsy_values_as_parsons():
    tbl = Table([{"a": 0, "b": "", "c": "z"}, {"a": None, "b": None, "c": None}])
    tbl.coalesce_columns("d", ["a", "b", "c"])
    assert list(tbl) == [{"d": "z"}, {"d": None}]


def test_map_columns_as_documented():
    tbl = Table([{"fn": "Jane", "lastname": "Doe", "dob": "1980-01-01"}])
    column_map = {
        "first_name": ["fn", "first", "firstname"],
        "last_name": ["ln", "last", "lastname"],
        "date_of_birth": ["dob", "birthday"],
    }
    tbl.map_columns(column_map)
    assert list(tbl) == [{"first_name": "Jane", "last_name": "Doe", "date_of_birth": "1980-01-01"}]
    fuzzy = Table([{"F N": "Jane", "Last_Name": "Doe"}])
    fuzzy.map_columns({"first_name": ["fn"], "last_name": ["lastname"]}, exact_match=False)
    assert fuzzy.columns == ["first_name", "last_name"]


def test_map_and_coalesce_columns_as_documented():
    tbl = Table([{"first": None, "fn": "Jane", "lastname": "Doe", "dob": "1980-01-01"}])
    column_map = {
        "first_name": ["fn", "first", "firstname"],
        "last_name": ["ln", "last", "lastname"],
        "date_of_birth": ["dob", "birthday"],
    }
    tbl.map_and_coalesce_columns(column_map)
    assert list(tbl) == [{"first_name": "Jane", "last_name": "Doe", "date_of_birth": "1980-01-01"}]
    assert column_map["first_name"] == ["fn", "first", "firstname"]  # the caller's map is intact


def test_map_and_coalesce_prefers_an_existing_destination():
    tbl = Table([{"first_name": "Ann", "fn": "Jane"}, {"first_name": None, "fn": "Bo"}])
    tbl.map_and_coalesce_columns({"first_name": ["fn"]})
    assert list(tbl) == [{"first_name": "Ann"}, {"first_name": "Bo"}]


def test_type_stats_and_widths():
    tbl = table()
    assert tbl.get_column_types("a") == ["int"]
    assert tbl.get_column_types("b") == ["NoneType", "str"]
    assert tbl.get_columns_type_stats() == [
        {"name": "a", "type": ["int"]},
        {"name": "b", "type": ["NoneType", "str"]},
        {"name": "c", "type": ["NoneType", "float"]},
    ]
    assert Table([{"m": 1}, {"m": "x"}]).get_column_types("m") == ["int", "str"]
    assert tbl.get_column_max_width("b") == 4  # str(None) is 'None', as Parsons counts it
    assert Table([{"s": "é"}, {"s": "ab"}]).get_column_max_width("s") == 2
    assert Table([{"n": 12345}]).get_column_max_width("n") == 5
    assert Table([{"m": [1, 2]}]).get_column_max_width("m") == 6


def test_cut_returns_a_new_table():
    tbl = table()
    cut = tbl.cut("c", "a")
    assert cut is not tbl
    assert cut.columns == ["c", "a"]
    assert tbl.columns == ["a", "b", "c"]
    with pytest.raises(ColumnNotFoundError, match="'zz'"):
        tbl.cut("a", "zz")


def test_match_columns():
    tbl = Table([{"FIRST NAME": "a", "extra": 1, "Last": "b"}])
    tbl.match_columns(["first_name", "last", "zip"])
    assert list(tbl) == [{"first_name": "a", "last": "b", "zip": None}]
    kept = Table([{"x": 1, "y": 2}]).match_columns(["y"], if_extra_columns="ignore")
    assert kept.columns == ["y", "x"]
    with pytest.raises(TableError, match="missing column zip"):
        Table([{"x": 1}]).match_columns(["x", "zip"], if_missing_columns="fail")
    with pytest.raises(TableError, match="extra column y"):
        Table([{"x": 1, "y": 1}]).match_columns(["x"], if_extra_columns="fail")


def test_empty_column():
    assert Table([{"a": None}, {"a": None}]).empty_column("a") is True
    assert Table([{"a": None}, {"a": 0}]).empty_column("a") is False
    assert Table([{"a": None}, {"a": [1]}]).empty_column("a") is False


def test_normalized_column_name():
    assert Table.get_normalized_column_name(" First_Name ") == "firstname"


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda t: t.add_column("a"), ColumnExistsError, "'a' already exists"),
        (lambda t: t.rename_column("a", "b"), ColumnExistsError, "'b' already exists"),
        (lambda t: t.rename_column("zz", "q"), ColumnNotFoundError, "'zz'"),
        (lambda t: t.rename_columns({"a": "q", "zz": "r"}), ColumnNotFoundError, "'zz'"),
        (lambda t: t.rename_columns({"a": "b"}), ColumnExistsError, "'b'"),
        (lambda t: t.remove_column("a", "zz"), ColumnNotFoundError, "'zz'"),
        (lambda t: t.fill_column("zz", 1), ColumnNotFoundError, "'zz'"),
        (lambda t: t.fillna_column("zz", 1), ColumnNotFoundError, "'zz'"),
        (lambda t: t.move_column("zz", 0), ColumnNotFoundError, "'zz'"),
        (lambda t: t.set_header(["a"]), TableError, "1 names for 3 columns"),
        (lambda t: t.set_header(["a", "a", "b"]), ColumnExistsError, "repeat"),
        (lambda t: t.add_column("d", lambda r: 1 / (r["a"] - 2)), ConversionError, "row 1"),
        (lambda t: t.fill_column("b", lambda r: r["nope"]), ConversionError, "row 0"),
    ],
)
def test_errors_name_the_column_and_leave_the_table_unchanged(call, error, match):
    tbl = table()
    before = list(tbl)
    columns = tbl.columns
    with pytest.raises(error, match=match):
        call(tbl)
    assert tbl.columns == columns
    assert list(tbl) == before


def test_builtin_exceptions_still_catch_turnout_errors():
    with pytest.raises(ValueError):
        table().add_column("a")
    with pytest.raises(KeyError):
        table().remove_column("zz")
