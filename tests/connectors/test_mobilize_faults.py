"""MobilizeAmerica under failure: every fault survived with each record exactly once, the
emulator's rate limit, auth failures, malformed pages, and an API key that never leaks."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
import requests

from tests.fixtures.mobilize import MOBILIZE_TEST_KEY, ORG_101_ATTENDANCE_IDS
from turnout.connectors.mobilize import MobilizeAmerica
from turnout.emulators.base import EmulatorServer, FaultInjector
from turnout.errors import AuthenticationError, ResponseFormatError, TurnoutError

MakeEmulator = Callable[..., EmulatorServer]
MakeClient = Callable[..., MobilizeAmerica]


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("rate_limit", {"retry_after": 0.02}),
        ("rate_limit", {"retry_after": None}),
        ("server_error", {"status": 500}),
        ("server_error", {"status": 502}),
        ("server_error", {"status": 503}),
        ("slow", {"delay": 0.6}),
        ("drop", {}),
        ("truncate", {}),
    ],
)
def test_each_fault_mid_pull_still_returns_every_record_once(
    mobilize_emulator: EmulatorServer, make_mobilize: MakeClient, kind: str, options: dict
) -> None:
    client = make_mobilize(mobilize_emulator, timeout=(1.0, 0.3))
    # Pages 3 and 4 of 6 fail; each is fetched again.
    mobilize_emulator.app.faults.inject(kind, 2, after=2, path_contains="/attendances", **options)
    table = client.get_attendances(101)
    assert table.column_data("id") == ORG_101_ATTENDANCE_IDS
    assert mobilize_emulator.app.faults.injected[kind] == 2
    assert len(mobilize_emulator.app.requests_to("/attendances")) == 6 + 2


def test_random_faults_of_every_kind_lose_and_repeat_nothing(
    make_mobilize_emulator: MakeEmulator, make_mobilize: MakeClient
) -> None:
    faults = FaultInjector(seed=11)
    faults.randomize(0.35, retry_after=0.01, delay=0.5)
    server = make_mobilize_emulator(faults=faults, attendances=300, organizations=1)
    client = make_mobilize(server, per_page=20, timeout=(1.0, 0.3))
    table = client.get_attendances(101)
    assert table.column_data("id") == list(range(100001, 100301))
    assert faults.total_injected >= 3  # the seed makes this run the same every time
    assert set(faults.injected) <= {"rate_limit", "server_error", "slow", "drop", "truncate"}


def test_the_emulators_rate_limit_is_survived(
    make_mobilize_emulator: MakeEmulator, make_mobilize: MakeClient
) -> None:
    server = make_mobilize_emulator(rate_limit=10.0)  # a burst of 10, then 10 a second
    client = make_mobilize(server, per_page=2)  # 20 pages, no client-side limit
    assert client.get_attendances(101).column_data("id") == ORG_101_ATTENDANCE_IDS
    statuses = [r.status for r in server.app.requests_to("/attendances")]
    assert statuses.count(200) == 20
    assert statuses.count(429) >= 1  # it was throttled, waited Retry-After, and went on


def test_a_client_limit_under_the_server_limit_is_never_throttled(
    make_mobilize_emulator: MakeEmulator, make_mobilize: MakeClient
) -> None:
    server = make_mobilize_emulator(rate_limit=30.0)
    client = make_mobilize(server, per_page=4, rate_limit=25.0)
    assert client.get_attendances(101).column_data("id") == ORG_101_ATTENDANCE_IDS
    assert [r.status for r in server.app.requests_to("/attendances")] == [200] * 10


def test_a_bad_key_is_an_authentication_error(
    mobilize_emulator: EmulatorServer, make_mobilize: MakeClient
) -> None:
    client = make_mobilize(mobilize_emulator, api_key="not-the-right-key-123")
    with pytest.raises(AuthenticationError) as caught:
        client.get_attendances(101)
    error = caught.value
    assert isinstance(error, requests.exceptions.HTTPError)
    assert isinstance(error, TurnoutError)
    assert error.status == 403
    assert str(error) == (
        f"GET {mobilize_emulator.url}/v1/organizations/101/attendances?per_page=7 returned "
        'HTTP 403 FORBIDDEN: {"data":null,"error":{"detail":"Invalid token."}}; the Mobilize '
        "API key passed as api_key= (its env var is MOBILIZE_AMERICA_API_KEY) was refused or "
        "lacks access: check the api_key argument"
    )
    assert "not-the-right-key-123" not in str(error)
    assert len(mobilize_emulator.app.requests_to("/attendances")) == 1  # not retried


def test_a_bad_key_from_the_environment_names_the_variable(
    mobilize_emulator: EmulatorServer, make_mobilize: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOBILIZE_AMERICA_API_KEY", "not-the-right-key-456")
    client = make_mobilize(mobilize_emulator, api_key=None)
    with pytest.raises(AuthenticationError) as caught:
        client.get_people(101)
    assert str(caught.value) == (
        f"GET {mobilize_emulator.url}/v1/organizations/101/people?per_page=7 returned "
        'HTTP 403 FORBIDDEN: {"data":null,"error":{"detail":"Invalid token."}}; the Mobilize '
        "API key read from MOBILIZE_AMERICA_API_KEY was refused or lacks access: "
        "check MOBILIZE_AMERICA_API_KEY"
    )
    assert "not-the-right-key-456" not in str(caught.value)


def test_the_key_never_reaches_logs_errors_or_reprs(
    mobilize_emulator: EmulatorServer,
    make_mobilize: MakeClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_mobilize(mobilize_emulator)
    mobilize_emulator.app.faults.inject("server_error", 1, path_contains="/people")
    client.get_people(101)
    mobilize_emulator.app.faults.inject("server_error", None, path_contains="/attendances")
    with pytest.raises(TurnoutError) as caught:
        client.get_attendances(101)

    assert MOBILIZE_TEST_KEY not in caplog.text
    assert any(r.levelno == logging.WARNING for r in caplog.records)  # the retries were logged
    assert MOBILIZE_TEST_KEY not in str(caught.value)
    assert MOBILIZE_TEST_KEY not in repr(caught.value)
    assert MOBILIZE_TEST_KEY not in repr(client)
    assert MOBILIZE_TEST_KEY not in repr(client.client)
    assert repr(client) == f"MobilizeAmerica(uri='{mobilize_emulator.url}/v1/', api_key=***)"


def test_a_page_that_is_not_json_once_is_fetched_again(
    mobilize_emulator: EmulatorServer, mobilize: MobilizeAmerica
) -> None:
    mobilize_emulator.app.malform("not_json", path_contains="/attendances", after=1)
    assert mobilize.get_attendances(101).column_data("id") == ORG_101_ATTENDANCE_IDS


def test_a_page_that_is_never_json_names_url_and_page(
    mobilize_emulator: EmulatorServer, mobilize: MobilizeAmerica
) -> None:
    mobilize_emulator.app.malform("not_json", 5, path_contains="/attendances", after=1)
    with pytest.raises(ResponseFormatError) as caught:
        mobilize.get_attendances(101)
    message = str(caught.value)
    assert message.startswith(
        f"GET {mobilize_emulator.url}/v1/organizations/101/attendances?per_page=7&cursor="
    )
    assert "returned HTTP 200 with a body that is not valid JSON" in message
    assert message.endswith("(page 2)")


@pytest.mark.parametrize(
    ("kind", "problem"),
    [("missing_data", "page 3: the body has no 'data' (found ['count', 'metadata', 'next', "
      "'previous'])"),
     ("record_type", "page 3, record 0: expected an object, got str 'record'"),
     ("field_type", "page 3, record 0: field 'id' is str '100023', expected int")],
)  # fmt: skip
def test_a_malformed_page_raises_naming_url_and_page(
    mobilize_emulator: EmulatorServer, mobilize: MobilizeAmerica, kind: str, problem: str
) -> None:
    mobilize_emulator.app.malform(kind, path_contains="/attendances", after=2)
    with pytest.raises(ResponseFormatError) as caught:
        mobilize.get_attendances(101)
    message = str(caught.value)
    assert message.startswith(
        f"GET {mobilize_emulator.url}/v1/organizations/101/attendances?per_page=7&cursor="
    )
    assert message.endswith(problem)


def test_a_page_without_next_is_an_error_not_the_end(
    mobilize_emulator: EmulatorServer, mobilize: MobilizeAmerica
) -> None:
    mobilize_emulator.app.malform("missing_next", path_contains="/attendances", after=1)
    with pytest.raises(ResponseFormatError) as caught:
        mobilize.get_attendances(101)
    assert str(caught.value).endswith(
        "page 2: the body has no 'next', so whether more pages follow is unknown"
    )
