"""How the Sheets API stores and renders cell values (valueInputOption, valueRenderOption)."""

from __future__ import annotations

import math
import re
from typing import Any

from turnout.emulators.google_sheets.store import Formula, invalid

MAX_CELL_CHARACTERS = 50_000

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")


def stored_value(value: Any, option: str, where: str) -> Any:
    """The value a cell keeps for one input value; `where` names it in errors.

    RAW keeps strings as strings ("02134", "=SUM(A1)") and numbers as numbers. USER_ENTERED
    parses strings as the UI would: formulas, numbers, booleans; a leading apostrophe keeps text.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise invalid(f"Invalid value at '{where}' (TYPE_NUMBER), {value}")
        return value
    if not isinstance(value, str):
        kind = "Struct" if isinstance(value, dict) else "ListValue"
        raise invalid(
            f"Invalid value at '{where}' (type.googleapis.com/google.protobuf.{kind}), "
            f"{str(value)[:80]}"
        )
    if len(value) > MAX_CELL_CHARACTERS:
        raise invalid(
            f"Your input contains more than the maximum of {MAX_CELL_CHARACTERS} characters "
            "in a single cell."
        )
    if option == "RAW" or value == "":
        return value
    if value.startswith("'"):
        return value[1:]
    if value.startswith("=") and len(value) > 1:
        return Formula(value)
    stripped = value.strip()
    if _NUMBER.match(stripped):
        return int(stripped) if _INTEGER.match(stripped) else float(stripped)
    if stripped.upper() in ("TRUE", "FALSE"):
        return stripped.upper() == "TRUE"
    # TODO: USER_ENTERED dates, percents and currencies stay text; the UI would parse them.
    return value


def rendered_value(value: Any, option: str) -> Any:
    """A stored value as values.get returns it under `option` (valueRenderOption)."""
    if isinstance(value, Formula):
        return value.text if option == "FORMULA" else value.display()
    if option in ("UNFORMATTED_VALUE", "FORMULA"):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    return str(value)


def check_input_option(option: str | None) -> str:
    if option is None:
        raise invalid("'valueInputOption' is required but not specified")
    if option not in ("RAW", "USER_ENTERED"):
        raise invalid(f"Invalid value at 'value_input_option' (TYPE_ENUM), \"{option}\"")
    return option
