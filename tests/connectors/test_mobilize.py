"""MobilizeAmerica against the emulator over real HTTP: every method, every filter, the
Tables Parsons 6.1 returns (same columns, same nesting), and pulls over many pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from tests.fixtures.mobilize import MOBILIZE_TEST_KEY, ORG_101_ATTENDANCE_IDS
from turnout.connectors.mobilize import MissingAPIKeyError, MobilizeAmerica
from turnout.emulators.base import EmulatorServer
from turnout.errors import ConfigurationError
from turnout.http import APIConnector
from turnout.table import Table

ORGANIZATION_COLUMNS = [
    "id", "name", "slug", "is_coordinated", "is_independent", "race_type",
    "is_primary_campaign", "state", "district", "candidate_name", "event_feed_url",
    "created_date", "modified_date", "org_type", "logo_url",
]  # fmt: skip

# The columns Parsons 6.1 gives an event Table before its timeslot columns (checked by running
# Parsons 6.1.0 against this emulator): sponsor_* and location keys sorted, lat/long last.
EVENT_COLUMNS = [
    "id", "title", "summary", "description", "featured_image_url", "high_priority", "timezone",
    "event_type", "browser_url", "contact", "tags", "event_campaign", "created_date",
    "modified_date", "visibility", "address_visibility", "created_by_volunteer_host",
    "approval_status", "is_virtual", "virtual_action_url", "accessibility_status",
    "accessibility_notes", "instructions", "sponsor_candidate_name", "sponsor_created_date",
    "sponsor_district", "sponsor_event_feed_url", "sponsor_id", "sponsor_is_coordinated",
    "sponsor_is_independent", "sponsor_is_primary_campaign", "sponsor_logo_url",
    "sponsor_modified_date", "sponsor_name", "sponsor_org_type", "sponsor_race_type",
    "sponsor_slug", "sponsor_state", "address_lines", "congressional_district", "country",
    "locality", "postal_code", "region", "state_leg_district", "state_senate_district", "venue",
    "latitude", "longitude",
]  # fmt: skip
TIMESLOT_KEYS = ["end_date", "id", "instructions", "is_full", "max_attendees", "start_date"]


def timeslot_columns(groups: int) -> list[str]:
    return [f"timeslots_{n}_{key}" for n in range(groups) for key in TIMESLOT_KEYS]


PERSON_COLUMNS = [
    "id", "person_id", "user_id", "created_date", "modified_date", "given_name", "family_name",
    "email_addresses", "phone_numbers", "postal_addresses", "sms_opt_in_status", "blocked_date",
]  # fmt: skip
ATTENDANCE_COLUMNS = [
    "id", "created_date", "modified_date", "person", "event", "timeslot", "sponsor", "status",
    "attended", "referrer", "custom_signup_field_values",
]  # fmt: skip

PUBLIC_EVENT_IDS = [60001, 60002, 60003, 60004, 60005, 60006, 60008, 60009, 60010, 60012]


def ids(table: Table) -> list[int]:
    return table.column_data("id")


# --- organizations ---------------------------------------------------------------------------


def test_get_organizations(mobilize: MobilizeAmerica) -> None:
    table = mobilize.get_organizations()
    assert table.columns == ORGANIZATION_COLUMNS
    assert ids(table) == [1, 101, 102, 103]
    assert table[1] == {
        "id": 101, "name": "Eastside Organizing Project", "slug": "eastside",
        "is_coordinated": False, "is_independent": True, "race_type": None,
        "is_primary_campaign": False, "state": "TX", "district": "", "candidate_name": "",
        "event_feed_url": "https://www.mobilize.us/eastside/", "created_date": 1681084800,
        "modified_date": 1772841600, "org_type": "INDEPENDENT",
        "logo_url": "https://mobilize-uploads-prod.s3.amazonaws.com/branding/eastside.png",
    }  # fmt: skip


@pytest.mark.parametrize(
    "since", ["2026-04-16", 1776297600, dt.date(2026, 4, 16), dt.datetime(2026, 4, 16, 0, 0)]
)
def test_get_organizations_updated_since(mobilize: MobilizeAmerica, since: object) -> None:
    assert ids(mobilize.get_organizations(updated_since=since)) == [102, 103]


def test_get_promoted_organizations(mobilize: MobilizeAmerica) -> None:
    table = mobilize.get_promoted_organizations(101)
    assert table.columns == ORGANIZATION_COLUMNS
    assert ids(table) == [102, 103]


# --- events ----------------------------------------------------------------------------------


def test_get_events_flattens_like_parsons(mobilize: MobilizeAmerica) -> None:
    table = mobilize.get_events()
    assert table.columns == EVENT_COLUMNS + timeslot_columns(4)
    assert ids(table) == PUBLIC_EVENT_IDS

    first = table[0]
    assert (first["sponsor_id"], first["sponsor_slug"]) == (101, "eastside")
    assert first["address_lines"] == "3295 E 7th St "  # both lines joined by a space
    assert (first["locality"], first["region"], first["postal_code"]) == ("Durham", "NC", "27701")
    assert (first["latitude"], first["longitude"]) == (36.0037, -78.8816)
    assert first["contact"] is None  # public endpoint, no key sent (as Parsons)
    assert [first[f"timeslots_{n}_id"] for n in range(4)] == [700001, 700002, 700003, None]
    assert first["timeslots_0_start_date"] == 1807380000

    virtual = table[1]
    assert (virtual["id"], virtual["is_virtual"]) == (60002, True)
    assert [virtual[c] for c in ("venue", "address_lines", "latitude")] == [None, None, None]


@pytest.mark.parametrize(
    ("organization_id", "expected"),
    [([101, 102], [60001, 60002, 60003, 60004, 60005, 60006, 60008, 60012]),
     (103, [60009, 60010]), ("103", [60009, 60010])],
)  # fmt: skip
def test_get_events_by_organization(
    mobilize: MobilizeAmerica, organization_id: object, expected: list[int]
) -> None:
    assert ids(mobilize.get_events(organization_id=organization_id)) == expected


@pytest.mark.parametrize(("max_timeslots", "groups"), [(0, 0), (1, 1), (2, 2), (6, 4)])
def test_get_events_max_timeslots(
    mobilize: MobilizeAmerica, max_timeslots: int, groups: int
) -> None:
    # A cap above the longest list gives only the groups that hold a value (as Parsons).
    table = mobilize.get_events(max_timeslots=max_timeslots)
    assert table.columns == EVENT_COLUMNS + timeslot_columns(groups)


def test_get_events_timeslots_table(mobilize: MobilizeAmerica) -> None:
    tables = mobilize.get_events(timeslots_table=True)
    assert set(tables) == {"events", "timeslots"}
    assert tables["events"].columns == EVENT_COLUMNS
    slots = tables["timeslots"]
    assert slots.columns == ["event_id"] + [f"timeslots_{key}" for key in TIMESLOT_KEYS]
    assert slots.num_rows == 26
    assert slots.column_data("timeslots_id")[:4] == [700001, 700002, 700003, 700011]
    assert slots.column_data("event_id")[:4] == [60001, 60001, 60001, 60002]


def test_get_events_timeslot_start_keeps_matching_timeslots(mobilize: MobilizeAmerica) -> None:
    table = mobilize.get_events(timeslot_start=">=2027-01-01")
    assert ids(table) == [60001, 60003, 60004, 60006, 60009, 60010]
    starts = [row[c] for row in table for c in table.columns if c.endswith("_start_date")]
    assert min(s for s in starts if s is not None) >= 1798761600


def test_get_events_timeslot_end_and_updated_since(mobilize: MobilizeAmerica) -> None:
    table = mobilize.get_events(timeslot_end="<2026-08-05 06:00")
    assert ids(table) == [60005, 60008]
    assert table.columns == EVENT_COLUMNS + timeslot_columns(1)
    assert ids(mobilize.get_events(updated_since="2027-03-28 18:00")) == [60001, 60004, 60009]


def test_get_events_both_timeslot_bounds(mobilize: MobilizeAmerica) -> None:
    table = mobilize.get_events(timeslot_start=">2027-04-18", timeslot_end="<=2027-04-30")
    assert ids(table) == [60001, 60003, 60009]
    # 60001's slots start Apr 10, Apr 17 and Apr 24: only the last is after Apr 18.
    assert table.column_data("timeslots_0_id") == [700003, 700021, 700081]


def test_a_timeslot_filter_without_an_operator_is_refused(mobilize: MobilizeAmerica) -> None:
    with pytest.raises(ConfigurationError) as caught:
        mobilize.get_events(timeslot_start="2027-01-01")
    assert str(caught.value) == (
        "timeslot_start='2027-01-01': start with one of >=, >, <=, < followed by a date"
    )


def test_an_empty_event_pull_is_an_empty_table(mobilize: MobilizeAmerica) -> None:
    table = mobilize.get_events(timeslots_table=True, updated_since="2030-01-01")
    assert isinstance(table, Table) and table.num_rows == 0


def test_get_events_organization(mobilize: MobilizeAmerica) -> None:
    table = mobilize.get_events_organization(101)
    assert ids(table) == [60001, 60002, 60003, 60005, 60006, 60007, 60008, 60009, 60012]
    assert table.columns == EVENT_COLUMNS + timeslot_columns(4)
    assert table[0]["contact"]["email_address"].endswith("@example.org")  # the key was sent
    since = mobilize.get_events_organization(101, updated_since=1806256800, max_timeslots=0)
    assert ids(since) == [60001, 60007, 60009]


# --- deleted events, people, attendances -----------------------------------------------------


def test_get_events_deleted(mobilize: MobilizeAmerica) -> None:
    table = mobilize.get_events_deleted()
    assert table.columns == ["id", "deleted_date"]
    assert [list(row.values()) for row in table] == [
        [59001, 1796169600], [59002, 1796173200], [59003, 1796176800],
    ]  # fmt: skip
    assert ids(mobilize.get_events_deleted(organization_id=102)) == [59002]
    assert ids(mobilize.get_events_deleted(organization_id=[101, 103])) == [59001, 59003]
    assert ids(mobilize.get_events_deleted(updated_since=1796173200)) == [59002, 59003]


def test_get_people(mobilize: MobilizeAmerica) -> None:
    table = mobilize.get_people(101)
    assert table.columns == PERSON_COLUMNS
    assert table.num_rows == 40
    assert table[0] == {
        "id": 5001, "person_id": 5001, "user_id": 80001, "created_date": 1738281600,
        "modified_date": 1746057600, "given_name": "Jamal", "family_name": "Yamamoto",
        "email_addresses": [{"primary": True, "address": "jamal.yamamoto0@example.org"}],
        "phone_numbers": [{"primary": True, "number": "6725550000"}],
        "postal_addresses": [{"primary": True, "postal_code": "67202"}],
        "sms_opt_in_status": "OPT_OUT", "blocked_date": None,
    }  # fmt: skip


def test_get_people_of_several_organizations_and_a_string_id(mobilize: MobilizeAmerica) -> None:
    org_102 = [5002 + 3 * n for n in range(13)]
    org_103 = [5003 + 3 * n for n in range(13)]
    assert ids(mobilize.get_people([102, 103])) == org_102 + org_103
    assert ids(mobilize.get_people("102")) == org_102  # Parsons would split "102" into digits


def test_get_people_updated_since(mobilize: MobilizeAmerica) -> None:
    table = mobilize.get_people(102, updated_since=1755349291)
    assert ids(table) == [5011, 5014, 5029, 5038]
    assert min(table.column_data("modified_date")) == 1755349291  # the bound is inclusive


def test_get_attendances(mobilize: MobilizeAmerica) -> None:
    table = mobilize.get_attendances(101)
    assert table.columns == ATTENDANCE_COLUMNS
    assert ids(table) == ORG_101_ATTENDANCE_IDS
    first = table[0]
    assert first["person"]["id"] == 5001 and first["event"]["id"] == 60001
    assert first["timeslot"] == {"id": 700001, "start_date": 1807380000, "end_date": 1807390800}
    assert first["sponsor"]["id"] == 101


def test_get_attendances_updated_since(mobilize: MobilizeAmerica) -> None:
    table = mobilize.get_attendances(101, updated_since="2026-08-01")
    assert ids(table) == ORG_101_ATTENDANCE_IDS[14:]
    assert min(table.column_data("modified_date")) >= 1785542400


def test_get_attendances_with_no_argument_uses_the_constructor(
    mobilize_emulator: EmulatorServer, make_mobilize: Callable[..., MobilizeAmerica]
) -> None:
    client = make_mobilize(mobilize_emulator, organization_id=102)
    assert ids(client.get_attendances()) == [
        100004, 100005, 100016, 100017, 100028, 100029, 100040, 100041, 100052, 100053,
    ]  # fmt: skip


def test_get_attendances_with_no_argument_uses_the_env_var(
    mobilize_emulator: EmulatorServer,
    make_mobilize: Callable[..., MobilizeAmerica],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MOBILIZE_AMERICA_ORGANIZATION_ID", "103")
    client = make_mobilize(mobilize_emulator)
    assert ids(client.get_attendances())[:3] == [100009, 100010, 100021]


def test_get_attendances_without_any_organization_names_both_sources(
    mobilize_emulator: EmulatorServer,
    make_mobilize: Callable[..., MobilizeAmerica],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MOBILIZE_AMERICA_ORGANIZATION_ID", raising=False)
    client = make_mobilize(mobilize_emulator)
    with pytest.raises(ConfigurationError) as caught:
        client.get_attendances()
    assert str(caught.value) == (
        "MobilizeAmerica.get_attendances needs an organization: pass organization_id, give "
        "MobilizeAmerica(organization_id=...), or set MOBILIZE_AMERICA_ORGANIZATION_ID"
    )
    assert mobilize_emulator.app.requests == []


def test_many_small_pages_return_every_record_once(
    mobilize_emulator: EmulatorServer, make_mobilize: Callable[..., MobilizeAmerica]
) -> None:
    client = make_mobilize(mobilize_emulator, per_page=3)
    assert ids(client.get_attendances(101)) == ORG_101_ATTENDANCE_IDS
    pages = mobilize_emulator.app.requests_to("/attendances")
    assert len(pages) == 14  # ceil(40 / 3)
    assert "per_page=3" in pages[0].query and "cursor=" in pages[-1].query


def test_iter_pages_streams_checked_pages(mobilize: MobilizeAmerica) -> None:
    pages = mobilize.iter_pages("organizations/101/attendances")
    assert [a["id"] for a in next(pages)] == ORG_101_ATTENDANCE_IDS[:7]
    assert sum(len(page) for page in pages) == 33


# --- configuration ---------------------------------------------------------------------------


def test_key_and_base_url_come_from_env_vars(
    mobilize_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOBILIZE_AMERICA_API_KEY", MOBILIZE_TEST_KEY)
    monkeypatch.setenv("MOBILIZE_AMERICA_URI", f"{mobilize_emulator.url}/v1")
    client = MobilizeAmerica(rate_limit=None)
    assert client.uri == f"{mobilize_emulator.url}/v1/"
    assert ids(client.get_promoted_organizations(101)) == [102, 103]
    assert isinstance(client.client, APIConnector)


def test_public_methods_work_without_a_key(
    mobilize_emulator: EmulatorServer,
    make_mobilize: Callable[..., MobilizeAmerica],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MOBILIZE_AMERICA_API_KEY", raising=False)
    client = make_mobilize(mobilize_emulator, api_key=None)
    assert ids(client.get_events()) == PUBLIC_EVENT_IDS
    assert ids(client.get_organizations()) == [1, 101, 102, 103]
    assert client.get_events_deleted().num_rows == 3


@pytest.mark.parametrize(
    ("method", "args"),
    [("get_people", (101,)), ("get_attendances", (101,)), ("get_promoted_organizations", (101,)),
     ("get_events_organization", (101,))],
)  # fmt: skip
def test_protected_methods_without_a_key_name_the_env_var(
    mobilize_emulator: EmulatorServer,
    make_mobilize: Callable[..., MobilizeAmerica],
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    args: tuple,
) -> None:
    monkeypatch.delenv("MOBILIZE_AMERICA_API_KEY", raising=False)
    client = make_mobilize(mobilize_emulator, api_key=None)
    with pytest.raises(MissingAPIKeyError) as caught:
        getattr(client, method)(*args)
    assert str(caught.value) == (
        f"MobilizeAmerica.{method} needs an API key: pass api_key= or set MOBILIZE_AMERICA_API_KEY"
    )
    assert isinstance(caught.value, TypeError)  # what Parsons raises here
    assert mobilize_emulator.app.requests == []
