"""Deterministic starting data: a group with some people, tags, taggings, events and forms.

The same seed gives the same records, identifiers and dates, so a test can name what it expects.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from turnout.emulators.action_network.store import Store, format_date

GIVEN_NAMES = (
    "Ana", "Ben", "Carmen", "Deshawn", "Elena", "Farid", "Grace", "Hiro", "Imani", "Jorge",
    "Keiko", "Luis", "Maya", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tariq",
)  # fmt: skip
FAMILY_NAMES = (
    "Lee", "Garcia", "Okafor", "Nguyen", "Smith", "Haddad", "Kim", "Lopez", "Patel", "Johnson",
    "Cohen", "Baptiste", "Rivera", "Chen", "Williams", "Kowalski", "Diaz", "Murphy",
)  # fmt: skip
POSTAL_CODES = ("78702", "60614", "19104", "94110", "30310", "48201", "97214", "02139")
DEFAULT_TAGS = ("Volunteers", "Donors", "Mobilize Event Attendee", "Phonebank")
EVENT_TITLES = ("Canvass kickoff", "Phonebank night", "Town hall", "Voter registration drive")
FORM_TITLES = ("Volunteer interest", "Host an event", "Newsletter sign-up")

# Seeded records are dated in the past, before anything a test or a run writes.
SEED_EPOCH = datetime(2024, 3, 25, 17, 0, 0, tzinfo=UTC)


def seed_store(
    store: Store,
    seed: int,
    *,
    people: int = 30,
    tags: tuple[str, ...] = DEFAULT_TAGS,
    events: int = 4,
    forms: int = 3,
) -> None:
    """Fill `store` with `people` people, the named tags, a few taggings, events and forms."""
    rng = random.Random(f"action_network-seed-{seed}")

    for index, name in enumerate(tags):
        tag_id = store.new_id()
        stamp = format_date(SEED_EPOCH + timedelta(minutes=index))
        store.tags[tag_id] = {
            "id": tag_id,
            "identifiers": [f"action_network:{tag_id}"],
            "name": name,
            "created_date": stamp,
            "modified_date": stamp,
        }

    tag_ids = list(store.tags)
    for index in range(people):
        _seed_person(store, rng, index, tag_ids)

    for index in range(events):
        _seed_action(store, "event", index, EVENT_TITLES[index % len(EVENT_TITLES)], rng)
    for index in range(forms):
        _seed_action(store, "form", index, FORM_TITLES[index % len(FORM_TITLES)], rng)


def _seed_person(store: Store, rng: random.Random, index: int, tag_ids: list[str]) -> None:
    given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
    person_id = store.new_id()
    created = SEED_EPOCH + timedelta(days=index, hours=rng.randint(0, 23))
    modified = created + timedelta(days=rng.randint(0, 30), minutes=rng.randint(0, 59))
    number = f"1555{rng.randint(0, 9_999_999):07d}"
    store.people[person_id] = {
        "id": person_id,
        "identifiers": [f"action_network:{person_id}"],
        "created_date": format_date(created),
        "modified_date": format_date(modified),
        "given_name": given,
        "family_name": family,
        "languages_spoken": ["en"] if rng.random() < 0.8 else ["es"],
        "email_addresses": [
            {
                "primary": True,
                "address": f"{given.lower()}.{family.lower()}{index}@example.org",
                "status": "subscribed" if rng.random() < 0.85 else "unsubscribed",
            }
        ],
        "phone_numbers": [
            {
                "primary": True,
                "number": number,
                "number_type": "Mobile",
                "status": "subscribed" if rng.random() < 0.3 else "unsubscribed",
            }
        ],
        "postal_addresses": [
            {
                "primary": True,
                "postal_code": rng.choice(POSTAL_CODES),
                "country": "US",
                "language": "en",
            }
        ],
        "custom_fields": {"volunteer_level": rng.choice(["new", "active", "lead"])},
    }
    if tag_ids and rng.random() < 0.4:
        tag_id = rng.choice(tag_ids)
        store.insert_tagging(tag_id, person_id, format_date(modified))


def _seed_action(store: Store, kind: str, index: int, title: str, rng: random.Random) -> None:
    action_id = store.new_id()
    created = SEED_EPOCH + timedelta(days=index * 3)
    resource = {
        "id": action_id,
        "identifiers": [f"action_network:{action_id}"],
        "created_date": format_date(created),
        "modified_date": format_date(created + timedelta(hours=1)),
        "title": title,
        "origin_system": "Action Network",
    }
    if kind == "event":
        resource["status"] = "confirmed"
        resource["start_date"] = format_date(created + timedelta(days=14, hours=18 - created.hour))
        resource["total_accepted"] = rng.randint(0, 60)
        resource["location"] = {
            "venue": "Community Center",
            "locality": "Austin",
            "region": "TX",
            "postal_code": rng.choice(POSTAL_CODES),
            "country": "US",
        }
        store.events[action_id] = resource
    else:
        resource["description"] = f"{title} form"
        resource["total_submissions"] = rng.randint(0, 200)
        store.forms[action_id] = resource
