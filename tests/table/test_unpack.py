"""unpack_dict, unpack_list, unpack_nested_columns_as_rows, long_table."""

import hashlib
import logging

import pytest

from turnout import Table
from turnout.errors import ColumnNotFoundError


def md5(*values):
    return hashlib.md5("".join(str(v) for v in values).encode()).hexdigest()


def people():
    return Table(
        [
            {"id": 1, "person": {"name": "Ann", "zip": "10001"}},
            {"id": 2, "person": {"name": "Bo"}},
            {"id": 3, "person": None},
        ]
    )


@pytest.mark.parametrize(
    ("kwargs", "columns", "first", "last"),
    [
        ({}, ["id", "person_name", "person_zip"], (1, "Ann", "10001"), (3, None, None)),
        ({"prepend": False}, ["id", "name", "zip"], (1, "Ann", "10001"), (3, None, None)),
        ({"prepend_value": "p"}, ["id", "p_name", "p_zip"], (1, "Ann", "10001"), (3, None, None)),
        ({"keys": ["zip"]}, ["id", "person_zip"], (1, "10001"), (3, None)),
        ({"missing": "-"}, ["id", "person_name", "person_zip"], (1, "Ann", "10001"), (3, "-", "-")),
        (
            {"include_original": True, "prepend": False},
            ["id", "person", "name", "zip"],
            (1, {"name": "Ann", "zip": "10001"}, "Ann", "10001"),
            (3, None, None, None),
        ),
    ],
)
def test_unpack_dict(kwargs, columns, first, last):
    tbl = people()
    assert tbl.unpack_dict("person", **kwargs) is tbl
    assert tbl.columns == columns
    rows = list(tbl.data)
    assert rows[0] == first
    assert rows[-1] == last


def test_unpack_dict_sees_every_rows_keys():
    rows = [{"d": {"a": i}} for i in range(6000)] + [{"d": {"a": 0, "late": "kept"}}]
    tbl = Table(rows).unpack_dict("d")
    assert tbl.columns == ["d_a", "d_late"]
    assert tbl["d_late"][-1] == "kept"


def test_colliding_key_keeps_its_prefix_with_a_warning(caplog):
    tbl = Table([{"id": "46273", "person": {"id": 1, "email": "a@x"}}])
    with caplog.at_level(logging.WARNING):
        tbl.unpack_dict("person", prepend=False)
    assert tbl.columns == ["id", "email", "person_id"]
    assert tbl[0] == {"id": "46273", "email": "a@x", "person_id": 1}
    assert "column 'id' already exists" in caplog.text
    assert "'person_id'" in caplog.text


def test_unpack_list_as_documented():
    tbl = Table([{"id": "5421", "name": "Jane Green", "phones": ["512-699-3334", "512-222-5478"]}])
    new = tbl.unpack_list("phones")
    assert list(new) == [
        {"id": "5421", "name": "Jane Green", "phones_0": "512-699-3334", "phones_1": "512-222-5478"}
    ]
    assert tbl.columns == ["id", "name", "phones"]  # unchanged without replace
    assert tbl.unpack_list("phones", replace=True) is tbl
    assert tbl.columns == ["id", "name", "phones_0", "phones_1"]


def test_unpack_list_options():
    tbl = Table([{"l": [1, 2, 3]}, {"l": "solo"}, {"l": None}])
    assert list(tbl.unpack_list("l", max_columns=2).data) == [(1, 2), ("solo", None), (None, None)]
    assert list(tbl.unpack_list("l", missing=0).data) == [(1, 2, 3), ("solo", 0, 0), (None, 0, 0)]
    kept = tbl.unpack_list("l", include_original=True)
    assert kept.columns == ["l", "l_0", "l_1", "l_2"]
    assert kept["l"] == [[1, 2, 3], "solo", None]


def test_unpack_list_name_collision(caplog):
    tbl = Table([{"l_0": "old", "l": ["new"]}])
    with caplog.at_level(logging.WARNING):
        result = tbl.unpack_list("l")
    assert result.columns == ["l_0", "l_0_2"]
    assert "already exists" in caplog.text


def test_long_table_as_documented():
    tbl = Table(
        [
            {
                "id": "5421",
                "name": "Jane Green",
                "emails": [{"home": "jane@gmail.com"}, {"work": "jane@mywork.com"}],
            }
        ]
    )
    long = tbl.long_table(["id"], "emails")
    assert list(long) == [
        {"id": "5421", "emails_home": "jane@gmail.com", "emails_work": None},
        {"id": "5421", "emails_home": None, "emails_work": "jane@mywork.com"},
    ]
    assert tbl.columns == ["id", "name"]


def test_long_table_options():
    tbl = Table([{"id": 1, "tags": ["a", None, "b"]}, {"id": 2, "tags": "c"}])
    long = tbl.long_table("id", "tags", key_rename={"id": "person_id"}, retain_original=True)
    assert list(long.data) == [(1, "a"), (1, "b"), (2, "c")]
    assert long.columns == ["person_id", "tags"]
    assert tbl.columns == ["id", "tags"]


def test_unpack_nested_columns_as_rows():
    tbl = Table(
        [
            {"id": 1, "x": "keep", "v": ["a", "b"]},
            {"id": 2, "x": "keep", "v": {"k1": "c", "k2": None}},
            {"id": 3, "x": "keep", "v": "scalar"},
        ]
    )
    long = tbl.unpack_nested_columns_as_rows("v")
    assert long.columns == ["uid", "id", "v", "value"]
    assert list(long.data) == [
        (md5(1, "0", "a"), 1, "0", "a"),
        (md5(1, "1", "b"), 1, "1", "b"),
        (md5(3, "0", "scalar"), 3, "0", "scalar"),
        (md5(2, "k1", "c"), 2, "k1", "c"),
    ]
    assert tbl.columns == ["id", "x"]  # Parsons removes the column from the original


def test_unpack_nested_columns_as_rows_expanded():
    tbl = Table(
        [
            {"id": 1, "v": ["a", "b"], "x": "p"},
            {"id": 2, "v": {"k": "c"}, "x": "q"},
            {"id": 3, "v": "scalar", "x": "r"},
        ]
    )
    wide = tbl.unpack_nested_columns_as_rows("v", expand_original=True)
    assert wide.columns == ["uid", "id", "x", "v", "v_value"]
    assert list(wide.data) == [
        (md5(3, "scalar", "r", None), 3, "r", "scalar", None),
        (md5(1, "0", "p", "a"), 1, "p", "0", "a"),
        (md5(1, "1", "p", "b"), 1, "p", "1", "b"),
        (md5(2, "k", "q", "c"), 2, "q", "k", "c"),
    ]
    limited = tbl.unpack_nested_columns_as_rows("v", expand_original=1)
    assert limited.columns == ["uid", "id", "v", "value"]


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.unpack_dict("nope"),
        lambda t: t.unpack_list("nope"),
        lambda t: t.unpack_nested_columns_as_rows("nope"),
        lambda t: t.long_table("id", "nope"),
    ],
)
def test_missing_column_is_named(call):
    with pytest.raises(ColumnNotFoundError, match="'nope'"):
        call(Table([{"id": 1}]))
    with pytest.raises(ColumnNotFoundError, match="'nope'"):
        call(Table())


def test_empty_tables_give_empty_results():
    assert Table([["id", "v"]]).unpack_dict("v").columns == ["id"]
    assert Table([["id", "v"]]).unpack_list("v").num_rows == 0
    assert Table([["id", "v"]]).unpack_nested_columns_as_rows("v").num_rows == 0
    assert Table([["id", "v"]]).unpack_nested_columns_as_rows("v", expand_original=2).num_rows == 0
    assert Table([["id", "v"]]).long_table("id", "v").num_rows == 0
