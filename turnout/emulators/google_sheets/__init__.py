"""A loopback emulator of the parts of Google Sheets v4, Drive v3 and OAuth that gspread uses.

Start it with `turnout emulate google_sheets` (then `write_keyfile("key.json", url)` and
`GOOGLE_DRIVE_CREDENTIALS=key.json GOOGLE_API_BASE_URL=url`), or in code::

    server = EmulatorServer(create_app()).start()
    info = service_account_info(server.url)        # a throwaway key whose token_uri is local
    server.app.register_service_account(info["client_email"], public_key_pem(info))
    sheets = GoogleSheets(info, api_base_url=server.url)
"""

from __future__ import annotations

from typing import Any

from turnout.emulators.base import FaultInjector
from turnout.emulators.google_sheets.app import GoogleSheetsEmulator, quota_body
from turnout.emulators.google_sheets.credentials import (
    generate_private_key,
    public_key_pem,
    service_account_info,
    write_keyfile,
)

__all__ = [
    "GoogleSheetsEmulator",
    "create_app",
    "generate_private_key",
    "public_key_pem",
    "quota_body",
    "service_account_info",
    "write_keyfile",
]


def create_app(
    *, seed: int = 0, faults: FaultInjector | None = None, **options: Any
) -> GoogleSheetsEmulator:
    """A fresh emulator; options as `GoogleSheetsEmulator` documents."""
    return GoogleSheetsEmulator(faults=faults, seed=seed, **options)
