"""Every hostile input of files/ (and the big ones generated here) read, and loaded where the case
says, with the exact outcome of expected.toml: the error class and a message naming the file,
row or column, or the exact values that land."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from turnout import Table
from turnout.emulators.google_sheets.store import Formula

HERE = Path(__file__).resolve().parent
CASES = tomllib.loads((HERE / "expected.toml").read_text(encoding="utf-8"))["case"]


def one_megabyte_cell(path: Path) -> None:
    path.write_text("id,blob\n1," + "x" * 1_000_000 + "\n", encoding="utf-8")


def ten_thousand_columns(path: Path) -> None:
    header = ",".join(f"c{i}" for i in range(10_000))
    path.write_text(header + "\n" + ",".join(str(i) for i in range(10_000)) + "\n")


GENERATORS = {"one_megabyte_cell": one_megabyte_cell, "ten_thousand_columns": ten_thousand_columns}


def expected_value(value: Any) -> Any:
    if value == "__none__":
        return None
    if isinstance(value, dict) and "repeat" in value:
        return value["repeat"] * value["times"]
    if isinstance(value, dict) and "formula" in value:
        return Formula(value["formula"])
    return value


def input_path(case: dict[str, Any], tmp_path: Path) -> Path:
    if "generate" in case:
        path = tmp_path / f"{case['generate']}.csv"
        GENERATORS[case["generate"]](path)
        return path
    return HERE / "files" / case["input"]


def read(case: dict[str, Any], path: Path) -> Table:
    options = case.get("read_options", {})
    if case["read"] == "csv":
        return Table.from_csv(path, **options)
    if case["read"] == "json":
        return Table.from_json(path, **options)
    return Table.from_json(path, line_delimited=True, **options)


def load(case: dict[str, Any], path: Path, request: pytest.FixtureRequest) -> tuple[list, list]:
    """Read the input, send it where the case says, and read back (columns, rows)."""
    table = read(case, path)
    into = case["into"]
    if into == "table":
        return list(table.columns), [list(row.values()) for row in table.to_dicts()]
    if into in ("duckdb", "postgres"):
        warehouse, schema = _warehouse(into, request)
        name = f"{schema}.{'wide' if 'ten_thousand' in case['id'] else 'loaded'}"
        warehouse.copy(table, name, if_exists="drop")
        quoted = ".".join('"' + part + '"' for part in name.split("."))
        result = warehouse.query(f"SELECT * FROM {quoted}")
        return list(result.columns), [list(row.values()) for row in result.to_dicts()]
    sheets_emulator = request.getfixturevalue("sheets_emulator")
    google_sheets = request.getfixturevalue("google_sheets")
    spreadsheet_id = sheets_emulator.app.add_spreadsheet("hostile input")
    google_sheets.overwrite_sheet(
        spreadsheet_id, table, user_entered_value=into == "sheets_user_entered"
    )
    return [], sheets_emulator.app.sheet_values(spreadsheet_id)


def _warehouse(into: str, request: pytest.FixtureRequest) -> tuple[Any, str]:
    if into == "duckdb":
        from turnout.warehouse.duckdb import DuckDB

        warehouse = DuckDB(request.getfixturevalue("tmp_path") / "bad_inputs.duckdb")
        request.addfinalizer(warehouse.close)
        return warehouse, "main"
    from turnout.warehouse.postgres import Postgres

    schema = request.getfixturevalue("pg_schema")
    warehouse = Postgres(url=request.getfixturevalue("postgres_url"))
    request.addfinalizer(lambda: warehouse.client.close())
    return warehouse, schema


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_hostile_input(case: dict[str, Any], tmp_path: Path, request: pytest.FixtureRequest):
    path = input_path(case, tmp_path)

    if "error" in case:
        with pytest.raises(Exception) as raised:  # the class is checked exactly below
            load(case, path, request)
        assert type(raised.value).__name__ == case["error"], raised.value
        for part in case["message"]:
            assert part in str(raised.value)
        return

    columns, rows = load(case, path, request)
    if "column_count" in case:
        assert len(columns) == case["column_count"]
        assert [columns[0], columns[1], columns[-1]] == case["columns_head"]
        return
    if "columns" in case:
        assert columns == case["columns"]
    assert rows == [[expected_value(v) for v in row] for row in case["rows"]]
