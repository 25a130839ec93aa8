"""The Mobilize emulator's write routes: events, signups keyed by email, affiliations."""

from __future__ import annotations

from collections.abc import Callable

import requests

from tests.fixtures.mobilize import FIXED_NOW, MOBILIZE_TEST_KEY
from turnout.emulators.base import EmulatorServer

AUTH = {"Authorization": f"Bearer {MOBILIZE_TEST_KEY}"}
SIGNUP = {
    "person": {
        "given_name": "Ana",
        "family_name": "Reyes",
        "email_address": "Ana.Reyes@Example.org",
        "phone_number": "",
        "postal_code": "78702",
    },
    "sms_opt_in": "OPT_IN",
    "timeslots": [{"timeslot_id": 700001}, {"timeslot_id": 700002}],
    "referrer": {"utm_source": "newsletter"},
}
NEW_EVENT = {
    "title": "Porch Chat",
    "event_type": "MEETING",
    "timezone": "America/Chicago",
    "timeslots": [{"start_date": FIXED_NOW + 86_400, "end_date": FIXED_NOW + 90_000}],
    "location": {"postal_code": "78702", "address_lines": ["1 Main St"], "locality": "Austin"},
}


def call(server: EmulatorServer, method: str, path: str, **kwargs: object) -> requests.Response:
    return requests.request(method, f"{server.url}{path}", timeout=5, **kwargs)  # type: ignore[arg-type]


def test_a_signup_creates_one_attendance_per_timeslot_and_is_idempotent(
    mobilize_emulator: EmulatorServer,
) -> None:
    path = "/v1/organizations/101/events/60001/attendances"
    first = call(mobilize_emulator, "POST", path, json=SIGNUP, headers=AUTH)
    assert first.status_code == 201
    created = first.json()["data"]
    assert [a["timeslot"]["id"] for a in created] == [700001, 700002]
    assert [a["id"] for a in created] == [100061, 100062]
    person = created[0]["person"]
    assert (person["id"], person["email_addresses"]) == (
        5041,
        [{"primary": True, "address": "ana.reyes@example.org"}],
    )
    assert person["phone_numbers"] == [] and person["sms_opt_in_status"] == "OPT_IN"
    assert created[0]["referrer"]["utm_source"] == "newsletter"

    again = call(mobilize_emulator, "POST", path, json=SIGNUP, headers=AUTH)
    assert [a["id"] for a in again.json()["data"]] == [100061, 100062]  # no duplicates

    listed = call(mobilize_emulator, "GET", "/v1/organizations/101/attendances?per_page=100",
                  headers=AUTH).json()  # fmt: skip
    assert listed["count"] == 42
    assert [a["id"] for a in listed["data"][-2:]] == [100061, 100062]
    one = call(mobilize_emulator, "GET", "/v1/organizations/101/attendances/100062", headers=AUTH)
    assert one.json()["data"]["timeslot"]["id"] == 700002


def test_a_signup_with_a_known_email_reuses_the_person(mobilize_emulator: EmulatorServer) -> None:
    body = {
        **SIGNUP,
        "person": {**SIGNUP["person"], "email_address": "jamal.yamamoto0@example.org"},
    }
    response = call(
        mobilize_emulator, "POST", "/v1/organizations/101/events/60001/attendances",
        json={**body, "timeslots": [{"timeslot_id": 700003}]}, headers=AUTH,
    )  # fmt: skip
    assert response.json()["data"][0]["person"]["id"] == 5001


def test_bad_signups_are_field_keyed_400s(mobilize_emulator: EmulatorServer) -> None:
    path = "/v1/organizations/101/events/60001/attendances"
    bad_slot = call(mobilize_emulator, "POST", path, headers=AUTH,
                    json={**SIGNUP, "timeslots": [{"timeslot_id": 1}]})  # fmt: skip
    assert bad_slot.status_code == 400
    assert bad_slot.json() == {
        "data": None, "error": {"timeslots": {"0": {"timeslot_id": ["Invalid pk."]}}},
    }  # fmt: skip
    no_email = {**SIGNUP, "person": {**SIGNUP["person"], "email_address": ""}}
    missing = call(mobilize_emulator, "POST", path, json=no_email, headers=AUTH)
    assert missing.json()["error"] == {"person": {"email_address": ["This field is required."]}}
    wrong_org = call(mobilize_emulator, "POST", "/v1/organizations/103/events/60001/attendances",
                     json=SIGNUP, headers=AUTH)  # fmt: skip
    assert wrong_org.status_code == 400
    assert call(mobilize_emulator, "POST", path, json=SIGNUP).status_code == 403


def test_create_replace_and_delete_an_event(mobilize_emulator: EmulatorServer) -> None:
    created = call(mobilize_emulator, "POST", "/v1/organizations/102/events", json=NEW_EVENT,
                   headers=AUTH)  # fmt: skip
    assert created.status_code == 201
    event = created.json()["data"]
    assert (event["id"], event["sponsor"]["id"], event["title"]) == (60013, 102, "Porch Chat")
    assert event["location"]["address_lines"] == ["1 Main St", ""]
    public = call(mobilize_emulator, "GET", "/v1/events?organization_id=102").json()["data"]
    assert [e["id"] for e in public] == [60004, 60005, 60013]

    replaced = call(
        mobilize_emulator, "PUT", "/v1/organizations/102/events/60013",
        json={**NEW_EVENT, "title": "Porch Chat (moved)"}, headers=AUTH,
    )  # fmt: skip
    assert replaced.json()["data"]["title"] == "Porch Chat (moved)"

    deleted = call(mobilize_emulator, "DELETE", "/v1/organizations/102/events/60013", headers=AUTH)
    assert deleted.status_code == 200
    assert call(mobilize_emulator, "GET", "/v1/events/60013").status_code == 404
    gone = call(mobilize_emulator, "GET", "/v1/events/deleted?organization_id=102").json()["data"]
    assert gone[-1] == {"id": 60013, "deleted_date": FIXED_NOW}


def test_an_invalid_event_body_names_every_field(mobilize_emulator: EmulatorServer) -> None:
    response = call(mobilize_emulator, "POST", "/v1/organizations/102/events",
                    json={"event_type": "PARADE"}, headers=AUTH)  # fmt: skip
    assert response.status_code == 400
    assert response.json()["error"] == {
        "title": ["This field is required."],
        "event_type": ['"PARADE" is not a valid choice.'],
        "timeslots": ["This field is required."],
        "location": {"postal_code": ["This field is required."]},
    }
    other_org = call(mobilize_emulator, "PUT", "/v1/organizations/102/events/60001",
                     json=NEW_EVENT, headers=AUTH)  # fmt: skip
    assert other_org.status_code == 404


def test_affiliations_are_created_then_updated(mobilize_emulator: EmulatorServer) -> None:
    fields = {**SIGNUP["person"], "sms_opt_in": "UNSPECIFIED"}
    first = call(mobilize_emulator, "POST", "/v1/organizations/103/affiliations", json=fields,
                 headers=AUTH)  # fmt: skip
    assert first.status_code == 201
    again = call(mobilize_emulator, "POST", "/v1/organizations/103/affiliations", json=fields,
                 headers=AUTH)  # fmt: skip
    assert again.status_code == 200
    people = call(mobilize_emulator, "GET", "/v1/organizations/103/people?per_page=100",
                  headers=AUTH).json()  # fmt: skip
    assert people["count"] == 14
    assert people["data"][-1]["id"] == first.json()["data"]["id"] == 5041


def test_writes_are_throttled_at_their_own_rate(
    make_mobilize_emulator: Callable[..., EmulatorServer],
) -> None:
    server = make_mobilize_emulator(write_rate_limit=2.0)
    fields = {**SIGNUP["person"], "sms_opt_in": "UNSPECIFIED"}
    statuses = [
        call(
            server, "POST", "/v1/organizations/103/affiliations", json=fields, headers=AUTH
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [201, 200, 429]
    assert call(server, "GET", "/v1/events").status_code == 200  # reads have their own bucket
