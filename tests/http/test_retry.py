"""Retries against injected faults: every kind survived on an idempotent GET, Retry-After
honoured, and a write never repeated when its outcome is unknown."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime

import pytest
import requests

from tests.http.conftest import FAST_RETRY, SleepRecorder
from turnout.emulators.base import EmulatorServer
from turnout.errors import (
    RateLimitError,
    ResponseFormatError,
    ServerError,
    TransportError,
    UnknownOutcomeError,
)
from turnout.http import APIConnector, NextUrlPagination, RetryPolicy, parse_retry_after


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("rate_limit", {"retry_after": 0.05}),
        ("rate_limit", {"retry_after": None}),
        ("server_error", {"status": 500}),
        ("server_error", {"status": 502}),
        ("server_error", {"status": 503}),
        ("server_error", {"status": 504}),
        ("slow", {"delay": 0.8}),
        ("drop", {}),
        ("truncate", {}),
    ],
)
def test_each_fault_is_survived_by_a_get(
    connector: APIConnector, http_server: EmulatorServer, kind: str, options: dict
) -> None:
    http_server.app.faults.inject(kind, 2, path_contains="/echo", **options)
    body = connector.get_request("echo", params={"n": 7})
    assert body["args"] == {"n": ["7"]}
    seen = http_server.app.requests_to("/echo")
    assert [r.fault for r in seen] == [kind, kind, None]


def test_every_fault_mid_pagination_still_yields_each_record_once(
    connector: APIConnector, http_server: EmulatorServer
) -> None:
    faults = http_server.app.faults
    faults.inject("server_error", 1, after=1, path_contains="/next-url")
    faults.inject("truncate", 1, after=1, path_contains="/next-url")
    faults.inject("drop", 1, after=1, path_contains="/next-url")
    faults.inject("rate_limit", 1, after=1, retry_after=0.02, path_contains="/next-url")
    ids = [r["id"] for r in connector.records("next-url", pagination=NextUrlPagination())]
    assert ids == list(range(1, 24))
    assert faults.injected == {"server_error": 1, "truncate": 1, "drop": 1, "rate_limit": 1}


def test_retry_after_is_waited_exactly(
    connector: APIConnector, http_server: EmulatorServer, sleeps: SleepRecorder
) -> None:
    http_server.app.faults.inject("rate_limit", 1, retry_after=0.07)
    connector.get_request("echo")
    assert sleeps.waits == [0.07]


def test_backoff_grows_with_jitter_when_no_retry_after(
    connector: APIConnector, http_server: EmulatorServer, sleeps: SleepRecorder
) -> None:
    http_server.app.faults.inject("server_error", 3, status=503)
    connector.get_request("echo")
    assert len(sleeps.waits) == 3
    # backoff 0.01 doubling (0.01, 0.02, 0.04), capped at 0.05, plus up to 0.01 of jitter
    for wait, base in zip(sleeps.waits, [0.01, 0.02, 0.04]):
        assert base <= wait <= base + 0.01


def test_retries_spent_raise_the_last_error(
    connector: APIConnector, http_server: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="turnout.http")
    http_server.app.faults.inject("server_error", None, status=502)
    with pytest.raises(ServerError) as caught:
        connector.get_request("echo")
    assert caught.value.status == 502
    assert isinstance(caught.value, requests.exceptions.HTTPError)
    assert str(caught.value).startswith(f"GET {http_server.url}/echo returned HTTP 502")
    assert len(http_server.app.requests_to("/echo")) == FAST_RETRY.attempts
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == FAST_RETRY.attempts - 1
    assert warnings[0].startswith(
        f"GET {http_server.url}/echo failed (ServerError, HTTP 502); retry 1 of 3 in "
    )


def test_a_truncated_body_every_time_raises_response_format_error(
    connector: APIConnector, http_server: EmulatorServer
) -> None:
    http_server.app.faults.inject("truncate", None)
    with pytest.raises(ResponseFormatError) as caught:
        connector.get_request("echo")
    assert f"GET {http_server.url}/echo returned HTTP 200" in str(caught.value)
    assert len(http_server.app.requests_to("/echo")) == FAST_RETRY.attempts


def test_a_retry_after_past_the_limit_is_raised_at_once(
    http_server: EmulatorServer, sleeps: SleepRecorder
) -> None:
    policy = RetryPolicy(attempts=4, backoff=0.01, jitter=0.0, max_retry_after=5.0)
    client = APIConnector(http_server.url, retry=policy, sleep=sleeps)
    http_server.app.faults.inject("rate_limit", 1, retry_after=30)
    with pytest.raises(RateLimitError) as caught:
        client.get_request("echo")
    assert caught.value.retry_after == 30.0
    assert caught.value.status == 429
    assert sleeps.waits == []


def test_a_post_that_timed_out_after_sending_is_not_retried(
    connector: APIConnector, http_server: EmulatorServer
) -> None:
    http_server.app.faults.inject("slow", 1, delay=0.8, methods=["POST"])
    with pytest.raises(UnknownOutcomeError) as caught:
        connector.post_request("echo", json={"email": "a@example.org"})
    assert str(caught.value).startswith(
        f"POST {http_server.url}/echo: timed out waiting for the response after the request was"
    )
    assert len(http_server.app.requests_to("/echo", "POST")) == 1


def test_a_post_dropped_mid_body_is_not_retried(
    connector: APIConnector, http_server: EmulatorServer
) -> None:
    http_server.app.faults.inject("drop", 1, methods=["POST"])
    with pytest.raises(UnknownOutcomeError):
        connector.post_request("echo", json={"a": 1})
    assert len(http_server.app.requests_to("/echo", "POST")) == 1


def test_a_post_answered_5xx_is_not_retried(
    connector: APIConnector, http_server: EmulatorServer
) -> None:
    http_server.app.faults.inject("server_error", 1, status=503, methods=["POST"])
    with pytest.raises(ServerError):
        connector.post_request("echo", json={"a": 1})
    assert len(http_server.app.requests_to("/echo", "POST")) == 1


def test_a_post_refused_with_429_is_retried(
    connector: APIConnector, http_server: EmulatorServer
) -> None:
    http_server.app.faults.inject("rate_limit", 1, retry_after=0.02, methods=["POST"])
    assert connector.post_request("echo", json={"a": 1})["json"] == {"a": 1}
    assert len(http_server.app.requests_to("/echo", "POST")) == 2


def test_an_idempotent_post_is_retried_after_a_timeout(
    connector: APIConnector, http_server: EmulatorServer
) -> None:
    http_server.app.faults.inject("slow", 1, delay=0.8, methods=["POST"])
    body = connector.post_request("echo", json={"email": "a@example.org"}, idempotent=True)
    assert body["json"] == {"email": "a@example.org"}
    assert len(http_server.app.requests_to("/echo", "POST")) == 2


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_put_and_delete_are_retried_after_a_timeout(
    connector: APIConnector, http_server: EmulatorServer, method: str
) -> None:
    http_server.app.faults.inject("slow", 1, delay=0.8, methods=[method])
    response = connector.request("echo", method)
    assert response.json()["method"] == method
    assert len(http_server.app.requests_to("/echo", method)) == 2


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_refused_connection_is_retried_even_for_a_post(sleeps: SleepRecorder) -> None:
    client = APIConnector(f"http://127.0.0.1:{_closed_port()}", retry=FAST_RETRY, sleep=sleeps)
    with pytest.raises(TransportError) as caught:
        client.post_request("echo", json={"a": 1})
    assert caught.value.sent is False
    assert "connection refused" in str(caught.value)
    assert isinstance(caught.value, requests.exceptions.ConnectionError)
    assert len(sleeps.waits) == FAST_RETRY.attempts - 1


def test_the_timeout_applies_to_every_call(
    http_server: EmulatorServer, sleeps: SleepRecorder
) -> None:
    client = APIConnector(http_server.url, retry=RetryPolicy.never(), timeout=0.2, sleep=sleeps)
    http_server.app.faults.inject("slow", 1, delay=0.6)
    with pytest.raises(TransportError) as caught:
        client.get_request("echo")
    assert str(caught.value) == f"GET {http_server.url}/echo: timed out waiting for the response"


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("3", 3.0), ("0.25", 0.25), (" 7 ", 7.0), ("Fri, 04 Dec 2026 12:00:30 GMT", 30.0),
     ("Fri, 04 Dec 2026 11:59:00 GMT", 0.0), ("soon", None), ("", None), (None, None)],
)  # fmt: skip
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    now = datetime(2026, 12, 4, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after(header, now=now) == seconds
