"""ActionNetwork under pressure, over real HTTP: many pages, 429s, 5xx, dropped and cut-short
replies (no duplicate people), client-side pacing, bad tokens, and secrets kept out of logs."""

from __future__ import annotations

import logging

import pytest
import requests

from tests.fixtures.action_network import connect_action_network
from turnout.connectors.action_network import action_network_id
from turnout.emulators.base import FaultInjector
from turnout.errors import AuthenticationError, ServerError
from turnout.http import RetryPolicy


def emails(count: int, prefix: str = "p") -> list[str]:
    return [f"{prefix}{index:03d}@example.org" for index in range(count)]


def test_pagination_over_many_pages(make_action_network_emulator):
    server = make_action_network_emulator(people=260)
    an = connect_action_network(server)

    table = an.get_people()

    assert table.num_rows == 260
    ids = [action_network_id({"identifiers": i}) for i in table.column_data("identifiers")]
    assert ids == list(server.app.store.people)
    # 11 pages with data (10 x 25 + 10), then the empty page the people collection ends on
    assert len(server.app.requests_to("/api/v2/people", "GET")) == 12


def test_pagination_follows_next_with_small_pages_and_a_filter(make_action_network_emulator):
    server = make_action_network_emulator(people=40)
    an = connect_action_network(server)

    table = an.get_people(per_page=3, filter="modified_date gt '2024-01-01'")

    assert table.num_rows == 40
    queries = [r.query for r in server.app.requests_to("/api/v2/people", "GET")]
    assert len(queries) == 15  # ceil(40 / 3) = 14 pages with data, then one empty page
    assert all("filter=modified_date" in query and "per_page=3" in query for query in queries)


def test_injected_429s_are_waited_out(make_action_network_emulator):
    faults = FaultInjector()
    server = make_action_network_emulator(faults=faults)
    an = connect_action_network(server)
    faults.inject("rate_limit", count=3, retry_after=0.01)

    person = an.upsert_person(email_address="limited@example.org")

    assert faults.injected["rate_limit"] == 3
    assert action_network_id(person) is not None
    assert len(server.app.people_with_email("limited@example.org")) == 1


def test_the_emulators_rate_limit_is_survived(make_action_network_emulator):
    # One request per 100 ms, no client pacing: back-to-back signups run into 429s.
    server = make_action_network_emulator(rate=10.0, burst=1.0)
    an = connect_action_network(server, rate_limit=None)

    for address in emails(5, "burst"):
        an.upsert_person(email_address=address)

    assert server.app.rate_limited_count > 0
    assert all(len(server.app.people_with_email(a)) == 1 for a in emails(5, "burst"))
    assert server.app.person_count == 35


def test_client_side_pacing_avoids_429s(make_action_network_emulator):
    # The client paces at half the server's rate, and the server's bucket holds 3, so only a
    # stall of several intervals on a loaded machine could bunch requests into a 429.
    server = make_action_network_emulator(rate=20.0, burst=3.0)
    an = connect_action_network(server, rate_limit=10.0)

    for address in emails(8, "paced"):
        an.upsert_person(email_address=address)

    assert server.app.rate_limited_count == 0
    assert server.app.person_count == 38


@pytest.mark.parametrize("kind", ["server_error", "drop", "truncate"])
def test_signup_faults_are_retried_without_duplicates(make_action_network_emulator, kind):
    faults = FaultInjector()
    server = make_action_network_emulator(faults=faults)
    an = connect_action_network(server)
    # Every other signup fails once; `drop` and `truncate` fail after the emulator has already
    # stored the person, so a retry must land on the same record.
    results = []
    for index, address in enumerate(emails(6, kind)):
        if index % 2 == 0:
            faults.inject(kind, count=1, methods=["POST"], path_contains="/people")
        results.append(an.upsert_person(email_address=address, tags="Volunteers"))

    assert faults.injected[kind] == 3
    assert server.app.person_count == 36
    for address, result in zip(emails(6, kind), results):
        stored = server.app.people_with_email(address)
        assert [action_network_id(p) for p in stored] == [action_network_id(result)]
        assert server.app.tag_names_of(action_network_id(result)) == ["Volunteers"]


def test_a_slow_reply_times_out_and_is_retried_once(make_action_network_emulator):
    faults = FaultInjector()
    server = make_action_network_emulator(faults=faults)
    an = connect_action_network(server, timeout=(2.0, 0.2))
    faults.inject("slow", count=1, delay=0.5, methods=["POST"])

    person = an.upsert_person(email_address="slow@example.org")

    assert faults.injected["slow"] == 1
    assert [action_network_id(p) for p in server.app.people_with_email("slow@example.org")] == [
        action_network_id(person)
    ]


def test_reads_survive_dropped_connections_and_5xx(make_action_network_emulator):
    faults = FaultInjector()
    server = make_action_network_emulator(faults=faults)
    an = connect_action_network(server)
    faults.inject("drop", count=1, after=1, methods=["GET"])
    faults.inject("server_error", count=1, after=0, status=503, methods=["GET"])

    assert an.get_people().num_rows == 30
    assert faults.total_injected == 2


def test_persistent_server_errors_give_up_with_a_server_error(make_action_network_emulator):
    faults = FaultInjector()
    server = make_action_network_emulator(faults=faults)
    an = connect_action_network(server, retry=RetryPolicy(attempts=3, backoff=0.01, jitter=0))
    faults.inject("server_error", count=None, status=500)

    with pytest.raises(ServerError) as raised:
        an.get_tags()

    assert raised.value.status == 500
    assert len(server.app.requests_to("/api/v2/tags")) == 3


def test_a_bad_token_raises_authentication_error_at_once(action_network_emulator):
    an = connect_action_network(action_network_emulator, api_token="wrong-token-4711")

    with pytest.raises(AuthenticationError) as raised:
        an.upsert_person(email_address="never@example.org")

    assert raised.value.status == 403
    assert raised.value.body == {"error": "API Key invalid or not present"}
    assert isinstance(raised.value, requests.exceptions.HTTPError)
    assert "wrong-token-4711" not in str(raised.value)
    assert len(action_network_emulator.app.requests_to("/api/v2/people")) == 1
    assert action_network_emulator.app.person_by_email("never@example.org") is None
    assert str(raised.value) == (
        f"POST {action_network_emulator.url}/api/v2/people returned HTTP 403 FORBIDDEN: "
        '{"error":"API Key invalid or not present"}; the API token passed as api_token= (its '
        "env var is AN_API_TOKEN) was refused or lacks access: check the api_token "
        "argument"
    )


def test_a_bad_token_from_the_environment_names_the_variable(action_network_emulator, monkeypatch):
    monkeypatch.setenv("AN_API_TOKEN", "wrong-token-4712")
    an = connect_action_network(action_network_emulator, api_token=None)

    with pytest.raises(AuthenticationError) as raised:
        an.get_tags()

    assert str(raised.value) == (
        f"GET {action_network_emulator.url}/api/v2/tags?page=1&per_page=25 returned HTTP 403 "
        'FORBIDDEN: {"error":"API Key invalid or not present"}; the API token read from '
        "AN_API_TOKEN was refused or lacks access: check AN_API_TOKEN"
    )
    assert "wrong-token-4712" not in str(raised.value)


def test_the_token_never_reaches_logs_errors_or_reprs(make_action_network_emulator, caplog):
    token = "osdi-secret-0f9e8d7c"
    server = make_action_network_emulator(tokens=[token])
    an = connect_action_network(server, api_token=token)
    caplog.set_level(logging.DEBUG)

    an.get_people(limit=3)
    an.upsert_person(email_address="quiet@example.org", mobile_number="5125550177")
    errors = []
    for call in (lambda: an.get_person("missing"), lambda: an.upsert_person(email_address="x")):
        with pytest.raises(requests.exceptions.HTTPError) as raised:
            call()
        errors.append(raised.value)

    assert server.app.requests_to("/api/v2/people")[0].headers["Osdi-Api-Token"] == token
    assert token not in caplog.text
    assert all(token not in str(error) and token not in repr(error) for error in errors)
    assert token not in repr(an) and token not in repr(an.client)
    assert token not in repr(an.client.auth)
