"""`turnout emulate`: what it logs is exactly what a connector needs, and it works as logged.

Each test starts the emulator in-process (create_server), logs its connection settings as
`turnout emulate` does, then builds the connector from those environment variables alone and
makes a real call over loopback.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import requests

from turnout.emulators.serve import announce, connection_settings, create_server
from turnout.http import RetryPolicy

QUICK = RetryPolicy(attempts=2, backoff=0.001, backoff_max=0.002, jitter=0.0)


def logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "turnout.emulators.serve"]


def export(settings: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in settings.items():
        if name.isupper():
            monkeypatch.setenv(name, value)


def test_mobilize_logs_its_v1_url_key_and_organization(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from turnout.connectors.mobilize import MobilizeAmerica

    caplog.set_level(logging.INFO, logger="turnout.emulators.serve")
    with create_server("mobilize", seed=1) as server:
        settings = connection_settings("mobilize", server, tmp_path)
        announce("mobilize", settings)
        export(settings, monkeypatch)
        people = MobilizeAmerica(rate_limit=None, retry=QUICK).get_people()

        assert logged(caplog) == [
            "connect to the mobilize emulator with (emulator-only throwaway credentials):",
            f"export MOBILIZE_AMERICA_URI={server.url}/v1/",
            "export MOBILIZE_AMERICA_API_KEY=mobilize-emulator-key",
            "export MOBILIZE_AMERICA_ORGANIZATION_ID=101",
        ]
        statuses = [r.status for r in server.app.requests_to("/v1/organizations/101/people")]
        assert set(statuses) == {200}
        first_page = requests.get(
            f"{server.url}/v1/organizations/101/people",
            headers={"Authorization": "Bearer mobilize-emulator-key"},
            timeout=5,
        ).json()
        assert people.num_rows == first_page["count"]


def test_action_network_logs_its_api_v2_url_and_token(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from turnout.connectors.action_network import ActionNetwork

    caplog.set_level(logging.INFO, logger="turnout.emulators.serve")
    with create_server("action_network", seed=1) as server:
        settings = connection_settings("action_network", server, tmp_path)
        announce("action_network", settings)
        export(settings, monkeypatch)
        tags = ActionNetwork(rate_limit=None, retry=QUICK).get_tags()

        assert logged(caplog) == [
            "connect to the action_network emulator with (emulator-only throwaway credentials):",
            f"export AN_API_URL={server.url}/api/v2",
            "export AN_API_TOKEN=an-emulator-token",
        ]
        assert tags.num_rows == 4  # the seeded tags, as test_action_network counts them


def test_google_sheets_writes_a_keyfile_and_makes_the_guides_folder(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from turnout.connectors.google_sheets import GoogleSheets

    caplog.set_level(logging.INFO, logger="turnout.emulators.serve")
    with create_server("google_sheets", seed=1) as server:
        settings = connection_settings("google_sheets", server, tmp_path)
        announce("google_sheets", settings)
        export(settings, monkeypatch)
        folder_id = settings["folder_id"]
        sheets = GoogleSheets()
        sheet_id = sheets.create_spreadsheet("From the guide", folder_id=folder_id)

        keyfile = tmp_path / "service-account.json"
        assert logged(caplog) == [
            "connect to the google_sheets emulator with (emulator-only throwaway credentials):",
            f"export GOOGLE_DRIVE_CREDENTIALS={keyfile}",
            f"export GOOGLE_API_BASE_URL={server.url}",
            f"Drive folder 'Organizers' for create_spreadsheet(..., folder_id=...): {folder_id}",
        ]
        assert json.loads(keyfile.read_text())["token_uri"] == f"{server.url}/token"
        assert keyfile.stat().st_mode & 0o777 == 0o600
        store = server.app.store
        assert store.files[folder_id].name == "Organizers"
        assert store.files[sheet_id].parents == [folder_id]


def test_an_unknown_service_is_refused(tmp_path: Path) -> None:
    with create_server("mobilize") as server, pytest.raises(ValueError, match="unknown emulator"):
        connection_settings("nowhere", server, tmp_path)
