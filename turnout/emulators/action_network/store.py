"""The emulator's in-memory state: people, tags, taggings, events and forms.

The person signup helper's rules live here (contract section 2.6): people are matched on email
address, then on phone number; a match is updated, not duplicated; email subscription defaults
to subscribed and SMS to unsubscribed; `add_tags` / `remove_tags` name existing tags and unknown
names are ignored; taggings are unique per tag and person. Every method holds one lock, so the
threaded server sees consistent state.
"""

from __future__ import annotations

import copy
import random
import re
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

EMAIL_STATUSES = (
    "subscribed",
    "unsubscribed",
    "bouncing",
    "previous bounce",
    "spam complaint",
    "previous spam complaint",
)
# The signup helper changes a subscription only when one of these is posted.
SETTABLE_STATUSES = ("subscribed", "unsubscribed")
MAX_NAME_LENGTH = 255

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z0-9-]{2,}$")


class ApiError(Exception):
    """A request the API refuses: its status and the text of its `{"error": ...}` body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def format_date(moment: datetime) -> str:
    """Action Network's datetime form: `2014-03-25T17:11:33Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def digits(number: object) -> str:
    return re.sub(r"\D", "", str(number))


class Store:
    """All resources of one emulated Action Network group, keyed by bare uuid."""

    def __init__(self, seed: int = 0) -> None:
        self.lock = threading.RLock()
        self._rng = random.Random(f"action_network-ids-{seed}")
        self.people: dict[str, dict[str, Any]] = {}
        self.tags: dict[str, dict[str, Any]] = {}
        self.taggings: dict[str, dict[str, Any]] = {}
        self.events: dict[str, dict[str, Any]] = {}
        self.forms: dict[str, dict[str, Any]] = {}

    # --- ids and clock --------------------------------------------------------------------

    def new_id(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def stamp(self, after: str | None = None) -> str:
        """Now, or one second after `after` (a resource's previous `modified_date`) when that is
        not earlier: dates have one-second resolution, and an update must visibly advance
        `modified_date` (clients tell "added" from "updated" by created != modified)."""
        now = datetime.now(UTC).replace(microsecond=0)
        if after is not None:
            previous = datetime.strptime(after, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            now = max(now, previous + timedelta(seconds=1))
        return format_date(now)

    # --- people ---------------------------------------------------------------------------

    def person_by_email(self, address: str) -> dict[str, Any] | None:
        wanted = address.strip().lower()
        with self.lock:
            for person in self.people.values():
                if any(e["address"].lower() == wanted for e in person["email_addresses"]):
                    return person
        return None

    def person_by_phone(self, number: str) -> dict[str, Any] | None:
        wanted = digits(number)
        with self.lock:
            for person in self.people.values():
                if any(digits(p["number"]) == wanted for p in person["phone_numbers"]):
                    return person
        return None

    def get_person(self, person_id: str) -> dict[str, Any]:
        person = self.people.get(person_id)
        if person is None:
            raise ApiError(404, f"Couldn't find person with id = {person_id}")
        return person

    def signup(self, body: Any) -> tuple[dict[str, Any], bool]:
        """The person signup helper: create or update one person. Returns (person, created)."""
        if not isinstance(body, dict) or not isinstance(body.get("person"), dict):
            raise ApiError(400, "Request body must be a JSON object with a person object")
        fields = body["person"]
        emails = _email_entries(fields.get("email_addresses"))
        phones = _phone_entries(fields.get("phone_numbers"))
        if not emails and not phones:
            # TODO: the real API's wording for this and the other validation errors below is
            # not in the contract (shared/apis/OPEN-POINTS.md); replace once seen in traffic.
            raise ApiError(400, "A person must have either an email address or a phone number")
        _check_person_fields(fields)
        add_tags = _tag_names(body.get("add_tags"), "add_tags")
        remove_tags = _tag_names(body.get("remove_tags"), "remove_tags")

        with self.lock:
            person = self._match_or_merge(emails, phones)
            created = person is None
            if person is None:
                stamp = self.stamp()
                person = self._new_person(stamp)
            else:
                stamp = self.stamp(after=person["modified_date"])
            _merge_emails(person, emails, created)
            _merge_phones(person, phones)
            _merge_common_fields(person, fields)
            person["modified_date"] = stamp
            self._apply_tags(person["id"], add_tags, remove_tags, stamp)
            return person, created

    def update_person(self, person_id: str, body: Any) -> dict[str, Any]:
        """PUT /people/{id}: change the fields given; email and phone entries by position."""
        if not isinstance(body, dict):
            raise ApiError(400, "Request body must be a JSON object")
        _check_person_fields(body)
        with self.lock:
            person = self.get_person(person_id)
            for key, entries in (
                ("email_addresses", body.get("email_addresses")),
                ("phone_numbers", body.get("phone_numbers")),
            ):
                if entries is None:
                    continue
                if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                    raise ApiError(400, f"{key} must be a list of objects")
                _update_entries(person, key, entries)
            _merge_common_fields(person, body)
            person["modified_date"] = self.stamp(after=person["modified_date"])
            return person

    def _new_person(self, stamp: str) -> dict[str, Any]:
        person_id = self.new_id()
        person: dict[str, Any] = {
            "id": person_id,
            "identifiers": [f"action_network:{person_id}"],
            "created_date": stamp,
            "modified_date": stamp,
            "given_name": None,
            "family_name": None,
            "languages_spoken": ["en"],
            "email_addresses": [],
            "phone_numbers": [],
            "postal_addresses": [],
            "custom_fields": {},
        }
        self.people[person_id] = person
        return person

    def _match_or_merge(
        self, emails: list[dict[str, Any]], phones: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        """Find the person a signup updates, applying the phone-conflict rules on the way."""
        by_email = next(
            (p for p in (self.person_by_email(e["address"]) for e in emails) if p), None
        )
        number = digits(phones[0]["number"]) if phones else None
        phone_owner = self.person_by_phone(number) if number else None

        if not emails:
            return phone_owner
        if phone_owner is None or phone_owner is by_email:
            return by_email
        if not phone_owner["email_addresses"]:
            # A phone-only record merges with the person who brings the email.
            if by_email is None:
                return phone_owner
            self._merge_people(keep=by_email, drop=phone_owner)
            return by_email
        # Both have emails: the number moves to the person being signed up.
        phone_owner["phone_numbers"] = [
            p for p in phone_owner["phone_numbers"] if digits(p["number"]) != number
        ]
        return by_email

    def _merge_people(self, keep: dict[str, Any], drop: dict[str, Any]) -> None:
        for phone in drop["phone_numbers"]:
            if not any(
                digits(p["number"]) == digits(phone["number"]) for p in keep["phone_numbers"]
            ):
                keep["phone_numbers"].append({**phone, "primary": not keep["phone_numbers"]})
        keep["custom_fields"] = {**drop["custom_fields"], **keep["custom_fields"]}
        for tagging in list(self.taggings.values()):
            if tagging["person_id"] == drop["id"]:
                if self._tagging_of(tagging["tag_id"], keep["id"]) is None:
                    tagging["person_id"] = keep["id"]
                else:
                    del self.taggings[tagging["id"]]
        del self.people[drop["id"]]

    # --- tags and taggings ----------------------------------------------------------------

    def get_tag(self, tag_id: str) -> dict[str, Any]:
        tag = self.tags.get(tag_id)
        if tag is None:
            raise ApiError(404, f"Couldn't find tag with id = {tag_id}")
        return tag

    def tag_by_name(self, name: str) -> dict[str, Any] | None:
        with self.lock:
            return next((t for t in self.tags.values() if t["name"] == name), None)

    def add_tag(self, name: Any) -> tuple[dict[str, Any], bool]:
        """Create a tag; a name that exists already returns the existing tag."""
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, "A tag must have a name")
        with self.lock:
            existing = self.tag_by_name(name)
            if existing is not None:
                return existing, False
            tag_id, stamp = self.new_id(), self.stamp()
            tag = {
                "id": tag_id,
                "identifiers": [f"action_network:{tag_id}"],
                "name": name,
                "created_date": stamp,
                "modified_date": stamp,
            }
            self.tags[tag_id] = tag
            return tag, True

    def add_tagging(self, tag_id: str, person_id: str | None) -> tuple[dict[str, Any], bool]:
        with self.lock:
            self.get_tag(tag_id)
            if not person_id or person_id not in self.people:
                raise ApiError(400, "You must specify a valid person id")
            existing = self._tagging_of(tag_id, person_id)
            if existing is not None:
                return existing, False
            return self.insert_tagging(tag_id, person_id, self.stamp()), True

    def get_tagging(self, tag_id: str, tagging_id: str) -> dict[str, Any]:
        self.get_tag(tag_id)
        tagging = self.taggings.get(tagging_id)
        if tagging is None or tagging["tag_id"] != tag_id:
            raise ApiError(404, f"Couldn't find tagging with id = {tagging_id}")
        return tagging

    def delete_tagging(self, tag_id: str, tagging_id: str) -> None:
        with self.lock:
            self.get_tagging(tag_id, tagging_id)
            del self.taggings[tagging_id]

    def taggings_of_tag(self, tag_id: str) -> list[dict[str, Any]]:
        with self.lock:
            self.get_tag(tag_id)
            return [t for t in self.taggings.values() if t["tag_id"] == tag_id]

    def taggings_of_person(self, person_id: str) -> list[dict[str, Any]]:
        with self.lock:
            self.get_person(person_id)
            return [t for t in self.taggings.values() if t["person_id"] == person_id]

    def _tagging_of(self, tag_id: str, person_id: str) -> dict[str, Any] | None:
        return next(
            (
                t
                for t in self.taggings.values()
                if t["tag_id"] == tag_id and t["person_id"] == person_id
            ),
            None,
        )

    def insert_tagging(self, tag_id: str, person_id: str, stamp: str) -> dict[str, Any]:
        tagging_id = self.new_id()
        tagging = {
            "id": tagging_id,
            "identifiers": [f"action_network:{tagging_id}"],
            "created_date": stamp,
            "modified_date": stamp,
            "item_type": "osdi:person",
            "tag_id": tag_id,
            "person_id": person_id,
        }
        self.taggings[tagging_id] = tagging
        return tagging

    def _apply_tags(self, person_id: str, add: list[str], remove: list[str], stamp: str) -> None:
        for name in add:
            tag = self.tag_by_name(name)
            if tag is not None and self._tagging_of(tag["id"], person_id) is None:
                self.insert_tagging(tag["id"], person_id, stamp)
        for name in remove:
            tag = self.tag_by_name(name)
            tagging = self._tagging_of(tag["id"], person_id) if tag else None
            if tagging is not None:
                del self.taggings[tagging["id"]]

    # --- events and forms -----------------------------------------------------------------

    def get_event(self, event_id: str) -> dict[str, Any]:
        event = self.events.get(event_id)
        if event is None:
            raise ApiError(404, f"Couldn't find event with id = {event_id}")
        return event

    def get_form(self, form_id: str) -> dict[str, Any]:
        form = self.forms.get(form_id)
        if form is None:
            raise ApiError(404, f"Couldn't find form with id = {form_id}")
        return form

    def add_action(self, kind: str, body: Any) -> dict[str, Any]:
        """Create an event or a form (both need a title)."""
        if not isinstance(body, dict) or not isinstance(body.get("title"), str):
            raise ApiError(400, f"A{'n' if kind == 'event' else ''} {kind} must have a title")
        with self.lock:
            action_id, stamp = self.new_id(), self.stamp()
            resource = {
                **copy.deepcopy(body),
                "id": action_id,
                "identifiers": [f"action_network:{action_id}"],
                "created_date": stamp,
                "modified_date": stamp,
            }
            if kind == "event":
                resource.setdefault("status", "confirmed")
                resource.setdefault("total_accepted", 0)
                self.events[action_id] = resource
            else:
                resource.setdefault("total_submissions", 0)
                self.forms[action_id] = resource
            return resource

    def update_action(self, kind: str, action_id: str, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ApiError(400, "Request body must be a JSON object")
        with self.lock:
            resource = self.get_event(action_id) if kind == "event" else self.get_form(action_id)
            protected = {"id", "identifiers", "created_date", "modified_date"}
            resource.update({k: v for k, v in body.items() if k not in protected})
            resource["modified_date"] = self.stamp(after=resource["modified_date"])
            return resource


# --- validation and merging helpers -----------------------------------------------------------


def _email_entries(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
        raise ApiError(400, "email_addresses must be a list of objects")
    entries = []
    for entry in value:
        address = entry.get("address")
        if address is None:
            continue
        if not isinstance(address, str) or not _EMAIL.match(address.strip()):
            raise ApiError(400, f"Email address {address!s} is invalid")
        entries.append({**entry, "address": address.strip()})
    return entries


def _phone_entries(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
        raise ApiError(400, "phone_numbers must be a list of objects")
    entries = []
    for entry in value:
        number = entry.get("number")
        if number is None or number == "":
            continue
        if not 7 <= len(digits(number)) <= 15:
            raise ApiError(400, f"Phone number {number!s} is invalid")
        entries.append({**entry, "number": digits(number)})
    return entries


def _check_person_fields(fields: dict[str, Any]) -> None:
    for key in ("given_name", "family_name"):
        value = fields.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ApiError(400, f"{key} must be a string")
        if len(value) > MAX_NAME_LENGTH:
            raise ApiError(400, f"{key} is too long (maximum is {MAX_NAME_LENGTH} characters)")
    custom = fields.get("custom_fields")
    if custom is not None and not isinstance(custom, dict):
        raise ApiError(400, "custom_fields must be an object")
    for key in ("languages_spoken", "postal_addresses"):
        if fields.get(key) is not None and not isinstance(fields[key], list):
            raise ApiError(400, f"{key} must be a list")
    postal = fields.get("postal_addresses") or []
    if not all(isinstance(a, dict) for a in postal):
        raise ApiError(400, "postal_addresses must be a list of objects")


def _tag_names(value: Any, key: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise ApiError(400, f"{key} must be a list of tag names")
    return value


def _merge_emails(person: dict[str, Any], emails: list[dict[str, Any]], created: bool) -> None:
    for entry in emails:
        status = entry.get("status")
        current = next(
            (
                e
                for e in person["email_addresses"]
                if e["address"].lower() == entry["address"].lower()
            ),
            None,
        )
        if current is None:
            # A new address is subscribed unless the post says otherwise; an address added to
            # an existing person takes the person's primary status.
            inherited = (
                person["email_addresses"][0]["status"] if person["email_addresses"] else None
            )
            default = "subscribed" if created or inherited is None else inherited
            person["email_addresses"].append(
                {
                    "primary": not person["email_addresses"],
                    "address": entry["address"],
                    "status": status if status in SETTABLE_STATUSES else default,
                }
            )
        elif status in SETTABLE_STATUSES:
            current["status"] = status


def _merge_phones(person: dict[str, Any], phones: list[dict[str, Any]]) -> None:
    for entry in phones:
        status = entry.get("status")
        current = next(
            (p for p in person["phone_numbers"] if digits(p["number"]) == entry["number"]), None
        )
        if current is None:
            person["phone_numbers"].append(
                {
                    "primary": not person["phone_numbers"],
                    "number": entry["number"],
                    "number_type": entry.get("number_type", "Mobile"),
                    "status": status if status in SETTABLE_STATUSES else "unsubscribed",
                }
            )
        elif status in SETTABLE_STATUSES:
            current["status"] = status


def _merge_common_fields(person: dict[str, Any], fields: dict[str, Any]) -> None:
    for key in ("given_name", "family_name"):
        if fields.get(key) is not None:
            person[key] = fields[key]
    if fields.get("languages_spoken") is not None:
        person["languages_spoken"] = list(fields["languages_spoken"])
    if fields.get("postal_addresses") is not None:
        person["postal_addresses"] = [
            {"primary": index == 0, "country": "US", "language": "en", **copy.deepcopy(address)}
            for index, address in enumerate(fields["postal_addresses"])
        ]
    if fields.get("custom_fields"):
        person["custom_fields"] = {**person["custom_fields"], **fields["custom_fields"]}


def _update_entries(person: dict[str, Any], key: str, entries: list[dict[str, Any]]) -> None:
    """PUT semantics: entry i updates the person's entry i (or is appended)."""
    current = person[key]
    value_key = "address" if key == "email_addresses" else "number"
    allowed = EMAIL_STATUSES if key == "email_addresses" else EMAIL_STATUSES[:4]
    for index, entry in enumerate(entries):
        status = entry.get("status")
        if status is not None and status not in allowed:
            raise ApiError(400, f"{status!s} is not a valid status for {key}")
        if value_key in entry:
            if key == "email_addresses":
                _email_entries([entry])
            else:
                entry = {**entry, "number": digits(entry["number"])}
        if index < len(current):
            current[index].update(entry)
        elif value_key in entry:
            current.append({"primary": not current, "status": "subscribed", **entry})
