"""The Mobilize write routes: create, replace and delete events, sign people up, affiliate them.

Writes are held beside the generated records (`MobilizeData.written_*`), so a read after a
write sees it. A signup is keyed by email (the API dedupes people by email) and by timeslot,
so the same POST sent twice creates one attendance, as a client that retries a write expects.
Bodies are checked as the API does, with field-keyed 400 errors.
"""

from __future__ import annotations

import re
from typing import Any

from werkzeug.wrappers import Request, Response

from turnout.emulators.base import json_response
from turnout.emulators.mobilize.data import (
    FIRST_ATTENDANCE_ID,
    FIRST_EVENT_ID,
    FIRST_PERSON_ID,
    FIRST_USER_ID,
    PLATFORM_ORG_ID,
    MobilizeData,
    WrittenAttendance,
)
from turnout.emulators.mobilize.filters import BadInput
from turnout.emulators.mobilize.vocabulary import EVENT_TYPES

# TODO: POST /v1/images (a multipart upload) is not emulated; no turnout connector uses it yet.

FIRST_WRITTEN_TIMESLOT_ID = 900_001
_GENERATED_EMAIL = re.compile(r"(\d+)@[^@]+$")
_REQUIRED = ["This field is required."]


class WriteRoutes:
    """Mixed into `MobilizeEmulator`: the POST, PUT and DELETE handlers."""

    data: MobilizeData

    # Provided by the emulator.
    def now(self) -> int: ...
    def _require_key(self, request: Request) -> None: ...
    def _organization(self, org_id: int) -> None: ...
    def _forget_cached(self) -> None: ...
    def _event_view(
        self, j: int, slots: list[dict[str, Any]], viewer_org: int, authenticated: bool
    ) -> dict[str, Any]: ...

    # --- events ----------------------------------------------------------------------------

    def create_event(self, request: Request, org_id: int) -> Response:
        self._require_key(request)
        self._organization(org_id)
        body = _json_body(request)
        j = len(self.data.events)
        event = self._event_from_body(body, FIRST_EVENT_ID + j, org_id, created=self.now())
        self.data.events.append(event)
        self.data.event_owner.append(org_id)
        self.data.event_promoters.append(frozenset({PLATFORM_ORG_ID}))
        self.data.events_by_id[event["id"]] = j
        self._forget_cached()
        return json_response({"data": self._event_view(j, event["timeslots"], org_id, True)}, 201)

    def replace_event(self, request: Request, org_id: int, event_id: int) -> Response:
        self._require_key(request)
        self._organization(org_id)
        j = self._owned_event(org_id, event_id)
        body = _json_body(request)
        old = self.data.events[j]
        event = self._event_from_body(body, event_id, org_id, created=old["created_date"])
        known = {slot["id"] for slot in old["timeslots"]}
        for slot, given in zip(event["timeslots"], body["timeslots"]):
            if isinstance(given, dict) and given.get("id") in known:
                slot["id"] = given["id"]  # a timeslot named by id keeps it
        self.data.events[j] = event
        self._forget_cached()
        return json_response({"data": self._event_view(j, event["timeslots"], org_id, True)})

    def delete_event(self, request: Request, org_id: int, event_id: int) -> Response:
        self._require_key(request)
        self._organization(org_id)
        j = self._owned_event(org_id, event_id)
        self.data.removed_events.add(j)
        self.data.deleted_events.append({"id": event_id, "deleted_date": self.now()})
        self.data.deleted_owner.append(org_id)
        self._forget_cached()
        return json_response({"data": None})

    def _owned_event(self, org_id: int, event_id: int) -> int:
        j = self.data.events_by_id.get(event_id)
        if j is None or j in self.data.removed_events or self.data.event_owner[j] != org_id:
            raise BadInput({"detail": "Not found."}, 404)
        return j

    def _event_from_body(
        self, body: dict[str, Any], event_id: int, org_id: int, *, created: int
    ) -> dict[str, Any]:
        errors: dict[str, Any] = {}
        title = body.get("title")
        if not isinstance(title, str) or not title.strip():
            errors["title"] = _REQUIRED
        event_type = body.get("event_type", "OTHER")
        if event_type not in EVENT_TYPES:
            errors["event_type"] = [f'"{event_type}" is not a valid choice.']
        visibility = body.get("visibility", "PUBLIC")
        if visibility not in ("PUBLIC", "PRIVATE"):
            errors["visibility"] = [f'"{visibility}" is not a valid choice.']
        slots = _timeslots(body.get("timeslots"), errors, self.data)
        is_virtual = bool(body.get("is_virtual", False))
        location = _location(body.get("location"), is_virtual, errors)
        if errors:
            raise BadInput(errors)

        sponsor = self.data.organizations_by_id[org_id]
        now = self.now()
        return {
            "id": event_id,
            "title": title,
            "summary": body.get("summary", ""),
            "description": body.get("description", ""),
            "featured_image_url": body.get("featured_image_url", ""),
            "high_priority": bool(body.get("high_priority", False)),
            "timezone": body.get("timezone", "America/New_York"),
            "event_type": event_type,
            "browser_url": f"https://www.mobilize.us/{sponsor['slug']}/event/{event_id}/",
            "sponsor": sponsor,
            "timeslots": slots,
            "location": location,
            "contact": body.get("contact"),
            "tags": [{"id": tag_id, "name": f"tag {tag_id}"} for tag_id in body.get("tag_ids", [])],
            "event_campaign": None,
            "created_date": created,
            "modified_date": now,
            "visibility": visibility,
            "address_visibility": body.get("address_visibility", "PUBLIC"),
            "created_by_volunteer_host": False,
            "approval_status": "APPROVED",
            "is_virtual": is_virtual,
            "virtual_action_url": body.get("virtual_action_url"),
            "accessibility_status": body.get("accessibility_status"),
            "accessibility_notes": body.get("accessibility_notes"),
            "instructions": body.get("instructions"),
        }

    # --- people: signups and affiliations --------------------------------------------------

    def create_attendance(self, request: Request, org_id: int, event_id: int) -> Response:
        self._require_key(request)
        self._organization(org_id)
        j = self.data.events_by_id.get(event_id)
        if (
            j is None
            or j in self.data.removed_events
            or j not in self.data.org_event_indexes(org_id)
        ):
            raise BadInput({"event": ["Invalid event for this organization."]})
        body = _json_body(request)
        event = self.data.events[j]
        slots = {slot["id"]: slot for slot in event["timeslots"]}
        asked = body.get("timeslots")
        if not isinstance(asked, list) or not asked:
            raise BadInput({"timeslots": _REQUIRED})
        for position, item in enumerate(asked):
            if not isinstance(item, dict) or item.get("timeslot_id") not in slots:
                raise BadInput({"timeslots": {str(position): {"timeslot_id": ["Invalid pk."]}}})
        p = self._person_from_body(body)
        person = self.data.person(p)

        owner = self.data.event_owner[j]
        viewers = sorted({owner, org_id})
        created = []
        for item in asked:
            slot = slots[item["timeslot_id"]]
            existing = self._attendance_of(person["id"], slot["id"])
            if existing is not None:
                created.append(self.data.attendance(existing, org_id))
                continue
            i = self.data.attendance_count + len(self.data.written_attendances)
            embedded = dict(event)
            embedded["timeslots"] = None
            now = self.now()
            record = {
                "id": FIRST_ATTENDANCE_ID + i,
                "created_date": now,
                "modified_date": now,
                "person": person,
                "event": embedded,
                "timeslot": {
                    "id": slot["id"],
                    "start_date": slot["start_date"],
                    "end_date": slot["end_date"],
                },
                "sponsor": self.data.organizations_by_id[org_id],
                "status": "REGISTERED",
                "attended": None,
                "referrer": _referrer(body.get("referrer")),
                "custom_signup_field_values": [],
            }
            self.data.written_attendances.append(WrittenAttendance(j, record))
            for viewer in viewers:
                self.data.written_attendances_of.setdefault(viewer, []).append(i)
            created.append(self.data.attendance(i, org_id))
        self._forget_cached()
        return json_response({"data": created}, 201)

    def create_affiliation(self, request: Request, org_id: int) -> Response:
        self._require_key(request)
        self._organization(org_id)
        body = _json_body(request)
        p = self._person_from_body({"person": body, **body})
        already = p in self.data.org_people_indexes(org_id)
        if not already:
            self.data.affiliations.setdefault(org_id, []).append(p)
            self._forget_cached()
        return json_response({"data": self.data.person(p)}, 200 if already else 201)

    def _attendance_of(self, person_id: int, timeslot_id: int) -> int | None:
        for offset, written in enumerate(self.data.written_attendances):
            record = written.record
            if record["person"]["id"] == person_id and record["timeslot"]["id"] == timeslot_id:
                return self.data.attendance_count + offset
        return None

    def _person_from_body(self, body: dict[str, Any]) -> int:
        """The index of the person with this email, created when the email is new."""
        fields = body.get("person")
        if not isinstance(fields, dict):
            raise BadInput({"person": _REQUIRED})
        errors = {
            name: _REQUIRED
            for name in ("given_name", "family_name", "email_address", "postal_code")
            if not isinstance(fields.get(name), str) or not fields[name].strip()
        }
        if errors:
            raise BadInput({"person": errors})
        email = fields["email_address"].strip().lower()
        found = self._person_by_email(email)
        if found is not None:
            # TODO: the real API may update a known person's name, phone and postal code from
            # the signup (undocumented); the emulator keeps the person as it was.
            return found

        p = self.data.people_count + len(self.data.written_people)
        now = self.now()
        phone = str(fields.get("phone_number") or "")
        opt_in = body.get("sms_opt_in", "UNSPECIFIED")
        self.data.written_people.append(
            {
                "id": FIRST_PERSON_ID + p,
                "person_id": FIRST_PERSON_ID + p,
                "user_id": FIRST_USER_ID + p,
                "created_date": now,
                "modified_date": now,
                "given_name": fields["given_name"],
                "family_name": fields["family_name"],
                "email_addresses": [{"primary": True, "address": email}],
                "phone_numbers": [{"primary": True, "number": phone}] if phone else [],
                "postal_addresses": [{"primary": True, "postal_code": fields["postal_code"]}],
                "sms_opt_in_status": "OPT_IN" if opt_in == "OPT_IN" else "UNSPECIFIED",
                "blocked_date": None,
            }
        )
        return p

    def _person_by_email(self, email: str) -> int | None:
        for offset, person in enumerate(self.data.written_people):
            if person["email_addresses"][0]["address"] == email:
                return self.data.people_count + offset
        # A generated person's email ends with its index, so no table of emails is needed.
        match = _GENERATED_EMAIL.search(email)
        if match and int(match.group(1)) < self.data.people_count:
            p = int(match.group(1))
            addresses = self.data.person(p)["email_addresses"]
            if addresses and addresses[0]["address"] == email:
                return p
        return None


def _json_body(request: Request) -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadInput({"non_field_errors": ["Invalid data. Expected a dictionary."]})
    return body


def _timeslots(value: Any, errors: dict[str, Any], data: MobilizeData) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        errors["timeslots"] = _REQUIRED
        return []
    slots = []
    for position, item in enumerate(value):
        start = item.get("start_date") if isinstance(item, dict) else None
        end = item.get("end_date") if isinstance(item, dict) else None
        if not isinstance(start, int) or not isinstance(end, int) or end <= start:
            message = ["start_date and end_date must be Unix seconds, end after start."]
            errors.setdefault("timeslots", {})[str(position)] = message
            continue
        data.written_timeslots += 1
        slots.append(
            {
                "id": FIRST_WRITTEN_TIMESLOT_ID + data.written_timeslots - 1,
                "start_date": start,
                "end_date": end,
                "max_attendees": item.get("max_attendees"),
                "is_full": False,
                "instructions": item.get("instructions"),
            }
        )
    return slots


def _location(value: Any, is_virtual: bool, errors: dict[str, Any]) -> dict[str, Any] | None:
    if value is None and is_virtual:
        return None
    if not isinstance(value, dict) or not value.get("postal_code"):
        errors["location"] = {"postal_code": _REQUIRED}
        return None
    lines = list(value.get("address_lines") or [])[:2]
    lines += [""] * (2 - len(lines))
    return {
        "venue": value.get("venue", ""),
        "address_lines": lines,
        "locality": value.get("locality", ""),
        "region": value.get("region", ""),
        "country": value.get("country", "US"),
        "postal_code": value["postal_code"],
        "location": value.get("location"),
        "congressional_district": None,
        "state_leg_district": None,
        "state_senate_district": None,
    }


def _referrer(value: Any) -> dict[str, Any]:
    given = value if isinstance(value, dict) else {}
    keys = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "url")
    return {key: given.get(key) for key in keys}
