"""JSON IO: lists and line-delimited files, types intact, every key seen."""

from __future__ import annotations

import gzip
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from turnout.errors import TableError, TableFormatError
from turnout.table import Table


def read_text(path: str) -> str:
    with open(path, encoding="utf-8") as file:
        return file.read()


def test_to_json_list_layout(tmp_path):
    table = Table([{"a": 1, "b": "é"}, {"a": 2.5, "b": None}])
    path = table.to_json(str(tmp_path / "t.json"))
    assert read_text(path) == '[{"a":1,"b":"é"},\n{"a":2.5,"b":null}]'


def test_to_json_line_delimited(tmp_path):
    table = Table([{"a": 1, "b": {"k": [1, 2]}}, {"a": 2, "b": True}])
    path = table.to_json(str(tmp_path / "t.jsonl"), line_delimited=True)
    assert read_text(path) == '{"a":1,"b":{"k":[1,2]}}\n{"a":2,"b":true}'


def test_to_json_empty_table(tmp_path):
    assert read_text(Table().to_json(str(tmp_path / "e.json"))) == "[]"


def test_to_json_keeps_nan_as_python_json_writes_it(tmp_path):
    path = Table([{"a": float("nan")}, {"a": 1.0}]).to_json(str(tmp_path / "n.json"))
    assert read_text(path) == '[{"a": NaN},\n{"a": 1.0}]'
    back = Table.from_json(path)["a"]
    assert back[0] != back[0]
    assert back[1] == 1.0


def test_to_json_gzip_temp_file():
    path = Table([{"a": 1}]).to_json(temp_file_compression="gzip")
    assert path.endswith(".json.gz")
    with gzip.open(path, "rt") as file:
        assert json.load(file) == [{"a": 1}]


def test_to_json_refuses_zip(tmp_path):
    with pytest.raises(TableError, match="zip"):
        Table([{"a": 1}]).to_json(str(tmp_path / "t.zip"))


def test_from_json_sees_every_key(tmp_path):
    rows = [{"a": index} for index in range(1200)] + [{"a": 1200, "b": "late"}]
    path = tmp_path / "late.json"
    path.write_text(json.dumps(rows))
    table = Table.from_json(str(path))
    assert table.columns == ["a", "b"]
    assert table[1200] == {"a": 1200, "b": "late"}
    assert table[0] == {"a": 0, "b": None}


def test_from_json_header_picks_and_orders_columns(tmp_path):
    path = tmp_path / "h.json"
    path.write_text('[{"a": 1, "b": 2}, {"b": 3}]')
    table = Table.from_json(str(path), header=["b", "a", "z"])
    assert list(table) == [{"b": 2, "a": 1, "z": None}, {"b": 3, "a": None, "z": None}]


def test_from_json_line_delimited_typed_columns(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"id": 1, "name": "Lou", "ok": true}\n{"id": 2, "name": null, "ok": false}\n')
    table = Table.from_json(str(path), line_delimited=True)
    assert list(table) == [
        {"id": 1, "name": "Lou", "ok": True},
        {"id": 2, "name": None, "ok": False},
    ]


def test_from_json_line_delimited_mixed_types_stay_exact(tmp_path):
    path = tmp_path / "m.jsonl"
    path.write_text('{"a": 1, "b": {"k": 1}}\n{"a": "x", "b": {"j": 2}}\n{"a": 2.0}\n\n')
    table = Table.from_json(str(path), line_delimited=True)
    assert table["a"] == [1, "x", 2.0]
    assert [type(value) for value in table["a"]] == [int, str, float]
    assert table["b"] == [{"k": 1}, {"j": 2}, None]


def test_from_json_line_delimited_ints_and_floats_are_not_merged(tmp_path):
    path = tmp_path / "f.jsonl"
    path.write_text('{"a": 1}\n{"a": 2.5}\n')
    values = Table.from_json(str(path), line_delimited=True)["a"]
    assert values == [1, 2.5]
    assert type(values[0]) is int


def test_repeated_keys_and_lone_surrogates_read_as_json_does(tmp_path):
    path = tmp_path / "odd.jsonl"
    path.write_text('{"a": 1, "a": 2, "s": "x\\ud800y"}\n{"a": 3, "s": "\\u00e9"}\n')
    table = Table.from_json(str(path), line_delimited=True)
    assert list(table) == [{"a": 2, "s": "x\ud800y"}, {"a": 3, "s": "é"}]


def test_integers_beyond_64_bits_stay_exact(tmp_path):
    big = 123456789012345678901234567890
    lines = tmp_path / "big.jsonl"
    lines.write_text(f'{{"a": {big}}}\n{{"a": -9223372036854775809}}\n')
    assert Table.from_json(str(lines), line_delimited=True)["a"] == [big, -9223372036854775809]
    document = tmp_path / "big.json"
    document.write_text(f'[{{"a": {big}, "b": "x"}}]')
    assert Table.from_json(str(document))["a"] == [big]


def test_from_json_line_delimited_gzip_and_header(tmp_path):
    path = tmp_path / "t.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"a": 1, "b": 2}\n{"a": 3}\n'))
    table = Table.from_json(str(path), header=["b"], line_delimited=True)
    assert list(table) == [{"b": 2}, {"b": None}]


def test_from_json_bad_line_names_it(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"a": 1}\n{"a": \n')
    with pytest.raises(TableFormatError, match="line 2 is not valid JSON"):
        Table.from_json(str(path), line_delimited=True)


def test_from_json_not_objects(tmp_path):
    path = tmp_path / "list.json"
    path.write_text("[1, 2]")
    with pytest.raises(TableFormatError, match="item 0 is a JSON int"):
        Table.from_json(str(path))


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=5,
)


@st.composite
def json_tables(draw):
    names = draw(
        st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4, unique=True)
    )
    uniform = draw(st.booleans())
    rows = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        if uniform:
            rows.append(
                {
                    name: draw(st.one_of(st.none(), st.integers(0, 9), st.text(max_size=3)))
                    for name in names
                }
            )
        else:
            rows.append({name: draw(_JSON_VALUES) for name in names})
    return rows


@settings(max_examples=70, deadline=None)
@given(json_tables(), st.booleans())
def test_json_round_trip_keeps_values_and_types(tmp_path_factory, rows, line_delimited):
    path = str(tmp_path_factory.mktemp("json") / "t.json")
    Table(rows).to_json(path, line_delimited=line_delimited)
    back = Table.from_json(path, line_delimited=line_delimited)
    assert back.to_dicts() == rows
    assert json.dumps(back.to_dicts()) == json.dumps(rows)
