"""The Action Network emulator over real HTTP: auth, HAL pages, the signup helper, taggings,
filters, validation, rate limit and faults."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from turnout.emulators.action_network import (
    AUTH_ERROR,
    DEFAULT_TAGS,
    DEFAULT_TOKEN,
    create_app,
)
from turnout.emulators.base import EmulatorServer, FaultInjector

HEADERS = {"OSDI-API-Token": DEFAULT_TOKEN}


def api(server: EmulatorServer, path: str) -> str:
    return f"{server.url}/api/v2/{path}"


def get(server: EmulatorServer, path: str, **params: Any) -> requests.Response:
    return requests.get(api(server, path), headers=HEADERS, params=params, timeout=5)


def signup(server: EmulatorServer, body: dict[str, Any], **params: Any) -> requests.Response:
    return requests.post(
        api(server, "people"), headers=HEADERS, json=body, params=params, timeout=5
    )


def person_id(resource: dict[str, Any]) -> str:
    return resource["identifiers"][0].split(":")[1]


def test_missing_and_bad_tokens_get_403_with_the_api_body(action_network_emulator):
    missing = requests.get(api(action_network_emulator, "people"), timeout=5)
    bad = requests.get(
        api(action_network_emulator, "people"), headers={"OSDI-API-Token": "nope"}, timeout=5
    )

    assert (missing.status_code, missing.json()) == (403, {"error": AUTH_ERROR})
    assert (bad.status_code, bad.json()) == (403, {"error": "API Key invalid or not present"})


def test_entry_point_describes_the_api(action_network_emulator):
    response = requests.get(api(action_network_emulator, ""), timeout=5)

    body = response.json()
    assert response.headers["Content-Type"] == "application/hal+json"
    assert (body["osdi_version"], body["max_page_size"]) == ("1.1.1", 25)
    assert body["_links"]["osdi:person_signup_helper"]["href"] == api(
        action_network_emulator, "people"
    )


def test_people_pages_keep_next_until_an_empty_page(action_network_emulator):
    first = get(action_network_emulator, "people").json()
    second = get(action_network_emulator, "people", page=2).json()
    third = get(action_network_emulator, "people", page=3).json()

    assert [len(p["_embedded"]["osdi:people"]) for p in (first, second, third)] == [25, 5, 0]
    assert first["_links"]["next"]["href"] == api(
        action_network_emulator, "people?page=2&per_page=25"
    )
    assert second["_links"]["next"]["href"].endswith("people?page=3&per_page=25")
    assert "next" not in third["_links"]
    assert "total_pages" not in first and "total_records" not in first
    assert third["_embedded"] == {"osdi:people": []}


def test_per_page_is_capped_at_25(action_network_emulator):
    body = get(action_network_emulator, "people", per_page=100).json()

    assert (body["per_page"], len(body["_embedded"]["osdi:people"])) == (25, 25)


def test_tags_collection_has_totals_and_absolute_links(action_network_emulator):
    body = get(action_network_emulator, "tags", per_page=3).json()
    last = get(action_network_emulator, "tags", per_page=3, page=2).json()

    assert (body["total_pages"], body["total_records"], body["page"]) == (2, 4, 1)
    assert [t["name"] for t in body["_embedded"]["osdi:tags"]] == list(DEFAULT_TAGS[:3])
    assert "next" in body["_links"] and "next" not in last["_links"]
    tag = body["_embedded"]["osdi:tags"][0]
    assert tag["_links"]["self"]["href"] == api(action_network_emulator, f"tags/{person_id(tag)}")


def test_same_seed_gives_the_same_people_and_another_seed_does_not():
    first = create_app(seed=3).store
    again = create_app(seed=3).store
    other = create_app(seed=4).store

    assert list(first.people) == list(again.people)
    assert [p["email_addresses"] for p in first.people.values()] == [
        p["email_addresses"] for p in again.people.values()
    ]
    assert list(first.people) != list(other.people)


def test_signup_creates_then_updates_the_same_person_by_email(action_network_emulator):
    created = signup(
        action_network_emulator,
        {"person": {"given_name": "Ana", "email_addresses": [{"address": "ana@example.org"}]}},
    ).json()
    updated = signup(
        action_network_emulator,
        {"person": {"family_name": "Lee", "email_addresses": [{"address": "ANA@example.org"}]}},
    ).json()

    assert created["identifiers"] == updated["identifiers"]
    assert created["created_date"] == created["modified_date"]
    assert updated["modified_date"] > updated["created_date"]
    assert (updated["given_name"], updated["family_name"]) == ("Ana", "Lee")
    assert len(action_network_emulator.app.people_with_email("ana@example.org")) == 1
    assert action_network_emulator.app.person_count == 31


def test_signup_status_defaults_email_subscribed_sms_unsubscribed(action_network_emulator):
    person = signup(
        action_network_emulator,
        {
            "person": {
                "email_addresses": [{"address": "bo@example.org"}],
                "phone_numbers": [{"number": "1 (512) 555-0100"}],
            }
        },
    ).json()

    assert person["email_addresses"] == [
        {"primary": True, "address": "bo@example.org", "status": "subscribed"}
    ]
    assert person["phone_numbers"] == [
        {
            "primary": True,
            "number": "15125550100",
            "number_type": "Mobile",
            "status": "unsubscribed",
        }
    ]


def test_existing_status_changes_only_when_posted(action_network_emulator):
    body = {
        "person": {"email_addresses": [{"address": "cy@example.org", "status": "unsubscribed"}]}
    }
    signup(action_network_emulator, body)
    again = signup(
        action_network_emulator, {"person": {"email_addresses": [{"address": "cy@example.org"}]}}
    )
    resubscribed = signup(
        action_network_emulator,
        {"person": {"email_addresses": [{"address": "cy@example.org", "status": "subscribed"}]}},
    )

    assert again.json()["email_addresses"][0]["status"] == "unsubscribed"
    assert resubscribed.json()["email_addresses"][0]["status"] == "subscribed"


def test_phone_only_person_is_matched_on_phone(action_network_emulator):
    first = signup(
        action_network_emulator, {"person": {"phone_numbers": [{"number": "5125550111"}]}}
    )
    second = signup(
        action_network_emulator,
        {"person": {"given_name": "Di", "phone_numbers": [{"number": "512-555-0111"}]}},
    )

    assert first.status_code == second.status_code == 200
    assert first.json()["identifiers"] == second.json()["identifiers"]
    assert second.json()["email_addresses"] == []
    assert action_network_emulator.app.person_count == 31


def test_phone_only_record_merges_with_an_email_signup(action_network_emulator):
    phone_only = signup(
        action_network_emulator, {"person": {"phone_numbers": [{"number": "5125550122"}]}}
    )
    merged = signup(
        action_network_emulator,
        {
            "person": {
                "email_addresses": [{"address": "ed@example.org"}],
                "phone_numbers": [{"number": "5125550122"}],
            }
        },
    )

    assert merged.json()["identifiers"] == phone_only.json()["identifiers"]
    assert [e["address"] for e in merged.json()["email_addresses"]] == ["ed@example.org"]
    assert action_network_emulator.app.person_count == 31


def test_phone_moves_between_two_people_with_emails(action_network_emulator):
    owner = signup(
        action_network_emulator,
        {
            "person": {
                "email_addresses": [{"address": "fa@example.org"}],
                "phone_numbers": [{"number": "5125550133"}],
            }
        },
    ).json()
    taker = signup(
        action_network_emulator,
        {
            "person": {
                "email_addresses": [{"address": "gi@example.org"}],
                "phone_numbers": [{"number": "5125550133"}],
            }
        },
    ).json()

    assert taker["identifiers"] != owner["identifiers"]
    assert [p["number"] for p in taker["phone_numbers"]] == ["5125550133"]
    assert action_network_emulator.app.person_by_email("fa@example.org")["phone_numbers"] == []


def test_custom_fields_merge(action_network_emulator):
    email = [{"address": "ha@example.org"}]
    signup(
        action_network_emulator, {"person": {"email_addresses": email, "custom_fields": {"a": "1"}}}
    )
    person = signup(
        action_network_emulator, {"person": {"email_addresses": email, "custom_fields": {"b": "2"}}}
    ).json()

    assert person["custom_fields"] == {"a": "1", "b": "2"}


def test_add_tags_by_name_ignores_unknown_and_remove_tags_removes(action_network_emulator):
    app = action_network_emulator.app
    email = [{"address": "io@example.org"}]
    person = signup(
        action_network_emulator,
        {"person": {"email_addresses": email}, "add_tags": ["Volunteers", "Donors", "No Such Tag"]},
    ).json()
    after_add = app.tag_names_of(person_id(person))
    signup(
        action_network_emulator, {"person": {"email_addresses": email}, "remove_tags": ["Donors"]}
    )

    assert after_add == ["Donors", "Volunteers"]
    assert app.tag_names_of(person_id(person)) == ["Volunteers"]
    assert app.store.tag_by_name("No Such Tag") is None


@pytest.mark.parametrize(
    ("person", "message"),
    [
        ({"given_name": "Nobody"}, "A person must have either an email address or a phone number"),
        (
            {"email_addresses": [{"address": "not-an-email"}]},
            "Email address not-an-email is invalid",
        ),
        (
            {"email_addresses": [{"address": "ok@example.org"}], "given_name": "x" * 256},
            "given_name is too long (maximum is 255 characters)",
        ),
        (
            {"email_addresses": [{"address": "ok@example.org"}], "family_name": "y" * 300},
            "family_name is too long (maximum is 255 characters)",
        ),
    ],
)
def test_signup_validation_errors(action_network_emulator, person, message):
    response = signup(action_network_emulator, {"person": person})

    assert (response.status_code, response.json()) == (400, {"error": message})
    assert action_network_emulator.app.person_count == 30


def test_body_that_is_not_json_is_a_400(action_network_emulator):
    response = requests.post(
        api(action_network_emulator, "people"), headers=HEADERS, data=b"{nope", timeout=5
    )

    assert response.status_code == 400
    assert response.json()["error"].startswith("Request body is not valid JSON")


def test_background_processing_answers_an_empty_object_and_applies(action_network_emulator):
    response = signup(
        action_network_emulator,
        {"person": {"email_addresses": [{"address": "jo@example.org"}]}},
        background_processing="true",
    )

    assert (response.status_code, response.json()) == (200, {})
    assert action_network_emulator.app.person_by_email("jo@example.org") is not None


def test_missing_person_is_a_404_with_the_api_text(action_network_emulator):
    response = get(action_network_emulator, "people/no-such-id")

    assert (response.status_code, response.json()) == (
        404,
        {"error": "Couldn't find person with id = no-such-id"},
    )


def test_put_person_updates_fields(action_network_emulator):
    person = signup(
        action_network_emulator, {"person": {"email_addresses": [{"address": "ka@example.org"}]}}
    ).json()
    response = requests.put(
        api(action_network_emulator, f"people/{person_id(person)}"),
        headers=HEADERS,
        json={
            "given_name": "Kay",
            "email_addresses": [{"status": "unsubscribed"}],
            "custom_fields": {"x": "y"},
        },
        timeout=5,
    )

    body = response.json()
    assert (body["given_name"], body["custom_fields"]) == ("Kay", {"x": "y"})
    assert body["email_addresses"] == [
        {"primary": True, "address": "ka@example.org", "status": "unsubscribed"}
    ]


def test_taggings_create_dedupe_list_and_delete(action_network_emulator):
    app = action_network_emulator.app
    tag = app.store.tag_by_name("Phonebank")
    person = signup(
        action_network_emulator, {"person": {"email_addresses": [{"address": "lu@example.org"}]}}
    ).json()
    link = {"_links": {"osdi:person": {"href": person["_links"]["self"]["href"]}}}
    url = api(action_network_emulator, f"tags/{tag['id']}/taggings")

    first = requests.post(url, headers=HEADERS, json=link, timeout=5).json()
    second = requests.post(url, headers=HEADERS, json=link, timeout=5).json()
    listed = requests.get(url, headers=HEADERS, timeout=5).json()
    tagging_id = person_id(first)
    deleted = requests.delete(f"{url}/{tagging_id}", headers=HEADERS, timeout=5)

    assert first["identifiers"] == second["identifiers"]
    assert first["_links"]["osdi:person"]["href"] == person["_links"]["self"]["href"]
    assert person_id(person) in [
        t["_links"]["osdi:person"]["href"].rsplit("/", 1)[1]
        for t in listed["_embedded"]["osdi:taggings"]
    ]
    assert deleted.status_code == 200
    assert app.tag_names_of(person_id(person)) == []


def test_tagging_without_a_valid_person_is_a_400(action_network_emulator):
    tag = action_network_emulator.app.store.tag_by_name("Volunteers")
    response = requests.post(
        api(action_network_emulator, f"tags/{tag['id']}/taggings"),
        headers=HEADERS,
        json={"_links": {"osdi:person": {"href": "http://x/api/v2/people/missing"}}},
        timeout=5,
    )

    assert (response.status_code, response.json()) == (
        400,
        {"error": "You must specify a valid person id"},
    )


def test_creating_an_existing_tag_returns_it(action_network_emulator):
    url = api(action_network_emulator, "tags")
    first = requests.post(url, headers=HEADERS, json={"name": "Volunteers"}, timeout=5).json()

    assert (
        first["identifiers"]
        == action_network_emulator.app.store.tag_by_name("Volunteers")["identifiers"]
    )
    assert get(action_network_emulator, "tags").json()["total_records"] == 4


def test_filter_on_email_and_modified_date(action_network_emulator):
    app = action_network_emulator.app
    someone = next(iter(app.store.people.values()))
    address = someone["email_addresses"][0]["address"]
    by_email = get(
        action_network_emulator, "people", filter=f"email_address eq '{address.upper()}'"
    )
    signup(
        action_network_emulator, {"person": {"email_addresses": [{"address": "new@example.org"}]}}
    )
    recent = get(action_network_emulator, "people", filter="modified_date gt '2025-01-01'")

    assert [person_id(p) for p in by_email.json()["_embedded"]["osdi:people"]] == [someone["id"]]
    assert [
        p["email_addresses"][0]["address"] for p in recent.json()["_embedded"]["osdi:people"]
    ] == ["new@example.org"]


def test_unparsable_filter_is_a_400(action_network_emulator):
    response = get(action_network_emulator, "people", filter="email_address like 'x'")

    assert response.status_code == 400
    assert (
        response.json()["error"]
        == "Invalid filter: cannot parse filter clause \"email_address like 'x'\""
    )


def test_events_and_forms_list_get_and_create(action_network_emulator):
    events = get(action_network_emulator, "events").json()
    forms = get(action_network_emulator, "forms").json()
    created = requests.post(
        api(action_network_emulator, "events"), headers=HEADERS, json={"title": "Rally"}, timeout=5
    ).json()
    fetched = get(action_network_emulator, f"events/{person_id(created)}").json()

    assert [e["title"] for e in events["_embedded"]["osdi:events"]] == [
        "Canvass kickoff",
        "Phonebank night",
        "Town hall",
        "Voter registration drive",
    ]
    assert forms["total_records"] == 3
    assert (fetched["title"], fetched["status"]) == ("Rally", "confirmed")


def test_rate_limit_answers_429_with_retry_after(make_action_network_emulator):
    server = make_action_network_emulator(rate=2.0, burst=2.0)

    statuses = [get(server, "tags").status_code for _ in range(4)]
    limited = get(server, "tags")

    assert statuses[:2] == [200, 200]
    assert 429 in statuses[2:]
    assert limited.status_code == 429
    assert 0 < float(limited.headers["Retry-After"]) <= 0.5
    assert limited.json() == {"error": "Too Many Requests"}
    assert server.app.rate_limited_count >= 2


def test_rate_limit_is_per_token(make_action_network_emulator):
    server = make_action_network_emulator(rate=1.0, burst=1.0, tokens=["one", "two"])

    codes = [
        requests.get(api(server, "tags"), headers={"OSDI-API-Token": token}, timeout=5).status_code
        for token in ("one", "two", "one")
    ]

    assert codes == [200, 200, 429]


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (500, "Internal Server Error"),
        (502, "Bad Gateway"),
        (503, "Service Unavailable"),
        (422, "Validation failed: the request was not accepted"),
        (400, "Validation failed: the request was not accepted"),
        (403, "API Key invalid or not present"),
        (401, "API Key invalid or not present"),
        (409, "Conflict"),
    ],
)
def test_injected_server_error_uses_the_api_shape(make_action_network_emulator, status, message):
    faults = FaultInjector()
    server = make_action_network_emulator(faults=faults)
    faults.inject("server_error", count=1, status=status, path_contains="/people")

    failed = get(server, "people")
    recovered = get(server, "people")

    assert (failed.status_code, failed.json()) == (status, {"error": message})
    assert recovered.status_code == 200
    assert faults.injected["server_error"] == 1


def test_turnout_emulate_builds_this_emulator():
    from turnout.emulators.serve import create_server

    with create_server("action_network", seed=1) as server:
        response = get(server, "tags")

    assert server.app.name == "action_network"
    assert server.url.startswith("http://127.0.0.1:")
    assert response.json()["total_records"] == 4


def test_bare_empty_pages_answer_an_empty_embedded(make_action_network_emulator):
    server = make_action_network_emulator(bare_empty_pages=True)

    body = get(server, "people", page=2).json()
    past = get(server, "people", page=3).json()

    assert len(body["_embedded"]["osdi:people"]) == 5
    assert past["_embedded"] == {}
