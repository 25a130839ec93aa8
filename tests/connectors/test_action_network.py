"""turnout.ActionNetwork against the emulator over real HTTP: methods, returns and the known
traps of Parsons 6.1 (phone-only people, phone lists, tag strings, the guide's add_person, SMS
consent, empty `_embedded`)."""

from __future__ import annotations

import logging

import orjson
import pytest
import requests

import turnout
from tests.fixtures.action_network import connect_action_network
from turnout.connectors.action_network import ActionNetwork, action_network_id, people
from turnout.emulators.action_network import DEFAULT_TOKEN
from turnout.errors import (
    ClientError,
    ConfigurationError,
    InvalidRecordError,
    NotFoundError,
)
from turnout.http import APIConnector
from turnout.table import Table


def last_post_body(server, path="/api/v2/people"):
    return orjson.loads(server.app.requests_to(path, "POST")[-1].body)


def test_turnout_exports_the_class():
    assert turnout.ActionNetwork is ActionNetwork


def test_token_and_url_come_from_the_environment(monkeypatch, action_network_emulator):
    monkeypatch.setenv("AN_API_TOKEN", DEFAULT_TOKEN)
    monkeypatch.setenv("AN_API_URL", action_network_emulator.url + "/api/v2")

    an = ActionNetwork(rate_limit=None)

    assert an.api_url == action_network_emulator.url + "/api/v2"
    assert an.get_tags().num_rows == 4
    assert isinstance(an.client, APIConnector) and an.api is an.client


def test_missing_token_names_the_variable(monkeypatch):
    monkeypatch.delenv("AN_API_TOKEN", raising=False)

    with pytest.raises(ConfigurationError, match="AN_API_TOKEN"):
        ActionNetwork()


def test_default_url_is_the_real_api_and_nothing_is_sent(monkeypatch):
    monkeypatch.delenv("AN_API_URL", raising=False)

    assert ActionNetwork("some-token-value").api_url == "https://actionnetwork.org/api/v2"


def test_get_people_pages_through_everything_as_a_table(action_network, action_network_emulator):
    table = action_network.get_people()

    assert isinstance(table, Table)
    assert table.num_rows == 30
    expected = [p["email_addresses"] for p in action_network_emulator.app.store.people.values()]
    assert table.column_data("email_addresses") == expected
    # 25 + 5 + the empty page that ends the people collection
    assert len(action_network_emulator.app.requests_to("/api/v2/people", "GET")) == 3


def test_get_people_limit_stops_early(action_network, action_network_emulator):
    table = action_network.get_people(limit=7, per_page=5)

    assert table.num_rows == 7
    assert len(action_network_emulator.app.requests_to("/api/v2/people", "GET")) == 2


def test_get_people_with_page_returns_that_pages_json(action_network):
    body = action_network.get_people(page=2, per_page=100)

    assert (body["page"], body["per_page"]) == (2, 25)
    assert len(body["_embedded"]["osdi:people"]) == 5


def test_get_people_filter(action_network):
    created = action_network.upsert_person(email_address="filter.me@example.org")

    table = action_network.get_people(filter="email_address eq 'filter.me@example.org'")

    assert table.column_data("identifiers") == [created["identifiers"]]


def test_get_person_and_missing_person(action_network):
    person = action_network.upsert_person(email_address="gp@example.org", given_name="Gia")

    fetched = action_network.get_person(action_network_id(person))
    with pytest.raises(NotFoundError) as missing:
        action_network.get_person("no-such-person")

    assert fetched["given_name"] == "Gia"
    assert "Couldn't find person with id = no-such-person" in str(missing.value)
    assert missing.value.body == {"error": "Couldn't find person with id = no-such-person"}


def test_get_person_by_email_and_phone(action_network):
    person = action_network.upsert_person(
        email_address="o'hara@example.org", mobile_number="(512) 555-0199"
    )

    assert (
        action_network.get_person_by_email("O'Hara@example.org")["identifiers"]
        == person["identifiers"]
    )
    assert (
        action_network.get_person_by_phone("512.555.0199")["identifiers"] == person["identifiers"]
    )
    assert action_network.get_person_by_email("nobody@example.org") is None


def test_upsert_returns_the_person_and_updates_in_place(action_network, action_network_emulator):
    first = action_network.upsert_person(
        email_address="up@example.org",
        given_name="Uma",
        family_name="Park",
        languages_spoken="es",
        postal_addresses={"postal_code": "78702"},
        volunteer_level="lead",
    )
    second = action_network.upsert_person(email_address="up@example.org", family_name="Parker")

    assert first["identifiers"] == second["identifiers"]
    assert first["identifiers"][0].startswith("action_network:")
    assert (second["given_name"], second["family_name"]) == ("Uma", "Parker")
    assert second["languages_spoken"] == ["es"]
    assert second["postal_addresses"][0]["postal_code"] == "78702"
    assert second["custom_fields"] == {"volunteer_level": "lead"}
    assert len(action_network_emulator.app.people_with_email("up@example.org")) == 1


def test_custom_fields_dict_is_merged_not_nested(action_network, action_network_emulator):
    action_network.upsert_person(
        email_address="cf@example.org", custom_fields={"shirt": "M"}, team="north"
    )

    assert last_post_body(action_network_emulator)["person"]["custom_fields"] == {
        "team": "north",
        "shirt": "M",
    }


def test_phone_only_upsert_works(action_network, action_network_emulator):
    person = action_network.upsert_person(mobile_number="555-123-4567")

    assert last_post_body(action_network_emulator) == {
        "person": {"phone_numbers": [{"number": "5551234567"}]}
    }
    assert person["email_addresses"] == []
    assert [p["number"] for p in person["phone_numbers"]] == ["5551234567"]
    assert (
        action_network_emulator.app.person_by_phone("5551234567")["identifiers"]
        == person["identifiers"]
    )


def test_a_list_of_phone_strings_is_sent(action_network, action_network_emulator):
    person = action_network.upsert_person(
        email_address="phones@example.org", mobile_number=["555-123-4567"]
    )

    assert last_post_body(action_network_emulator)["person"]["phone_numbers"] == [
        {"number": "5551234567", "primary": True}
    ]
    assert [p["number"] for p in person["phone_numbers"]] == ["5551234567"]


def test_int_and_dict_phone_numbers(action_network, action_network_emulator):
    action_network.upsert_person(email_address="i@example.org", mobile_number=15125550100)
    as_int = last_post_body(action_network_emulator)["person"]["phone_numbers"]
    action_network.upsert_person(
        email_address="d@example.org", mobile_number=[{"number": "15125550101", "primary": True}]
    )
    as_dicts = last_post_body(action_network_emulator)["person"]["phone_numbers"]

    assert as_int == [{"number": "15125550100"}]
    assert as_dicts == [{"number": "15125550101", "primary": True}]


def test_a_tag_string_is_sent_as_a_one_item_list(action_network, action_network_emulator):
    person = action_network.upsert_person(email_address="tagged@example.org", tags="Volunteers")

    assert last_post_body(action_network_emulator)["add_tags"] == ["Volunteers"]
    assert action_network_emulator.app.tag_names_of(action_network_id(person)) == ["Volunteers"]


def test_neither_email_nor_phone_raises_before_any_request(action_network, action_network_emulator):
    before = len(action_network_emulator.app.requests)

    with pytest.raises(InvalidRecordError, match="needs an email_address or a mobile_number"):
        action_network.upsert_person(given_name="Nobody", email_address="", mobile_number=None)
    with pytest.raises(ValueError):
        action_network.add_person(given_name="Nobody")

    assert len(action_network_emulator.app.requests) == before


def test_a_phone_without_digits_is_refused(action_network):
    with pytest.raises(InvalidRecordError, match="mobile_number 'n/a' has no digits"):
        action_network.upsert_person(email_address="x@example.org", mobile_number="n/a")


def test_the_guides_add_person_call_applies_the_tag_and_returns_the_person(
    action_network, action_network_emulator
):
    mobilize_user = {
        "email_address": "attendee@example.org",
        "given_name": "Ada",
        "family_name": "Obi",
        "phone_number": "512-555-0142",
        "postal_code": "78702",
    }

    actionnetwork_user = action_network.add_person(
        email_address=mobilize_user["email_address"],
        given_name=mobilize_user["given_name"],
        family_name=mobilize_user["family_name"],
        mobile_number=mobilize_user["phone_number"],
        tag="Mobilize Event Attendee",
        postal_addresses=[{"postal_code": mobilize_user["postal_code"]}],
    )
    identifiers = actionnetwork_user["identifiers"]
    actionnetworkid = [  # noqa: RUF015 (the guide's code, as users write it)
        entry_id.split(":")[1] for entry_id in identifiers if "action_network:" in entry_id
    ][0]

    stored = action_network_emulator.app.person_by_email("attendee@example.org")
    assert action_network_id(stored) == actionnetworkid
    assert action_network_emulator.app.tag_names_of(actionnetworkid) == ["Mobilize Event Attendee"]
    assert stored["postal_addresses"][0]["postal_code"] == "78702"
    assert "tag" not in stored["custom_fields"]


def test_add_person_does_not_subscribe_phones_and_says_so_once(
    action_network, action_network_emulator, caplog, monkeypatch
):
    monkeypatch.setattr(people, "_warned_add_person", False)
    caplog.set_level(logging.INFO, logger="turnout.connectors.action_network")

    first = action_network.add_person(email_address="sms1@example.org", mobile_number="5125550150")
    body = last_post_body(action_network_emulator)
    action_network.add_person(email_address="sms2@example.org", mobile_number="5125550151")

    assert body["person"]["phone_numbers"] == [{"number": "5125550150"}]
    assert first["phone_numbers"][0]["status"] == "unsubscribed"
    notes = [r for r in caplog.records if "not subscribed to SMS" in r.getMessage()]
    assert len(notes) == 1
    assert notes[0].levelno == logging.WARNING


def test_add_person_without_a_phone_gives_no_sms_warning(
    action_network, action_network_emulator, caplog, monkeypatch
):
    monkeypatch.setattr(people, "_warned_add_person", False)
    caplog.set_level(logging.INFO, logger="turnout.connectors.action_network")

    action_network.add_person(email_address="nophone@example.org")
    action_network.add_person(
        email_address="consented@example.org",
        mobile_number="5125550154",
        mobile_status="subscribed",
    )
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []

    action_network.add_person(email_address="phone@example.org", mobile_number="5125550155")
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == [
        "add_person: phone numbers are not subscribed to SMS unless mobile_status is passed "
        "(Parsons' add_person subscribed every number by default); pass "
        "mobile_status='subscribed' only for people who agreed to texts"
    ]


def test_upsert_person_does_not_subscribe_phones_either(action_network, action_network_emulator):
    person = action_network.upsert_person(
        email_address="sms3@example.org", mobile_number="5125550152"
    )

    assert "status" not in last_post_body(action_network_emulator)["person"]["phone_numbers"][0]
    assert person["phone_numbers"][0]["status"] == "unsubscribed"


def test_mobile_status_subscribes_when_passed(action_network, action_network_emulator):
    person = action_network.add_person(
        email_address="sms4@example.org", mobile_number="5125550153", mobile_status="subscribed"
    )

    assert last_post_body(action_network_emulator)["person"]["phone_numbers"] == [
        {"number": "5125550153", "status": "subscribed"}
    ]
    assert person["phone_numbers"][0]["status"] == "subscribed"


def test_bad_mobile_status_is_refused(action_network):
    with pytest.raises(InvalidRecordError, match="mobile_status"):
        action_network.upsert_person(email_address="x@example.org", mobile_status="yes")


def test_background_processing_returns_an_empty_dict(action_network, action_network_emulator):
    result = action_network.upsert_person(
        email_address="bg@example.org", background_processing=True
    )

    assert result == {}
    assert action_network_emulator.app.person_by_email("bg@example.org") is not None


@pytest.mark.parametrize(
    ("fields", "api_text"),
    [
        ({"email_address": "not-an-email"}, "Email address not-an-email is invalid"),
        (
            {"email_address": "long@example.org", "given_name": "n" * 256},
            "given_name is too long (maximum is 255 characters)",
        ),
    ],
)
def test_the_apis_error_text_surfaces_in_a_client_error(action_network, fields, api_text):
    with pytest.raises(ClientError) as raised:
        action_network.upsert_person(**fields)

    assert api_text in str(raised.value)
    assert raised.value.status == 400
    assert raised.value.body == {"error": api_text}
    assert isinstance(raised.value, requests.exceptions.HTTPError)


def test_the_api_itself_rejects_a_person_without_email_or_phone(action_network):
    with pytest.raises(ClientError) as raised:
        action_network.client.post_request("people", json={"person": {"given_name": "X"}})

    assert raised.value.body == {
        "error": "A person must have either an email address or a phone number"
    }


def test_update_person(action_network):
    person = action_network.upsert_person(email_address="upd@example.org")

    updated = action_network.update_person(
        action_network_id(person),
        given_name="Ula",
        email_addresses=[{"status": "unsubscribed"}],
        custom_fields={"k": "v"},
    )

    assert updated["given_name"] == "Ula"
    assert updated["email_addresses"][0]["status"] == "unsubscribed"
    assert updated["custom_fields"] == {"k": "v"}


def test_tags_taggings(action_network, action_network_emulator):
    tags = action_network.get_tags()
    new_tag = action_network.add_tag("Canvassers")
    tag_id = action_network_id(new_tag)
    person = action_network.upsert_person(email_address="tg@example.org")

    tagging = action_network.add_tagging(tag_id, action_network_id(person))
    again = action_network.add_tagging(tag_id, action_network_id(person))
    listed = action_network.get_taggings(tag_id)
    fetched = action_network.get_tagging(tag_id, action_network_id(tagging))
    action_network.delete_tagging(tag_id, action_network_id(tagging))

    assert tags.column_data("name") == [
        "Volunteers",
        "Donors",
        "Mobilize Event Attendee",
        "Phonebank",
    ]
    assert action_network.get_tag(tag_id)["name"] == "Canvassers"
    assert tagging["identifiers"] == again["identifiers"] == fetched["identifiers"]
    assert listed.num_rows == 1
    assert action_network_emulator.app.tag_names_of(action_network_id(person)) == []


def test_create_tagging_with_a_payload(action_network, action_network_emulator):
    tag = action_network_emulator.app.store.tag_by_name("Donors")
    person = action_network.upsert_person(email_address="ct@example.org")

    action_network.create_tagging(
        tag["id"], {"_links": {"osdi:person": {"href": person["_links"]["self"]["href"]}}}
    )

    assert action_network_emulator.app.tag_names_of(action_network_id(person)) == ["Donors"]


def test_events_and_forms(action_network):
    events = action_network.get_events()
    forms = action_network.get_forms()
    created = action_network.create_event("Rally", start_date="2026-01-10 18:00:00")
    event = action_network.get_event(created["event_id"])
    form = action_network.get_form(action_network_id(forms[0]))

    assert events.column_data("title") == [
        "Canvass kickoff",
        "Phonebank night",
        "Town hall",
        "Voter registration drive",
    ]
    assert forms.column_data("title") == [
        "Volunteer interest",
        "Host an event",
        "Newsletter sign-up",
    ]
    assert (event["title"], event["start_date"]) == ("Rally", "2026-01-10 18:00:00")
    assert form["title"] == "Volunteer interest"
    assert action_network.get_events(page=1)["total_records"] == 5


def test_a_page_with_an_empty_embedded_gives_an_empty_table(make_action_network_emulator):
    server = make_action_network_emulator(bare_empty_pages=True, people=0, tags=(), forms=0)
    an = connect_action_network(server)

    body = an.get_people(page=1)
    assert body["_embedded"] == {}
    for table in (an.get_people(), an.get_tags(), an.get_forms()):
        assert isinstance(table, Table)
        assert table.num_rows == 0


def test_a_bare_empty_last_page_ends_the_people(make_action_network_emulator):
    server = make_action_network_emulator(bare_empty_pages=True, people=26)

    assert connect_action_network(server).get_people().num_rows == 26


def test_update_person_turns_email_and_mobile_into_the_apis_lists(
    action_network, action_network_emulator
):
    person = action_network.upsert_person(email_address="conv@example.org")

    action_network.update_person(
        action_network_id(person), mobile_number="512-555-0190", mobile_status="unsubscribed"
    )
    sent = orjson.loads(action_network_emulator.app.requests_to("/api/v2/people/", "PUT")[-1].body)

    assert sent == {"phone_numbers": [{"number": "5125550190", "status": "unsubscribed"}]}


def test_get_tags_per_page_is_deprecated_and_ignored(action_network):
    with pytest.warns(DeprecationWarning, match="per_page"):
        tags = action_network.get_tags(per_page=2)

    assert tags.num_rows == 4
