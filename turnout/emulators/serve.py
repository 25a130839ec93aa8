"""`turnout emulate SERVICE`: serve one emulator in the foreground on loopback."""

from __future__ import annotations

import importlib
import logging

from turnout.emulators.base import EmulatorServer

logger = logging.getLogger(__name__)

# Each emulator package exposes `create_app(*, seed=0, faults=None, **options) -> EmulatorApp`.
SERVICES = {
    "mobilize": "turnout.emulators.mobilize",
    "action_network": "turnout.emulators.action_network",
    "google_sheets": "turnout.emulators.google_sheets",
}


def create_server(
    service: str, *, port: int = 0, seed: int = 0, **options: object
) -> EmulatorServer:
    """Build (not start) the server of one emulator."""
    module = importlib.import_module(SERVICES[service])
    return EmulatorServer(module.create_app(seed=seed, **options), port=port)


def serve(service: str, *, port: int = 0, seed: int = 0) -> int:
    """Serve until interrupted; prints nothing itself (the CLI's logging shows the URL)."""
    server = create_server(service, port=port, seed=seed)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        logger.info("%s emulator stopped", service)
    return 0
