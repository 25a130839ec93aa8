"""convert_column: every petl form, once per value, errors naming the row, identical fast paths."""

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from turnout import Table
from turnout.errors import ConversionError, TableError


def test_conversion_runs_once_per_value():
    calls = []

    def f(value):
        calls.append(value)
        return value * 2

    tbl = Table([{"a": 1}, {"a": 2}, {"a": 3}])
    tbl.convert_column("a", f)
    assert tbl.num_rows == 3
    assert tbl.num_rows == 3
    assert list(tbl) == [{"a": 2}, {"a": 4}, {"a": 6}]
    assert tbl.columns == ["a"]
    assert bool(tbl) is True
    assert tbl[0] == {"a": 2}
    assert calls == [1, 2, 3]


def test_a_failing_value_raises_naming_column_row_and_value():
    tbl = Table([{"a": "1"}, {"a": "x"}])
    with pytest.raises(ConversionError) as caught:
        tbl.convert_column("a", int)
    error = caught.value
    assert (error.column, error.row, error.value) == ("a", 1, "x")
    assert "column 'a'" in str(error)
    assert "row 1" in str(error)
    assert "'x'" in str(error)
    assert tbl["a"] == ["1", "x"]  # unchanged


def test_errorvalue_is_the_explicit_opt_in():
    assert Table([{"a": "1"}, {"a": "x"}]).convert_column("a", int, errorvalue=None)["a"] == [
        1,
        None,
    ]
    assert Table([{"a": "x"}, {"a": "2"}]).convert_column("a", int, errorvalue=-1)["a"] == [-1, 2]
    assert Table([{"a": "x"}]).convert_column("a", int, failonerror=False)["a"] == [None]


def test_several_columns_fail_atomically():
    tbl = Table([{"a": "1", "b": "y"}])
    with pytest.raises(ConversionError, match="column 'b'"):
        tbl.convert_column(["a", "b"], int)
    assert list(tbl) == [{"a": "1", "b": "y"}]


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        (("a", str.upper), {}, ["X", "Y", "Z"]),
        (("a", "upper"), {}, ["X", "Y", "Z"]),
        (("a", "replace", "y", "Q"), {}, ["x", "Q", "z"]),
        (("a", {"x": 1, "z": 3}), {}, [1, "y", 3]),
        (({"a": "upper"},), {}, ["X", "Y", "Z"]),
        (({"a": ("replace", "x", "-")},), {}, ["-", "y", "z"]),
        (("a", lambda v, row: v + str(row["n"])), {"pass_row": True}, ["x1", "y2", "z3"]),
        (("a", str.upper), {"where": lambda row: row["n"] > 1}, ["x", "Y", "Z"]),
        (("a", str.upper), {"where": "{n} == 2"}, ["x", "Y", "z"]),
    ],
)
def test_petl_converter_forms(args, kwargs, expected):
    tbl = Table([{"a": "x", "n": 1}, {"a": "y", "n": 2}, {"a": "z", "n": 3}])
    assert tbl.convert_column(*args, **kwargs) is tbl
    assert tbl["a"] == expected
    assert tbl["n"] == [1, 2, 3]


def test_convert_several_columns_and_table():
    tbl = Table([{"a": 1, "b": 2}])
    tbl.convert_column(["a", "b"], lambda v: v + 1)
    assert list(tbl) == [{"a": 2, "b": 3}]
    tbl.convert_table(str)
    assert list(tbl) == [{"a": "2", "b": "3"}]


def test_convert_argument_errors():
    with pytest.raises(TableError):
        Table([{"a": 1}]).convert_column("a")
    with pytest.raises(TypeError):
        Table([{"a": 1}]).convert_column("a", str, nonsense=True)
    with pytest.raises(KeyError):
        Table([{"a": 1}]).convert_column("zz", str)


def test_convert_columns_to_str():
    tbl = Table([{"a": 1, "b": "x", "c": None, "d": 1.5}, {"a": None, "b": "y", "c": True, "d": 2}])
    tbl.convert_columns_to_str()
    assert list(tbl) == [
        {"a": "1", "b": "x", "c": "", "d": "1.5"},
        {"a": "", "b": "y", "c": "True", "d": "2"},
    ]


def test_results_keep_their_types():
    tbl = Table([{"a": "1"}, {"a": "2.5"}, {"a": "x"}])
    tbl.convert_column("a", lambda v: int(v) if v.isdigit() else (float(v) if "." in v else v))
    assert tbl["a"] == [1, 2.5, "x"]
    assert [type(v) for v in tbl["a"]] == [int, float, str]


# --- fast paths give exactly the per-value results ---------------------------------------------


def per_value(function, values):
    out = []
    for value in values:
        try:
            out.append(("ok", function(value)))
        except (ValueError, TypeError, OverflowError) as error:
            out.append(("error", type(error)))
    return out


def through_table(function, values):
    tbl = Table.from_columns({"v": values})
    try:
        tbl.convert_column("v", function)
    except ConversionError as error:
        return ("error", error.row)
    return ("ok", tbl["v"])


def expected(function, values):
    results = per_value(function, values)
    for index, (status, _) in enumerate(results):
        if status == "error":
            return ("error", index)
    return ("ok", [value for _, value in results])


def same(left, right):
    """Equal with the same types all the way down; NaN equals NaN."""
    if type(left) is not type(right):
        return False
    if isinstance(left, float) and math.isnan(left):
        return math.isnan(right)
    if isinstance(left, list | tuple):
        return len(left) == len(right) and all(map(same, left, right))
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(same(left[k], right[k]) for k in left)
    return left == right


numeric_text = st.text(alphabet="0123456789+-_ .eEinfaINFA", max_size=8)
ints = st.integers(min_value=-(2**70), max_value=2**70)


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(
        st.lists(numeric_text, max_size=5),
        st.lists(st.integers().map(str), max_size=5),
        st.lists(ints, max_size=5),
        st.lists(st.one_of(ints, st.none()), max_size=5),
        st.lists(st.floats(), max_size=5),
        st.lists(st.one_of(st.integers().map(str), st.none()), max_size=5),
    ),
    st.sampled_from([int, float, str]),
)
def test_builtin_fast_paths_match_per_value_calls(values, function):
    assert same(through_table(function, values), expected(function, values))


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats()
    | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=8,
)
json_texts = st.one_of(
    json_values.map(json.dumps),
    st.text(max_size=10),
    st.sampled_from(
        [
            '{"a": 1, "a": 2}',
            "1e400",
            "-0",
            "NaN",
            "[1,]",
            '"\\ud800"',
            " 1 ",
            "1.0000000000000002",
            "123456789012345678901234567890",
        ]
    ),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(json_texts, max_size=5))
def test_json_loads_fast_path_matches_json_loads(texts):
    assert same(through_table(json.loads, texts), expected(json.loads, texts))


@pytest.mark.parametrize("bad_row", [0, 1, 4])
def test_failing_row_is_found_without_calling_again(bad_row):
    calls = []
    values = ["1"] * 5
    values[bad_row] = "bad"

    def to_int(value):
        calls.append(value)
        return int(value)

    with pytest.raises(ConversionError) as caught:
        Table.from_columns({"a": values}).convert_column("a", to_int)
    assert caught.value.row == bad_row
    assert caught.value.value == "bad"
    assert len(calls) == bad_row + 1
