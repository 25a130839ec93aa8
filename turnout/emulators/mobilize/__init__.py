"""A loopback emulator of the Mobilize (Mobilize America) API v1."""

from __future__ import annotations

from typing import Any

from turnout.emulators.base import FaultInjector
from turnout.emulators.mobilize.app import DEFAULT_API_KEY, MobilizeEmulator
from turnout.emulators.mobilize.data import FIRST_ORG_ID, PLATFORM_ORG_ID, MobilizeData

__all__ = [
    "DEFAULT_API_KEY",
    "FIRST_ORG_ID",
    "PLATFORM_ORG_ID",
    "MobilizeData",
    "MobilizeEmulator",
    "create_app",
]


def create_app(
    *, seed: int = 0, faults: FaultInjector | None = None, **options: Any
) -> MobilizeEmulator:
    """A Mobilize emulator. Options: organizations, events, people, attendances,
    deleted_events (sizes), api_keys, rate_limit and write_rate_limit (requests a second per
    key; None turns throttling off), per_page, max_per_page, now and epoch (Unix seconds)."""
    return MobilizeEmulator(seed=seed, faults=faults, **options)
