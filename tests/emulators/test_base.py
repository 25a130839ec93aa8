"""EmulatorApp's default fault bodies agree with the status they are sent with."""

from __future__ import annotations

import pytest
import requests
from werkzeug.routing import Rule

from turnout.emulators.base import EmulatorApp, EmulatorServer, status_phrase


class PlainApp(EmulatorApp):
    """An emulator with no routes of its own: only the base class's error bodies."""

    name = "plain"

    def rules(self) -> list[Rule]:
        return []


@pytest.mark.parametrize(
    ("status", "phrase"),
    [(500, "Internal Server Error"), (503, "Service Unavailable"),
     (422, "Unprocessable Entity"), (403, "Forbidden"), (599, "HTTP 599")],
)  # fmt: skip
def test_the_default_fault_body_names_its_status(status: int, phrase: str) -> None:
    assert status_phrase(status) == phrase
    server = EmulatorServer(PlainApp()).start()
    try:
        server.app.faults.inject("server_error", 1, status=status)
        response = requests.get(f"{server.url}/anything", timeout=5)
    finally:
        server.stop()
    assert (response.status_code, response.json()) == (status, {"error": phrase})
