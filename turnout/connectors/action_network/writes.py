"""Writes that expect a JSON reply: a body cut short is an error (retried when the write is
idempotent), never silently a status code, so a person is never reported pushed without an id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from turnout.http import APIConnector


def write_json(
    client: APIConnector,
    method: str,
    path: str,
    body: Any,
    *,
    background_processing: bool = False,
    idempotent: bool | None = None,
) -> dict[str, Any]:
    """Send a write and return its decoded JSON object (``{}`` for an empty reply, as a
    `background_processing` write answers)."""
    params = {"background_processing": "true"} if background_processing else None
    _, decoded = client.send(
        method, path, params=params, json=body, idempotent=idempotent, parse_json=True
    )
    return dict(decoded) if isinstance(decoded, Mapping) else {}
