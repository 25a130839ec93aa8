"""People: read, look up by email, and the person signup helper (an upsert keyed by email).

Where turnout departs from Parsons 6.1 on purpose:
- A person with only a phone number is accepted (Action Network allows it); one with neither
  email nor phone raises InvalidRecordError before any request.
- `mobile_number` as a list of strings is sent (Parsons dropped it); `tags="x"` is sent as a
  one-item list; `tag=` is accepted as an alias of `tags`.
- `add_person` applies the tags and returns the person, like `upsert_person`.
- Neither method marks a phone number subscribed to SMS unless `mobile_status` is passed.
  Parsons' `add_person` defaulted to "subscribed", signing up every number without consent.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Mapping
from typing import Any, Literal

from turnout.connectors.action_network.collections import get_entry_list, get_page
from turnout.connectors.action_network.writes import write_json
from turnout.errors import InvalidRecordError
from turnout.http import APIConnector
from turnout.table import Table

logger = logging.getLogger(__name__)

MOBILE_STATUSES = ("subscribed", "unsubscribed")
_warned_lock = threading.Lock()
_warned_add_person = False

EmailInput = str | list[str] | list[dict[str, Any]] | dict[str, Any] | None
MobileInput = str | int | list[str] | list[int] | list[dict[str, Any]] | dict[str, Any] | None


def action_network_id(resource: Mapping[str, Any] | None) -> str | None:
    """The bare uuid from a resource's `identifiers` (`action_network:<uuid>`), or None."""
    if not resource:
        return None
    for identifier in resource.get("identifiers") or []:
        if isinstance(identifier, str) and identifier.startswith("action_network:"):
            return identifier.split(":", 1)[1]
    return None


def email_addresses_field(email_address: EmailInput) -> list[dict[str, Any]] | None:
    """`email_address` as the API's `email_addresses` list (None when no address is given)."""
    if email_address is None:
        return None
    if isinstance(email_address, str):
        address = email_address.strip()
        return [{"address": address}] if address else None
    if isinstance(email_address, Mapping):
        return [dict(email_address)]
    if isinstance(email_address, list):
        if not email_address:
            return None
        if all(isinstance(entry, Mapping) for entry in email_address):
            return [dict(entry) for entry in email_address]
        if all(isinstance(entry, str) for entry in email_address):
            addresses = [entry.strip() for entry in email_address if entry.strip()]
            entries: list[dict[str, Any]] = [{"address": address} for address in addresses]
            if entries:
                entries[0]["primary"] = True
            return entries or None
    raise InvalidRecordError(
        f"email_address must be a string, a list of strings or a list of dicts, "
        f"not {type(email_address).__name__}: {email_address!r}"
    )


def phone_numbers_field(
    mobile_number: MobileInput, mobile_status: str | None
) -> list[dict[str, Any]] | None:
    """`mobile_number` as the API's `phone_numbers` list; `status` only when one is passed."""
    if mobile_status is not None and mobile_status not in MOBILE_STATUSES:
        raise InvalidRecordError(
            f"mobile_status must be one of {MOBILE_STATUSES} or None, not {mobile_status!r}"
        )
    if mobile_number is None:
        return None
    if isinstance(mobile_number, Mapping):
        entries = [dict(mobile_number)]
    elif (
        isinstance(mobile_number, list)
        and mobile_number
        and all(isinstance(entry, Mapping) for entry in mobile_number)
    ):
        entries = [dict(entry) for entry in mobile_number]
    else:
        values = mobile_number if isinstance(mobile_number, list) else [mobile_number]
        numbers = [_digits(value) for value in values]
        entries = [{"number": number} for number in numbers if number]
        if not entries:
            return None
        if isinstance(mobile_number, list):
            entries[0]["primary"] = True
    if mobile_status is not None:
        for entry in entries:
            entry["status"] = mobile_status
    return entries


def _digits(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidRecordError(
            f"mobile_number must be a string, an int, a list of them or a list of dicts, "
            f"not {type(value).__name__}: {value!r}"
        )
    text = str(value).strip()
    number = re.sub(r"\D", "", text)
    if text and not number:
        raise InvalidRecordError(f"mobile_number {value!r} has no digits")
    return number


def tag_names(tags: str | list[str] | None, tag: str | list[str] | None = None) -> list[str]:
    """`tags` and its alias `tag` as one list of names, in order, without repeats."""
    names: list[str] = []
    for value in (tags, tag):
        if value is None:
            continue
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list | tuple) or not all(isinstance(n, str) for n in items):
            raise InvalidRecordError(f"tags must be a tag name or a list of names, not {value!r}")
        names.extend(name for name in items if name and name not in names)
    return names


def person_payload(
    email_address: EmailInput = None,
    given_name: str | None = None,
    family_name: str | None = None,
    tags: str | list[str] | None = None,
    languages_spoken: str | list[str] | None = None,
    postal_addresses: dict[str, Any] | list[dict[str, Any]] | None = None,
    mobile_number: MobileInput = None,
    mobile_status: str | None = None,
    *,
    tag: str | list[str] | None = None,
    custom_fields: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The signup helper's request body; raises InvalidRecordError before any request."""
    emails = email_addresses_field(email_address)
    phones = phone_numbers_field(mobile_number, mobile_status)
    if not emails and not phones:
        raise InvalidRecordError(
            "a person needs an email_address or a mobile_number; got "
            f"email_address={email_address!r}, mobile_number={mobile_number!r}"
        )

    person: dict[str, Any] = {}
    if emails:
        person["email_addresses"] = emails
    if phones:
        person["phone_numbers"] = phones
    if given_name is not None:
        person["given_name"] = given_name
    if family_name is not None:
        person["family_name"] = family_name
    if languages_spoken is not None:
        spoken = [languages_spoken] if isinstance(languages_spoken, str) else languages_spoken
        person["languages_spoken"] = list(spoken)
    addresses = _postal_addresses(postal_addresses)
    if addresses:
        person["postal_addresses"] = addresses
    if custom_fields:
        person["custom_fields"] = dict(custom_fields)

    body: dict[str, Any] = {"person": person}
    names = tag_names(tags, tag)
    if names:
        body["add_tags"] = names
    return body


def _postal_addresses(value: Any) -> list[dict[str, Any]] | None:
    """Addresses without their None fields; an address left empty (the guide's
    `[{'postal_code': None}]` for someone without a postal code) is not sent."""
    if value is None:
        return None
    items = [value] if isinstance(value, Mapping) else value
    if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
        raise InvalidRecordError(f"postal_addresses must be a list of dicts, not {value!r}")
    cleaned = [{k: v for k, v in item.items() if v is not None} for item in items]
    return [item for item in cleaned if item]


def _custom_fields(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Extra keyword arguments are custom fields; an explicit `custom_fields` dict merges in."""
    fields = dict(kwargs)
    explicit = fields.pop("custom_fields", None)
    if explicit is not None:
        if not isinstance(explicit, Mapping):
            raise InvalidRecordError(f"custom_fields must be a dict, not {explicit!r}")
        fields.update(explicit)
    return fields


class PeopleMixin:
    """The people methods of `ActionNetwork`."""

    client: APIConnector

    def get_people(
        self,
        limit: int | None = None,
        per_page: int = 25,
        page: int | None = None,
        filter: str | None = None,
    ) -> Table | dict[str, Any]:
        """Every person (or the first `limit`) as a Table; with `page`, that page's raw JSON.

        `filter` is an OData expression, e.g. ``"modified_date gt '2024-03-25'"``.
        """
        if page:
            return get_page(self.client, "people", page, per_page, filter)
        return get_entry_list(self.client, "people", limit, per_page, filter)

    def get_person(self, person_id: str) -> dict[str, Any]:
        """One person's record; a missing id raises NotFoundError with the API's text."""
        return self.client.get_json(f"people/{person_id}")

    def get_person_by_email(self, email_address: str) -> dict[str, Any] | None:
        """The person holding this email address, or None: the lookup a sync uses to
        reconcile a push whose outcome it never recorded."""
        quoted = email_address.strip().replace("'", "''")
        return self._first_person(f"email_address eq '{quoted}'")

    def get_person_by_phone(self, mobile_number: str | int) -> dict[str, Any] | None:
        """The person holding this phone number (digits compared), or None."""
        return self._first_person(f"phone_number eq '{_digits(mobile_number)}'")

    def _first_person(self, expression: str) -> dict[str, Any] | None:
        body = get_page(self.client, "people", 1, 1, expression)
        people = (body.get("_embedded") or {}).get("osdi:people") or []
        return people[0] if people else None

    def upsert_person(
        self,
        email_address: EmailInput = None,
        given_name: str | None = None,
        family_name: str | None = None,
        tags: str | list[str] | None = None,
        languages_spoken: str | list[str] | None = None,
        postal_addresses: dict[str, Any] | list[dict[str, Any]] | None = None,
        mobile_number: MobileInput = None,
        mobile_status: Literal["subscribed", "unsubscribed"] | None = None,
        background_processing: bool = False,
        *,
        tag: str | list[str] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Create or update a person through the signup helper, matched on email or phone.

        Needs `email_address` or `mobile_number`. `tags` (or `tag`) name existing tags; the API
        ignores unknown names. A phone's SMS status changes only when `mobile_status` is given.
        Other keyword arguments (and a `custom_fields` dict) become custom fields. Returns the
        person, whose `identifiers` hold ``action_network:<id>`` (``{}`` with
        `background_processing`, when the API only queues the request).
        """
        body = person_payload(
            email_address,
            given_name,
            family_name,
            tags,
            languages_spoken,
            postal_addresses,
            mobile_number,
            mobile_status,
            tag=tag,
            custom_fields=_custom_fields(kwargs),
        )
        # The signup helper is an upsert keyed by email (or phone): sending it twice leaves one
        # person, so it is safe to retry after a timeout, a 5xx or a reply cut short.
        response = write_json(
            self.client,
            "POST",
            "people",
            body,
            background_processing=background_processing,
            idempotent=True,
        )
        person_id = action_network_id(response)
        if person_id is None:
            logger.info("Action Network queued a person signup (no record returned)")
        elif response.get("created_date") == response.get("modified_date"):
            logger.debug("Action Network person %s added", person_id)
        else:
            logger.debug("Action Network person %s updated", person_id)
        return response

    def add_person(
        self,
        email_address: EmailInput = None,
        given_name: str | None = None,
        family_name: str | None = None,
        tags: str | list[str] | None = None,
        languages_spoken: str | list[str] | None = None,
        postal_addresses: dict[str, Any] | list[dict[str, Any]] | None = None,
        mobile_number: MobileInput = None,
        mobile_status: Literal["subscribed", "unsubscribed"] | None = None,
        *,
        tag: str | list[str] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Parsons' older name for `upsert_person`: the same call, tags applied, the person
        returned. Unlike Parsons, it does not subscribe phone numbers to SMS by default."""
        if mobile_number is not None and mobile_status is None:
            _warn_add_person_once()  # only a number given without a status is left unsubscribed
        return self.upsert_person(
            email_address=email_address,
            given_name=given_name,
            family_name=family_name,
            tags=tags,
            languages_spoken=languages_spoken,
            postal_addresses=postal_addresses,
            mobile_number=mobile_number,
            mobile_status=mobile_status,
            tag=tag,
            **kwargs,
        )

    def update_person(
        self, entry_id: str, background_processing: bool = False, **kwargs: Any
    ) -> dict[str, Any]:
        """Change a person's fields by id (`PUT people/<id>`); tags cannot change here.

        Fields go as the API names them (given_name, family_name, email_addresses,
        phone_numbers, postal_addresses, languages_spoken, custom_fields). As a convenience,
        `email_address` and `mobile_number` are turned into the API's lists.
        """
        data = dict(kwargs)
        if "email_address" in data:
            data["email_addresses"] = email_addresses_field(data.pop("email_address"))
        if "mobile_number" in data:
            data["phone_numbers"] = phone_numbers_field(
                data.pop("mobile_number"), data.pop("mobile_status", None)
            )
        response = write_json(
            self.client,
            "PUT",
            f"people/{entry_id}",
            data,
            background_processing=background_processing,
        )
        logger.debug("Action Network person %s updated", entry_id)
        return response


def _warn_add_person_once() -> None:
    global _warned_add_person
    with _warned_lock:
        if _warned_add_person:
            return
        _warned_add_person = True
    logger.warning(
        "add_person: phone numbers are not subscribed to SMS unless mobile_status is passed "
        "(Parsons' add_person subscribed every number by default); pass "
        "mobile_status='subscribed' only for people who agreed to texts"
    )
