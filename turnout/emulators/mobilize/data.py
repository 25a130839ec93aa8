"""A seeded, deterministic generator of Mobilize records.

Organizations, events (with timeslots and locations) and deleted events are few, so they are
built up front. People and attendances can number in the millions, so each is computed from
its index when a page asks for it; only compact index arrays (8 bytes a record) are kept, per
organization, to know which attendances it may see. The same seed always gives the same
records, whatever order the pages are read in.
"""

from __future__ import annotations

import copy
import random
import threading
import unicodedata
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from turnout.emulators.mobilize import vocabulary as words

DAY = 86_400
DEFAULT_EPOCH = 1_798_761_600  # 2027-01-01T00:00:00Z: the middle of the generated calendar
PLATFORM_ORG_ID = 1  # Mobilize itself: promotes every public event (the deprecated /v1/events)
FIRST_ORG_ID = 101
FIRST_EVENT_ID = 60_001
FIRST_DELETED_EVENT_ID = 59_001
FIRST_TIMESLOT_ID = 700_001
FIRST_PERSON_ID = 5_001
FIRST_USER_ID = 80_001
FIRST_ATTENDANCE_ID = 100_001


def _rng(seed: int, kind: int, index: int) -> random.Random:
    return random.Random((seed * 1_000_003 + kind) * 10_000_019 + index)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


class MobilizeData:
    """Every record the emulator serves, for one seed and one set of sizes."""

    def __init__(
        self,
        *,
        seed: int = 0,
        organizations: int = 3,
        events: int = 12,
        people: int = 40,
        attendances: int = 60,
        deleted_events: int = 3,
        epoch: int = DEFAULT_EPOCH,
    ) -> None:
        if organizations < 1 or events < 1 or people < 1:
            raise ValueError("need at least one organization, one event and one person")
        self.seed = seed
        self.epoch = epoch
        self.people_count = people
        self.attendance_count = attendances
        self._lock = threading.Lock()
        self._attendance_index: dict[int, Sequence[int]] = {}

        self.customer_ids = [FIRST_ORG_ID + n for n in range(organizations)]
        self.primary_org_id = self.customer_ids[0]
        self.organizations = [self._platform()] + [
            self._organization(n) for n in range(organizations)
        ]
        self.organizations_by_id = {org["id"]: org for org in self.organizations}
        self.promoted_orgs: dict[int, list[int]] = {
            PLATFORM_ORG_ID: list(self.customer_ids),
            self.primary_org_id: self.customer_ids[1:3],
        }

        self.event_owner = [self._owner_of_event(j) for j in range(events)]
        self.event_promoters = [self._promoters_of_event(j) for j in range(events)]
        self.events = [self._event(j) for j in range(events)]
        self.events_by_id = {event["id"]: j for j, event in enumerate(self.events)}
        self.deleted_events = [self._deleted_event(k) for k in range(deleted_events)]
        self.deleted_owner = [self.customer_ids[k % organizations] for k in range(deleted_events)]

        # Records written through the API, kept beside the generated ones (see writes.py).
        self.removed_events: set[int] = set()
        self.written_people: list[dict[str, Any]] = []  # person index people_count + k
        self.written_attendances: list[WrittenAttendance] = []  # index attendance_count + k
        self.affiliations: dict[int, list[int]] = {}  # org id -> person indexes it gained
        self.written_attendances_of: dict[int, list[int]] = {}  # org id -> attendance indexes
        self.written_timeslots = 0

    # --- organizations ---------------------------------------------------------------------

    def _platform(self) -> dict[str, Any]:
        return {
            "id": PLATFORM_ORG_ID, "name": "Mobilize", "slug": "mobilize",
            "is_coordinated": False, "is_independent": False, "race_type": None,
            "is_primary_campaign": False, "state": "", "district": "", "candidate_name": "",
            "event_feed_url": "https://www.mobilize.us/", "created_date": self.epoch - 2000 * DAY,
            "modified_date": self.epoch - 900 * DAY, "org_type": "OTHER",
            "logo_url": "https://mobilize-uploads-prod.s3.amazonaws.com/branding/mobilize.png",
        }  # fmt: skip

    def _organization(self, n: int) -> dict[str, Any]:
        rng = _rng(self.seed, 1, n)
        name, slug, state, org_type = words.ORGANIZATION_NAMES[n % len(words.ORGANIZATION_NAMES)]
        if n >= len(words.ORGANIZATION_NAMES):
            name, slug = f"{name} {n + 1}", f"{slug}-{n + 1}"
        candidate = org_type == "COORDINATED"
        created = self.epoch - rng.randint(400, 1500) * DAY
        return {
            "id": FIRST_ORG_ID + n,
            "name": name,
            "slug": slug,
            "is_coordinated": candidate,
            "is_independent": org_type == "INDEPENDENT",
            "race_type": "STATE_HOUSE" if candidate else None,
            "is_primary_campaign": candidate,
            "state": state,
            "district": str(rng.randint(1, 40)) if candidate else "",
            "candidate_name": "Jordan Rivera" if candidate else "",
            "event_feed_url": f"https://www.mobilize.us/{slug}/",
            "created_date": created,
            "modified_date": self.epoch - (300 - 40 * n) * DAY,
            "org_type": org_type,
            "logo_url": f"https://mobilize-uploads-prod.s3.amazonaws.com/branding/{slug}.png",
        }

    # --- events ----------------------------------------------------------------------------

    def _owner_of_event(self, j: int) -> int:
        others = self.customer_ids[1:]
        if not others or j % 5 < 3:
            return self.primary_org_id
        return others[(j // 5) % len(others)]

    def _promoters_of_event(self, j: int) -> frozenset[int]:
        owner = self._owner_of_event(j)
        promoters = {PLATFORM_ORG_ID}
        if owner in self.promoted_orgs.get(self.primary_org_id, []) and j % 2 == 0:
            promoters.add(self.primary_org_id)
        return frozenset(promoters)

    def _event(self, j: int) -> dict[str, Any]:
        rng = _rng(self.seed, 2, j)
        owner = self.organizations_by_id[self.event_owner[j]]
        event_id = FIRST_EVENT_ID + j
        event_type = words.EVENT_TYPES[rng.randrange(len(words.EVENT_TYPES))]
        is_virtual = event_type in {"PHONE_BANK", "TEXT_BANK", "ADVOCACY_CALL"} or j % 9 == 4
        address_private = not is_virtual and j % 8 == 3
        place = words.PLACES[rng.randrange(len(words.PLACES))]
        timezone = words.TIMEZONES.get(place[1], "America/New_York")
        start = self.epoch + rng.randint(-200, 200) * DAY + rng.choice((10, 14, 17, 18)) * 3600
        created = start - rng.randint(10, 60) * DAY
        host = f"{_ascii(rng.choice(words.GIVEN_NAMES))}.{_ascii(rng.choice(words.FAMILY_NAMES))}"
        tags = sorted(rng.sample(words.TAGS, rng.choice((0, 0, 1, 2))))
        return {
            "id": event_id,
            "title": f"{place[0]} {words.EVENT_TITLES[event_type]}",
            "summary": "",
            "description": f"<p>Join {owner['name']} for a {event_type.lower()} event.</p>",
            "featured_image_url": "" if j % 3 else f"https://cdn.example.org/events/{event_id}.jpg",
            "high_priority": j % 10 == 0,
            "timezone": timezone,
            "event_type": event_type,
            "browser_url": f"https://www.mobilize.us/{owner['slug']}/event/{event_id}/",
            "sponsor": owner,
            "timeslots": self._timeslots(j, rng, start),
            "location": None if is_virtual else self._location(rng, place, address_private),
            "contact": {
                "name": host.replace(".", " ").title(),
                "email_address": f"{host}@{words.EMAIL_DOMAINS[j % 3]}",
                "phone_number": f"555{rng.randint(1_000_000, 9_999_999)}",
                "owner_user_id": FIRST_USER_ID + rng.randrange(self.people_count),
            },
            "tags": [{"id": tag_id, "name": tag} for tag_id, tag in tags],
            "event_campaign": None
            if j % 4
            else {
                "id": 400 + j % 3,
                "slug": f"weekend-of-action-{j % 3 + 1}",
                "event_create_page_url": f"https://www.mobilize.us/{owner['slug']}/create/",
            },
            "created_date": created,
            "modified_date": created + rng.randint(0, 9) * DAY,
            "visibility": "PRIVATE" if j % 7 == 6 else "PUBLIC",
            "address_visibility": "PRIVATE" if address_private else "PUBLIC",
            "created_by_volunteer_host": j % 6 == 5,
            "approval_status": "PENDING_APPROVAL" if j % 11 == 10 else "APPROVED",
            "is_virtual": is_virtual,
            "virtual_action_url": f"https://meet.example.org/{event_id}" if is_virtual else None,
            "accessibility_status": (None, "ACCESSIBLE", "NOT_SURE")[j % 3],
            "accessibility_notes": "Step-free entrance" if j % 3 == 1 else None,
            "instructions": "Bring a charged phone." if j % 2 else None,
        }

    def _timeslots(self, j: int, rng: random.Random, start: int) -> list[dict[str, Any]]:
        count = rng.choice((1, 1, 1, 2, 3, 4))
        step = rng.choice((DAY, 7 * DAY))
        slots = []
        for k in range(count):
            begin = start + k * step
            capacity = rng.choice((None, None, 20, 50))
            slots.append(
                {
                    "id": FIRST_TIMESLOT_ID + j * 10 + k,
                    "start_date": begin,
                    "end_date": begin + rng.choice((2, 3)) * 3600,
                    "max_attendees": capacity,
                    "is_full": capacity is not None and (j + k) % 5 == 0,
                    "instructions": None if k else "Check in at the front desk.",
                }
            )
        return slots

    def _location(
        self, rng: random.Random, place: tuple[Any, ...], private: bool
    ) -> dict[str, Any]:
        locality, region, postal, latitude, longitude, cd, sld, ssd = place
        street = f"{rng.randint(100, 4999)} {rng.choice(words.STREETS)}"
        venue = rng.choice(words.VENUES)
        if private:
            venue, street = words.PRIVATE_ADDRESS, words.PRIVATE_ADDRESS
        return {
            "venue": venue,
            "address_lines": [street, "" if rng.random() < 0.7 else f"Suite {rng.randint(1, 40)}"],
            "locality": locality,
            "region": region,
            "country": "US",
            "postal_code": postal,
            "location": None
            if private
            else {
                "latitude": round(latitude + rng.uniform(-0.03, 0.03), 4),
                "longitude": round(longitude + rng.uniform(-0.03, 0.03), 4),
            },
            "congressional_district": cd,
            "state_leg_district": sld,
            "state_senate_district": ssd,
        }

    def _deleted_event(self, k: int) -> dict[str, Any]:
        return {"id": FIRST_DELETED_EVENT_ID + k, "deleted_date": self.epoch - 30 * DAY + k * 3600}

    def org_event_indexes(self, org_id: int) -> list[int]:
        """Events an organization lists: those it owns and those it promotes."""
        return [
            j
            for j in range(len(self.events))
            if (self.event_owner[j] == org_id or org_id in self.event_promoters[j])
            and j not in self.removed_events
        ]

    # --- people ----------------------------------------------------------------------------

    def person(self, p: int) -> dict[str, Any]:
        """Person number `p` (0-based); past the generated ones, a person written by a POST."""
        if p >= self.people_count:
            return copy.deepcopy(self.written_people[p - self.people_count])
        return _person(self.seed, self.epoch, p)

    def org_people_indexes(self, org_id: int) -> Sequence[int]:
        """People affiliated with an organization (the primary one has every generated one)."""
        if org_id == self.primary_org_id:
            generated: Sequence[int] = range(self.people_count)
        elif org_id in self.customer_ids:
            position = self.customer_ids.index(org_id)
            generated = range(position, self.people_count, len(self.customer_ids))
        else:
            generated = []
        gained = self.affiliations.get(org_id)
        return IndexChain(generated, gained) if gained else generated

    # --- attendances -----------------------------------------------------------------------

    def event_of_attendance(self, i: int) -> int:
        if i >= self.attendance_count:
            return self.written_attendances[i - self.attendance_count].event_index
        return (i * 2_654_435_761 + self.seed * 97) % len(self.events)

    def person_of_attendance(self, i: int) -> int:
        return (i * 40_503 + self.seed * 7) % self.people_count

    def attendance_sponsor(self, i: int) -> int:
        j = self.event_of_attendance(i)
        promoters = self.event_promoters[j] - {PLATFORM_ORG_ID}
        if promoters and i % 3 == 0:
            return min(promoters)
        return self.event_owner[j]

    def attendance_created(self, i: int) -> int:
        span = 300 * DAY
        return self.epoch - 250 * DAY + (i * span) // max(1, self.attendance_count)

    def attendance_modified(self, i: int) -> int:
        if i >= self.attendance_count:
            return self.written_attendances[i - self.attendance_count].record["modified_date"]
        return self.attendance_created(i) + (i * 7_919 + self.seed) % (10 * DAY)

    def org_attendance_indexes(self, org_id: int) -> Sequence[int]:
        """Attendances an organization sees: the generated ones (a compact index array, built
        once), then those written through the API."""
        generated = self._generated_attendance_indexes(org_id)
        written = self.written_attendances_of.get(org_id)
        return IndexChain(generated, written) if written else generated

    def _generated_attendance_indexes(self, org_id: int) -> Sequence[int]:
        if self.customer_ids == [org_id]:
            return range(self.attendance_count)  # one organization sees them all
        with self._lock:
            found = self._attendance_index.get(org_id)
            if found is None:
                found = array("q")
                owner = self.event_owner
                for i in range(self.attendance_count):
                    j = self.event_of_attendance(i)
                    if owner[j] == org_id or self.attendance_sponsor(i) == org_id:
                        found.append(i)
                self._attendance_index[org_id] = found
            return found

    def attendance(self, i: int, viewer_org: int) -> dict[str, Any]:
        """Attendance number `i` as organization `viewer_org` sees it."""
        if i >= self.attendance_count:
            return copy.deepcopy(self.written_attendances[i - self.attendance_count].record)
        rng = _rng(self.seed, 4, i)
        j = self.event_of_attendance(i)
        event = self.events[j]
        owner = self.event_owner[j]
        sponsor = self.attendance_sponsor(i)
        slot = event["timeslots"][i % len(event["timeslots"])]
        embedded = dict(event)
        embedded["timeslots"] = None  # as the API documents for an attendance's event
        # TODO: the API leaves out `id` (and all but `event_type` of the event) when an
        # independent organization views an attendance of a coordinated one's event; the
        # emulator always sends them, so clients are not tested against that shape.
        record: dict[str, Any] = {
            "id": FIRST_ATTENDANCE_ID + i,
            "created_date": self.attendance_created(i),
            "modified_date": self.attendance_modified(i),
            "person": self.person(self.person_of_attendance(i)),
            "event": embedded,
            "timeslot": {
                "id": slot["id"],
                "start_date": slot["start_date"],
                "end_date": slot["end_date"],
            },
            "sponsor": self.organizations_by_id[sponsor],
            "status": ("REGISTERED", "REGISTERED", "CONFIRMED", "CANCELLED")[rng.randrange(4)],
            "attended": (None, None, True, False)[rng.randrange(4)],
        }
        if sponsor == owner:  # omitted when the signup came through someone else's promotion
            source = words.UTM_SOURCES[rng.randrange(len(words.UTM_SOURCES))]
            record["referrer"] = {
                "utm_source": source,
                "utm_medium": None if rng.random() < 0.5 else "organic",
                "utm_campaign": None if rng.random() < 0.5 else "spring",
                "utm_term": None,
                "utm_content": None,
                "url": f"{event['browser_url']}?utm_source={source}",
            }
        if viewer_org == owner:  # only the owner sees custom signup fields
            record["custom_signup_field_values"] = _custom_fields(rng)
        return record


@dataclass
class WrittenAttendance:
    """An attendance created by a POST: its event (index) and the record as stored."""

    event_index: int
    record: dict[str, Any]


class IndexChain(Sequence[int]):
    """Generated indexes followed by written ones, sliceable like one sequence."""

    def __init__(self, first: Sequence[int], second: Sequence[int]) -> None:
        self.first = first
        self.second = second

    def __len__(self) -> int:
        return len(self.first) + len(self.second)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[n] for n in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        split = len(self.first)
        return self.first[index] if index < split else self.second[index - split]


def _custom_fields(rng: random.Random) -> list[dict[str, Any]]:
    values = []
    for field_id, name, choices in words.CUSTOM_FIELDS:
        if rng.random() < 0.5:
            continue
        text = rng.choice(choices) if choices else None
        values.append(
            {
                "custom_field_id": field_id,
                "custom_field_name": name,
                "text_value": text,
                "boolean_value": None if choices else rng.random() < 0.3,
            }
        )
    return values


@lru_cache(maxsize=1 << 16)
def _person_cached(seed: int, epoch: int, p: int) -> tuple[tuple[str, Any], ...]:
    rng = _rng(seed, 3, p)
    given = rng.choice(words.GIVEN_NAMES)
    family = rng.choice(words.FAMILY_NAMES)
    place = words.PLACES[rng.randrange(len(words.PLACES))]
    created = epoch - 700 * DAY + p * 3_607 % (600 * DAY)
    email = f"{_ascii(given)}.{_ascii(family)}{p}@{words.EMAIL_DOMAINS[p % 3]}"
    hidden = p % 17 == 16  # people the org may not see the contact details of
    return (
        ("id", FIRST_PERSON_ID + p),
        ("person_id", FIRST_PERSON_ID + p),
        ("user_id", FIRST_USER_ID + p),
        ("created_date", created),
        ("modified_date", created + rng.randint(0, 300) * DAY),
        ("given_name", given),
        ("family_name", family),
        ("email_addresses", () if hidden else (("primary", True), ("address", email))),
        ("phone_numbers", (("primary", True), ("number", f"{place[2][:3]}555{p % 10_000:04d}"))),
        ("postal_addresses", (("primary", True), ("postal_code", place[2]))),
        ("sms_opt_in_status", ("UNSPECIFIED", "OPT_IN", "OPT_OUT")[rng.randrange(3)]),
        ("blocked_date", None if p % 53 != 52 else created + 30 * DAY),
    )


def _person(seed: int, epoch: int, p: int) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for key, value in _person_cached(seed, epoch, p):
        if key in {"email_addresses", "phone_numbers", "postal_addresses"}:
            record[key] = [dict(value)] if value else []
        else:
            record[key] = value
    return record
