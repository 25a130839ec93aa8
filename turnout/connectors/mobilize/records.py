"""What a Mobilize record must look like before turnout keeps it.

A page whose records are not objects, or whose known fields changed type (an id that became a
string, a person that became a list), raises ResponseFormatError naming the URL, the page and
the record, rather than building a Table that silently mixes shapes.
"""

from __future__ import annotations

from typing import Any

from turnout.errors import ResponseFormatError
from turnout.http import Page
from turnout.redaction import redact_url

_INT = (int,)
_OBJECT = (dict,)
_OBJECT_OR_NULL = (dict, type(None))
_LIST = (list,)
_LIST_OR_NULL = (list, type(None))

SHAPES: dict[str, dict[str, tuple[type, ...]]] = {
    "organization": {"id": _INT, "created_date": _INT, "modified_date": _INT},
    "event": {
        "id": _INT,
        "sponsor": _OBJECT,
        "timeslots": _LIST,
        "location": _OBJECT_OR_NULL,
        "tags": _LIST_OR_NULL,
        "created_date": _INT,
        "modified_date": _INT,
    },
    "deleted_event": {"id": _INT, "deleted_date": _INT},
    "person": {
        "id": _INT,
        "email_addresses": _LIST,
        "phone_numbers": _LIST,
        "postal_addresses": _LIST,
        "created_date": _INT,
        "modified_date": _INT,
    },
    "attendance": {
        "id": _INT,
        "person": _OBJECT,
        "event": _OBJECT,
        "timeslot": _OBJECT_OR_NULL,
        "sponsor": _OBJECT_OR_NULL,
        "created_date": _INT,
        "modified_date": _INT,
    },
}


def check_page(page: Page, kind: str) -> list[dict[str, Any]]:
    """The page's records, each checked against the shape of `kind`."""
    shape = SHAPES[kind]
    for position, record in enumerate(page.records):
        problem = _problem(record, shape)
        if problem:
            raise ResponseFormatError(
                f"GET {redact_url(page.url)} page {page.number}, record {position}: {problem}"
            )
    return page.records


def _problem(record: Any, shape: dict[str, tuple[type, ...]]) -> str | None:
    if not isinstance(record, dict):
        return f"expected an object, got {type(record).__name__} {str(record)[:60]!r}"
    for field, allowed in shape.items():
        if field not in record:
            continue  # the API leaves some fields out for some viewers
        value = record[field]
        if isinstance(value, bool) or not isinstance(value, allowed):
            expected = " or ".join("null" if t is type(None) else t.__name__ for t in allowed)
            found = f"{type(value).__name__} {str(value)[:60]!r}"
            return f"field {field!r} is {found}, expected {expected}"
    return None
