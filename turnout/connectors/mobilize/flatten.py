"""Events flattened the way Parsons' MobilizeAmerica flattens them, on plain dicts.

The steps and the column names they produce are Parsons' (checked against Parsons 6.1):
`sponsor` becomes `sponsor_<key>` columns; `location` is unpacked twice without a prefix, so
its inner latitude/longitude become columns too; `address_lines` is joined with a space; then
the timeslots are dropped, spread into `timeslots_<n>_<key>` columns, or moved to a long table
with an `event_id` column. Unpacked keys are sorted and appended after the other columns, as
petl's unpackdict does. Working on dicts, not on a lazy petl chain, keeps it one pass.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

logger = logging.getLogger(__name__)

Row = dict[str, Any]


def columns_of(rows: Iterable[Row]) -> list[str]:
    """Every key of the rows, in order of first appearance."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            if key not in seen:
                seen[key] = None
    return list(seen)


def unpack_dict(
    rows: list[Row], columns: list[str], column: str, *, prefix: str | None = None
) -> list[str]:
    """Replace `column` by one column per key of its dicts (sorted, appended at the end),
    named `<prefix>_<key>` when a prefix is given; a value that is not a dict gives Nones."""
    keys: dict[str, None] = {}
    for row in rows:
        value = row.get(column)
        if isinstance(value, dict):
            keys.update(dict.fromkeys(value))
    ordered = sorted(keys)
    names = [f"{prefix}_{key}" if prefix else key for key in ordered]
    for row in rows:
        value = row.pop(column, None)
        source = value if isinstance(value, dict) else {}
        for key, name in zip(ordered, names):
            row[name] = source.get(key)
    return [c for c in columns if c != column and c not in names] + names


def flatten_events(
    records: list[Row], *, timeslots_table: bool = False, max_timeslots: int | None = None
) -> tuple[list[Row], list[str], list[Row] | None, list[str] | None]:
    """(event rows, their columns, timeslot rows or None, their columns or None)."""
    rows = [dict(record) for record in records]
    columns = columns_of(rows)
    for row in rows:  # every row gets every column, so missing keys read as None
        for column in columns:
            row.setdefault(column, None)

    columns = unpack_dict(rows, columns, "sponsor", prefix="sponsor")
    columns = unpack_dict(rows, columns, "location")
    if "location" in columns:
        columns = unpack_dict(rows, columns, "location")  # the inner {latitude, longitude}
    else:
        # Parsons raises here (no event had a location, e.g. all virtual); turnout goes on.
        logger.warning("no event has a location; no location columns (Parsons would fail here)")
    for row in rows:
        if "address_lines" in row:
            row["address_lines"] = _joined(row["address_lines"])

    if timeslots_table:
        slots, slot_columns = _timeslot_rows(rows)
        columns = [c for c in columns if c != "timeslots"]
        for row in rows:
            row.pop("timeslots", None)
        return _ordered(rows, columns), columns, slots, slot_columns

    if max_timeslots == 0:
        for row in rows:
            row.pop("timeslots", None)
        columns = [c for c in columns if c != "timeslots"]
        return _ordered(rows, columns), columns, None, None

    columns = _spread_timeslots(rows, columns, max_timeslots)
    return _ordered(rows, columns), columns, None, None


def _joined(lines: Any) -> Any:
    if isinstance(lines, list | tuple):
        return " ".join(str(line) for line in lines)
    return None if lines is None else lines


def _spread_timeslots(rows: list[Row], columns: list[str], max_timeslots: int | None) -> list[str]:
    lists = [_as_list(row.get("timeslots")) for row in rows]
    count = max((len(slots) for slots in lists), default=0)
    if count > 0 and max_timeslots:
        count = max_timeslots  # as Parsons: the cap sets the count, even above the longest list
    names = [f"timeslots_{n}" for n in range(count)]
    for row, slots in zip(rows, lists):
        row.pop("timeslots", None)
        for n, name in enumerate(names):
            row[name] = slots[n] if n < len(slots) else None
    columns = [c for c in columns if c != "timeslots"] + names
    for name in names:
        columns = unpack_dict(rows, columns, name, prefix=name)
    return columns


def _timeslot_rows(rows: list[Row]) -> tuple[list[Row], list[str]]:
    """The long table: one row per timeslot, `event_id` first, then `timeslots_<key>`."""
    pairs = [
        (row.get("id"), slot)
        for row in rows
        for slot in _as_list(row.get("timeslots"))
        if slot is not None
    ]
    keys = sorted({key for _, slot in pairs if isinstance(slot, dict) for key in slot})
    if not keys:
        return [{"event_id": event_id, "timeslots": slot} for event_id, slot in pairs], [
            "event_id",
            "timeslots",
        ]
    columns = ["event_id"] + [f"timeslots_{key}" for key in keys]
    slot_rows = []
    for event_id, slot in pairs:
        source = slot if isinstance(slot, dict) else {}
        slot_row: Row = {"event_id": event_id}
        for key in keys:
            slot_row[f"timeslots_{key}"] = source.get(key)
        slot_rows.append(slot_row)
    return slot_rows, columns


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _ordered(rows: list[Row], columns: list[str]) -> list[Row]:
    """Rows whose keys are exactly `columns`, in that order (the Table's fast path)."""
    return [{column: row.get(column) for column in columns} for row in rows]
