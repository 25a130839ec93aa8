"""`turnout emulate SERVICE`: serve one emulator in the foreground on loopback.

Before serving it logs what a connector needs to reach it, as `export` lines: the exact base
URL the connector takes (Mobilize's ends in `/v1/`, Action Network's in `/api/v2`) and the
credential the emulator accepts. These are emulator-only throwaway credentials, safe to show;
for Google Sheets a throwaway service-account key file is written to a temporary directory
(removed when the emulator stops) and a Drive folder is created for the guide's folder step.
"""

from __future__ import annotations

import importlib
import logging
import shutil
import tempfile
from pathlib import Path

from turnout.emulators.base import EmulatorServer

logger = logging.getLogger(__name__)

# Each emulator package exposes `create_app(*, seed=0, faults=None, **options) -> EmulatorApp`.
SERVICES = {
    "mobilize": "turnout.emulators.mobilize",
    "action_network": "turnout.emulators.action_network",
    "google_sheets": "turnout.emulators.google_sheets",
}
SHEETS_FOLDER_NAME = "Organizers"


def create_server(
    service: str, *, port: int = 0, seed: int = 0, **options: object
) -> EmulatorServer:
    """Build (not start) the server of one emulator."""
    module = importlib.import_module(SERVICES[service])
    return EmulatorServer(module.create_app(seed=seed, **options), port=port)


def connection_settings(service: str, server: EmulatorServer, workdir: Path) -> dict[str, str]:
    """The environment variables (in order) that point a connector at this emulator with a
    credential it accepts. For google_sheets, writes the key file into `workdir` and creates
    the Drive folder whose id is returned under `folder_id`."""
    if service == "mobilize":
        from turnout.emulators.mobilize import DEFAULT_API_KEY, FIRST_ORG_ID

        return {
            "MOBILIZE_AMERICA_URI": f"{server.url}/v1/",
            "MOBILIZE_AMERICA_API_KEY": DEFAULT_API_KEY,
            "MOBILIZE_AMERICA_ORGANIZATION_ID": str(FIRST_ORG_ID),
        }
    if service == "action_network":
        from turnout.emulators.action_network import API_PREFIX, DEFAULT_TOKEN

        return {"AN_API_URL": server.url + API_PREFIX, "AN_API_TOKEN": DEFAULT_TOKEN}
    if service == "google_sheets":
        from turnout.emulators.google_sheets import (
            GoogleSheetsEmulator,
            public_key_pem,
            write_keyfile,
        )

        app = server.app
        assert isinstance(app, GoogleSheetsEmulator)
        keyfile = workdir / "service-account.json"
        info = write_keyfile(keyfile, server.url)
        app.register_service_account(info["client_email"], public_key_pem(info))
        folder_id = app.create_folder(SHEETS_FOLDER_NAME)
        return {
            "GOOGLE_DRIVE_CREDENTIALS": str(keyfile),
            "GOOGLE_API_BASE_URL": server.url,
            "folder_id": folder_id,
        }
    raise ValueError(f"unknown emulator {service!r}; expected one of {sorted(SERVICES)}")


def announce(service: str, settings: dict[str, str]) -> None:
    """Log the settings as lines a user can paste into a shell."""
    logger.info("connect to the %s emulator with (emulator-only throwaway credentials):", service)
    for name, value in settings.items():
        if name == "folder_id":
            logger.info(
                "Drive folder %r for create_spreadsheet(..., folder_id=...): %s",
                SHEETS_FOLDER_NAME,
                value,
            )
        else:
            logger.info("export %s=%s", name, value)


def serve(service: str, *, port: int = 0, seed: int = 0) -> int:
    """Serve until interrupted, after logging how a connector reaches the emulator."""
    server = create_server(service, port=port, seed=seed)
    # TODO: the directory is removed on Ctrl-C or a normal exit, not when the process is
    # killed (SIGTERM/SIGKILL); it then stays in the temp dir with its throwaway key.
    workdir = Path(tempfile.mkdtemp(prefix=f"turnout-emulate-{service}-"))
    try:
        announce(service, connection_settings(service, server, workdir))
        server.serve_forever()
    except KeyboardInterrupt:
        logger.info("%s emulator stopped", service)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0
