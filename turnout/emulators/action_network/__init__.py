"""A loopback emulator of the Action Network API v2 (OSDI, HAL+JSON).

    app = create_app(seed=0, rate=4.0)
    with EmulatorServer(app) as server:
        ActionNetwork(api_token=DEFAULT_TOKEN, api_url=server.url + "/api/v2")

Options of `create_app`:
- `seed`: the deterministic starting data and identifiers (same seed, same records).
- `faults`: a shared `FaultInjector` (429, 5xx, slow, dropped, truncated on demand).
- `tokens`: the API keys it accepts (default `("an-emulator-token",)`); `token` for one.
- `rate`: requests a second per token before 429 (default 4.0, the real limit; None or 0
  turns the limit off); `burst`: the bucket size (default: `rate`, at least 1).
- `bare_empty_pages`: answer a page with no records with `_embedded: {}` instead of
  `{"osdi:people": []}` (the contract does not rule it out; clients cope with either).
- `people`, `tags`, `events`, `forms`: how much starting data (30 people, the four default tag
  names, 4 events, 3 forms).
"""

from __future__ import annotations

from collections.abc import Iterable

from turnout.emulators.action_network.app import (
    API_PREFIX,
    AUTH_ERROR,
    DEFAULT_TOKEN,
    MAX_PAGE_SIZE,
    ActionNetworkEmulator,
)
from turnout.emulators.action_network.seed import DEFAULT_TAGS, seed_store
from turnout.emulators.action_network.store import MAX_NAME_LENGTH, Store
from turnout.emulators.base import FaultInjector

__all__ = [
    "API_PREFIX",
    "AUTH_ERROR",
    "DEFAULT_TAGS",
    "DEFAULT_TOKEN",
    "MAX_NAME_LENGTH",
    "MAX_PAGE_SIZE",
    "ActionNetworkEmulator",
    "create_app",
]


def create_app(
    *,
    seed: int = 0,
    faults: FaultInjector | None = None,
    tokens: Iterable[str] | None = None,
    token: str | None = None,
    rate: float | None = 4.0,
    burst: float | None = None,
    bare_empty_pages: bool = False,
    people: int = 30,
    tags: Iterable[str] = DEFAULT_TAGS,
    events: int = 4,
    forms: int = 3,
) -> ActionNetworkEmulator:
    """An Action Network emulator app with seeded starting data (see the module docstring)."""
    store = Store(seed=seed)
    seed_store(store, seed, people=people, tags=tuple(tags), events=events, forms=forms)
    accepted = tuple(tokens) if tokens is not None else ((token,) if token else (DEFAULT_TOKEN,))
    return ActionNetworkEmulator(
        store=store,
        faults=faults,
        seed=seed,
        tokens=accepted,
        rate=rate,
        burst=burst,
        bare_empty_pages=bare_empty_pages,
    )
