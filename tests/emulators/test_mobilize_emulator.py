"""The Mobilize emulator over real HTTP: envelope, cursor pages, auth, filters, errors, limits."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.fixtures.mobilize import FIXED_NOW, MOBILIZE_TEST_KEY
from turnout.emulators.base import EmulatorServer
from turnout.emulators.mobilize import create_app
from turnout.emulators.serve import create_server

AUTH = {"Authorization": f"Bearer {MOBILIZE_TEST_KEY}"}
PUBLIC_EVENT_IDS = [60001, 60002, 60003, 60004, 60005, 60006, 60008, 60009, 60010, 60012]


def get(server: EmulatorServer, path: str, **kwargs: object) -> requests.Response:
    return requests.get(f"{server.url}{path}", timeout=5, **kwargs)  # type: ignore[arg-type]


def test_a_list_body_is_the_documented_envelope(mobilize_emulator: EmulatorServer) -> None:
    body = get(mobilize_emulator, "/v1/events").json()
    assert list(body) == ["count", "next", "previous", "data", "metadata"]
    assert "error" not in body
    assert body["count"] == 10
    assert body["next"] is None and body["previous"] is None
    assert [event["id"] for event in body["data"]] == PUBLIC_EVENT_IDS


def test_default_page_is_25_and_next_carries_every_filter(
    make_mobilize_emulator: Callable[..., EmulatorServer],
) -> None:
    server = make_mobilize_emulator(attendances=60, organizations=1)
    first = get(server, "/v1/organizations/101/attendances?updated_since=0", headers=AUTH).json()
    assert first["count"] == 60
    assert len(first["data"]) == 25
    link = urlsplit(first["next"])
    assert f"{link.scheme}://{link.netloc}" == server.url
    assert link.path == "/v1/organizations/101/attendances"
    query = parse_qs(link.query)
    assert query["updated_since"] == ["0"] and query["per_page"] == ["25"]
    assert "cursor" in query

    second = requests.get(first["next"], headers=AUTH, timeout=5).json()
    third = requests.get(second["next"], headers=AUTH, timeout=5).json()
    assert [len(p["data"]) for p in (first, second, third)] == [25, 25, 10]
    assert third["next"] is None
    ids = [a["id"] for p in (first, second, third) for a in p["data"]]
    assert ids == list(range(100001, 100061))
    back = requests.get(third["previous"], headers=AUTH, timeout=5).json()
    assert [a["id"] for a in back["data"]] == list(range(100026, 100051))


def test_repeated_filters_survive_in_next_links(mobilize_emulator: EmulatorServer) -> None:
    body = get(
        mobilize_emulator, "/v1/events?organization_id=101&organization_id=103&per_page=2"
    ).json()
    query = parse_qs(urlsplit(body["next"]).query)
    assert query["organization_id"] == ["101", "103"] and query["per_page"] == ["2"]
    ids = [e["id"] for e in body["data"]]
    link = body["next"]
    while link:
        page = requests.get(link, timeout=5).json()
        ids += [e["id"] for e in page["data"]]
        link = page["next"]
    assert ids == [60001, 60002, 60003, 60006, 60008, 60009, 60010, 60012]


def test_page_param_and_bad_cursor_or_page(mobilize_emulator: EmulatorServer) -> None:
    page2 = get(mobilize_emulator, "/v1/events?per_page=4&page=2").json()
    assert [e["id"] for e in page2["data"]] == [60005, 60006, 60008, 60009]
    missing = get(mobilize_emulator, "/v1/events?per_page=4&page=9")
    assert missing.status_code == 404
    assert missing.json() == {"data": None, "error": {"detail": "Invalid page."}}
    bad = get(mobilize_emulator, "/v1/events?cursor=nonsense")
    assert bad.status_code == 404
    assert bad.json() == {"data": None, "error": {"detail": "Invalid cursor"}}


@pytest.mark.parametrize(
    "path",
    ["/v1/organizations/101/people", "/v1/organizations/101/attendances",
     "/v1/organizations/101/promoted_organizations", "/v1/organizations/101/attendances/100001",
     "/v1/organizations/101/events/60001/attendances"],
)  # fmt: skip
def test_protected_routes_refuse_a_missing_or_bad_key(
    mobilize_emulator: EmulatorServer, path: str
) -> None:
    missing = get(mobilize_emulator, path)
    assert missing.status_code == 403
    assert missing.json() == {
        "data": None,
        "error": {"detail": "Authentication credentials were not provided."},
    }
    bad = get(mobilize_emulator, path, headers={"Authorization": "Bearer wrong-key"})
    assert bad.status_code == 403
    assert bad.json() == {"data": None, "error": {"detail": "Invalid token."}}
    assert get(mobilize_emulator, path, headers=AUTH).status_code == 200


def test_public_events_hide_contact_and_private_events(mobilize_emulator: EmulatorServer) -> None:
    public = get(mobilize_emulator, "/v1/organizations/101/events").json()["data"]
    assert {e["contact"] is None for e in public} == {True}
    assert 60007 not in [e["id"] for e in public]

    private = get(mobilize_emulator, "/v1/organizations/101/events", headers=AUTH).json()["data"]
    assert [e["id"] for e in private] == [
        60001, 60002, 60003, 60005, 60006, 60007, 60008, 60009, 60012,
    ]  # fmt: skip
    assert private[0]["contact"]["email_address"].endswith("@example.org")
    assert get(mobilize_emulator, "/v1/events/60007").status_code == 404
    assert get(mobilize_emulator, "/v1/events/60001").json()["data"]["id"] == 60001


def test_private_visibility_without_a_key_is_403(mobilize_emulator: EmulatorServer) -> None:
    response = get(mobilize_emulator, "/v1/organizations/101/events?visibility=PRIVATE")
    assert response.status_code == 403
    with_key = get(
        mobilize_emulator, "/v1/organizations/101/events?visibility=PRIVATE", headers=AUTH
    )
    assert [e["id"] for e in with_key.json()["data"]] == [60007]


@pytest.mark.parametrize(
    ("query", "error"),
    [("organization_id=hello", {"organization_id": {"0": ["A valid integer is required."]}}),
     ("organization_id=1&organization_id=x",
      {"organization_id": {"1": ["A valid integer is required."]}}),
     ("updated_since=yesterday", {"updated_since": ["A valid integer is required."]}),
     ("timeslot_start=after_1", {"timeslot_start": {"0": [
         "Expected gte_, gt_, lte_ or lt_ followed by a Unix timestamp or 'now'."]}}),
     ("event_types=PARADE", {"event_types": {"0": ['"PARADE" is not a valid choice.']}}),
     ("is_virtual=maybe", {"is_virtual": ["Must be a valid boolean."]})],
)  # fmt: skip
def test_bad_input_is_a_field_keyed_400(
    mobilize_emulator: EmulatorServer, query: str, error: dict
) -> None:
    response = get(mobilize_emulator, f"/v1/events?{query}")
    assert response.status_code == 400
    assert response.json() == {"data": None, "error": error}


def _events(server: EmulatorServer, query: str) -> list[tuple[int, list[int]]]:
    body = get(server, f"/v1/events?{query}").json()
    return [(e["id"], [t["start_date"] for t in e["timeslots"]]) for e in body["data"]]


def test_timeslot_filters_keep_only_matching_timeslots(mobilize_emulator: EmulatorServer) -> None:
    # 1807984800 is the second timeslot of event 60001; "now" is FIXED_NOW (1798761600).
    between = "timeslot_start=gte_1807984800&timeslot_start=lt_1808499600"
    assert _events(mobilize_emulator, between) == [
        (60001, [1807984800]),
        (60003, [1808413200]),
        (60009, [1808316000]),
    ]  # fmt: skip
    strict = "timeslot_start=gt_1807984800&timeslot_start=lte_1808316000"
    assert _events(mobilize_emulator, strict) == [
        (60009, [1808316000]),
    ]  # fmt: skip
    upcoming = _events(mobilize_emulator, "timeslot_start=gte_now")
    assert [event_id for event_id, _ in upcoming] == [
        60001, 60003, 60004, 60006, 60009, 60010,
    ]  # fmt: skip
    assert all(start >= FIXED_NOW for _, starts in upcoming for start in starts)
    assert _events(mobilize_emulator, "timeslot_end=lt_1786000000") == [
        (60005, [1785776400]),
        (60008, [1785506400]),
    ]


def test_updated_since_and_other_event_filters(mobilize_emulator: EmulatorServer) -> None:
    since = [e for e, _ in _events(mobilize_emulator, "updated_since=1806256800")]
    assert since == [60001, 60004, 60009]
    assert [e for e, _ in _events(mobilize_emulator, "is_virtual=true")] == [
        60002, 60003, 60004, 60005, 60010,
    ]  # fmt: skip
    types = "event_types=CANVASS&event_types=TRAINING"
    assert [e for e, _ in _events(mobilize_emulator, types)] == [60006, 60009]
    assert [e for e, _ in _events(mobilize_emulator, "approval_status=PENDING_APPROVAL")] == [60011]


def test_deleted_events_and_organizations(mobilize_emulator: EmulatorServer) -> None:
    deleted = get(mobilize_emulator, "/v1/events/deleted").json()["data"]
    assert deleted == [
        {"id": 59001, "deleted_date": 1796169600},
        {"id": 59002, "deleted_date": 1796173200},
        {"id": 59003, "deleted_date": 1796176800},
    ]
    owned = get(mobilize_emulator, "/v1/events/deleted?organization_id=102").json()["data"]
    assert owned == [{"id": 59002, "deleted_date": 1796173200}]
    later = get(mobilize_emulator, "/v1/events/deleted?updated_since=1796173200").json()["data"]
    assert [d["id"] for d in later] == [59002, 59003]
    orgs = get(mobilize_emulator, "/v1/organizations?updated_since=1776297600").json()["data"]
    assert [o["id"] for o in orgs] == [102, 103]


def test_records_have_the_documented_shapes(mobilize_emulator: EmulatorServer) -> None:
    event = get(mobilize_emulator, "/v1/events/60001").json()["data"]
    assert event["location"]["address_lines"] == ["3295 E 7th St", ""]
    assert sorted(event["location"]) == [
        "address_lines", "congressional_district", "country", "locality", "location",
        "postal_code", "region", "state_leg_district", "state_senate_district", "venue",
    ]  # fmt: skip
    assert sorted(event["timeslots"][0]) == [
        "end_date", "id", "instructions", "is_full", "max_attendees", "start_date",
    ]  # fmt: skip
    attendance = get(
        mobilize_emulator, "/v1/organizations/101/attendances/100001", headers=AUTH
    ).json()["data"]
    assert list(attendance) == [
        "id", "created_date", "modified_date", "person", "event", "timeslot", "sponsor",
        "status", "attended", "referrer", "custom_signup_field_values",
    ]  # fmt: skip
    assert attendance["event"]["timeslots"] is None
    assert attendance["person"]["email_addresses"] == [
        {"primary": True, "address": "jamal.yamamoto0@example.org"}
    ]
    assert all(isinstance(attendance[k], int) for k in ("id", "created_date", "modified_date"))


def test_same_seed_same_records_and_another_seed_differs() -> None:
    first = create_app(seed=4).data
    again = create_app(seed=4).data
    other = create_app(seed=5).data
    assert first.events == again.events
    assert first.attendance(7, 101) == again.attendance(7, 101)
    assert first.events != other.events


def test_a_million_attendances_are_served_page_by_page(
    make_mobilize_emulator: Callable[..., EmulatorServer],
) -> None:
    server = make_mobilize_emulator(organizations=1, attendances=1_000_000, people=50_000)
    page = get(server, "/v1/organizations/101/attendances?page=40000&per_page=25", headers=AUTH)
    body = page.json()
    assert body["count"] == 1_000_000
    assert [a["id"] for a in body["data"]][:3] == [1_099_976, 1_099_977, 1_099_978]
    assert body["next"] is None


def test_the_rate_limit_is_per_key_with_retry_after(
    make_mobilize_emulator: Callable[..., EmulatorServer],
) -> None:
    server = make_mobilize_emulator(rate_limit=3.0, api_keys=(MOBILIZE_TEST_KEY, "other-key"))
    statuses = [get(server, "/v1/organizations/101/people", headers=AUTH) for _ in range(5)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429, 429]
    limited = statuses[3]
    assert 0 < float(limited.headers["Retry-After"]) <= 1 / 3 + 0.01
    assert limited.json()["data"] is None and "throttled" in limited.json()["error"]["detail"]
    other = get(
        server, "/v1/organizations/101/people", headers={"Authorization": "Bearer other-key"}
    )
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, {"detail": "A server error occurred."}),
        (503, {"detail": "A server error occurred."}),
        (422, {"non_field_errors": ["Invalid data."]}),
        (400, {"non_field_errors": ["Invalid data."]}),
        (403, {"detail": "Invalid token."}),
        (401, {"detail": "Authentication credentials were not provided."}),
        (404, {"detail": "Not found."}),
        (409, {"detail": "Conflict"}),
    ],
)
def test_an_injected_status_gets_a_body_that_agrees_with_it(
    mobilize_emulator: EmulatorServer, status: int, error: dict
) -> None:
    mobilize_emulator.app.faults.inject("server_error", 1, status=status)
    response = get(mobilize_emulator, "/v1/events")
    assert (response.status_code, response.json()) == (status, {"data": None, "error": error})


def test_injected_faults_use_the_api_error_shape(mobilize_emulator: EmulatorServer) -> None:
    mobilize_emulator.app.faults.inject("server_error", 1, status=502)
    response = get(mobilize_emulator, "/v1/events")
    assert response.status_code == 502
    assert response.json() == {"data": None, "error": {"detail": "A server error occurred."}}
    mobilize_emulator.app.faults.inject("rate_limit", 1, retry_after=0.5)
    limited = get(mobilize_emulator, "/v1/events")
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "0.500")


def test_enums_and_unknown_routes(mobilize_emulator: EmulatorServer) -> None:
    enums = get(mobilize_emulator, "/v1/enums").json()["data"]
    assert enums["visibility"] == ["PUBLIC", "PRIVATE"]
    missing = get(mobilize_emulator, "/v1/nothing")
    assert missing.status_code == 404
    assert missing.json() == {"data": None, "error": {"detail": "Not found."}}
    assert get(mobilize_emulator, "/v1/organizations/999/events").status_code == 404


def test_turnout_emulate_builds_the_mobilize_server() -> None:
    server = create_server("mobilize", seed=3)
    try:
        assert server.url.startswith("http://127.0.0.1:")
        assert server.app.name == "mobilize"
    finally:
        server._server.server_close()
