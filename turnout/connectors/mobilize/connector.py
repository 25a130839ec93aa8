"""`MobilizeAmerica`: Parsons' Mobilize connector, on turnout's shared REST client.

Same constructor, methods, arguments and returned Tables as Parsons 6.1, plus what a long pull
needs (retries, a 15 requests/second client-side limit, checked pages) and three settings:
the base URL (`uri=` or MOBILIZE_AMERICA_URI), a default organization for the org-scoped
methods (`organization_id=` or MOBILIZE_AMERICA_ORGANIZATION_ID), and `per_page`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from turnout.connectors.mobilize.dates import DateLike, comparison, to_timestamp
from turnout.connectors.mobilize.flatten import flatten_events
from turnout.connectors.mobilize.records import check_page
from turnout.errors import ConfigurationError
from turnout.http import APIConnector, NextUrlPagination, RetryPolicy
from turnout.http.auth import credential_hint
from turnout.http.connector import DEFAULT_TIMEOUT, Timeout
from turnout.redaction import redact_url, register_secret
from turnout.table import Table

logger = logging.getLogger(__name__)

MA_URI = "https://api.mobilize.us/v1/"
API_KEY_ENV = "MOBILIZE_AMERICA_API_KEY"
URI_ENV = "MOBILIZE_AMERICA_URI"
ORGANIZATION_ENV = "MOBILIZE_AMERICA_ORGANIZATION_ID"
READ_RATE = 15.0  # the API's documented GET limit, per client
DEFAULT_PER_PAGE = 100  # the API's default is 25; fewer, larger pages finish sooner under its limit
_PROGRESS_EVERY = 100  # pages between INFO progress lines


class MissingAPIKeyError(ConfigurationError, TypeError):
    """A method that needs the API key was called without one. Also a TypeError, which is
    what Parsons raises here."""


class MobilizeAmerica:
    """Read organizations, events, people and attendances from the Mobilize API.

    Args:
        api_key: the API key; defaults to MOBILIZE_AMERICA_API_KEY. Public methods
            (organizations, events, deleted events) work without one.
        organization_id: the organization `get_attendances()`, `get_people()` and
            `get_events_organization()` use when called without one; defaults to
            MOBILIZE_AMERICA_ORGANIZATION_ID.
        uri: the API's base URL; defaults to MOBILIZE_AMERICA_URI, else the production API.
        per_page: records asked per page (the API's own default is 25).
        rate_limit: requests a second at most (None: no client-side limit).
        retry, timeout: passed to the http client (see `turnout.http.APIConnector`).
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        organization_id: int | str | None = None,
        uri: str | None = None,
        per_page: int | None = DEFAULT_PER_PAGE,
        rate_limit: float | None = READ_RATE,
        retry: RetryPolicy | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        key_from_argument = bool(api_key)
        self.api_key = api_key or os.environ.get(API_KEY_ENV) or None
        register_secret(self.api_key)
        if not self.api_key:
            logger.info(
                "no Mobilize API key (argument or %s): methods on private endpoints will fail",
                API_KEY_ENV,
            )
        uri = uri or os.environ.get(URI_ENV) or MA_URI
        self.uri = uri if uri.endswith("/") else uri + "/"
        self.organization_id = organization_id or os.environ.get(ORGANIZATION_ENV) or None
        self.per_page = per_page
        hint = (
            credential_hint(
                "Mobilize API key", "api_key", API_KEY_ENV, from_argument=key_from_argument
            )
            if self.api_key
            else f"no Mobilize API key was sent: pass api_key= or set {API_KEY_ENV}"
        )
        self.client = APIConnector(
            self.uri, retry=retry, rate_limit=rate_limit, timeout=timeout, credential_hint=hint
        )
        self._pagination = NextUrlPagination("next", "data", require_next=True)

    def __repr__(self) -> str:
        key = "***" if self.api_key else None
        return f"MobilizeAmerica(uri={redact_url(self.uri)!r}, api_key={key})"

    # --- organizations ---------------------------------------------------------------------

    def get_organizations(self, updated_since: DateLike | None = None) -> Table:
        """Every active organization on the platform (optionally updated since a date)."""
        params = {"updated_since": to_timestamp(updated_since, argument="updated_since")}
        return Table(self._pull("organizations", params, kind="organization"))

    def get_promoted_organizations(self, organization_id: int | str) -> Table:
        """The organizations an organization promotes. Needs the API key."""
        url = f"organizations/{organization_id}/promoted_organizations"
        return Table(self._pull(url, {}, kind="organization", auth="get_promoted_organizations"))

    # --- events ----------------------------------------------------------------------------

    def get_events(
        self,
        organization_id: int | str | list[int | str] | None = None,
        updated_since: DateLike | None = None,
        timeslot_start: str | None = None,
        timeslot_end: str | None = None,
        timeslots_table: bool = False,
        max_timeslots: int | None = None,
    ) -> Table | dict[str, Table]:
        """Every public event (the API's deprecated `/events`), flattened as Parsons does.

        organization_id: one id or a list, sent as repeated params. timeslot_start and
        timeslot_end take an operator and a date (``">=2018-12-13 05:00PM"``) and keep only
        the matching timeslots. timeslots_table: return ``{"events", "timeslots"}`` Tables.
        max_timeslots: the number of ``timeslots_<n>_*`` column groups (0: none).
        """
        if isinstance(organization_id, str | int):
            organization_id = [organization_id]
        params = {
            "organization_id": organization_id,
            **self._event_filters(updated_since, timeslot_start, timeslot_end),
        }
        records = self._pull("events", params, kind="event")
        return self._event_tables(records, timeslots_table, max_timeslots)

    def get_events_organization(
        self,
        organization_id: int | str | None = None,
        updated_since: DateLike | None = None,
        timeslot_start: str | None = None,
        timeslot_end: str | None = None,
        timeslots_table: bool = False,
        max_timeslots: int | None = None,
    ) -> Table | dict[str, Table]:
        """The events an organization owns or promotes, flattened as `get_events`. Needs the
        API key (as in Parsons), which also brings private events and contacts."""
        org = self._organization(organization_id, "get_events_organization")
        params = self._event_filters(updated_since, timeslot_start, timeslot_end)
        records = self._pull(
            f"organizations/{org}/events", params, kind="event", auth="get_events_organization"
        )
        return self._event_tables(records, timeslots_table, max_timeslots)

    def get_events_deleted(
        self,
        organization_id: int | str | list[int | str] | None = None,
        updated_since: DateLike | None = None,
    ) -> Table:
        """Deleted public events: `id` and `deleted_date`."""
        if isinstance(organization_id, str | int):
            organization_id = [organization_id]
        params = {
            "organization_id": organization_id,
            "updated_since": to_timestamp(updated_since, argument="updated_since"),
        }
        return Table(self._pull("events/deleted", params, kind="deleted_event"))

    # --- people and attendances ------------------------------------------------------------

    def get_people(
        self,
        organization_id: int | str | Iterable[int | str] | None = None,
        updated_since: DateLike | None = None,
    ) -> Table:
        """The people affiliated with an organization (or several, concatenated). Needs the
        API key. Person records stay as the API sends them (nested lists of dicts)."""
        records: list[dict[str, Any]] = []
        for org in self._organizations(organization_id, "get_people"):
            params = {"updated_since": to_timestamp(updated_since, argument="updated_since")}
            url = f"organizations/{org}/people"
            records.extend(self._pull(url, params, kind="person", auth="get_people"))
        return Table(records)

    def get_attendances(
        self,
        organization_id: int | str | Iterable[int | str] | None = None,
        updated_since: DateLike | None = None,
    ) -> Table:
        """Attendances of events an organization owns, or that came through its promotion.
        Needs the API key. Without `organization_id`, uses the constructor's or
        MOBILIZE_AMERICA_ORGANIZATION_ID. Nested person/event/timeslot/sponsor/referrer stay
        dict columns, as in Parsons."""
        records: list[dict[str, Any]] = []
        for org in self._organizations(organization_id, "get_attendances"):
            params = {"updated_since": to_timestamp(updated_since, argument="updated_since")}
            url = f"organizations/{org}/attendances"
            records.extend(self._pull(url, params, kind="attendance", auth="get_attendances"))
        return Table(records)

    # --- streaming -------------------------------------------------------------------------

    def iter_pages(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        *,
        kind: str = "attendance",
        auth: bool = True,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield the checked records of each page of a GET, one page at a time (for pulls too
        large to hold at once, e.g. ``iter_pages("organizations/1/attendances")``)."""
        headers = self._auth_headers("iter_pages") if auth else None
        query = {key: value for key, value in (params or {}).items() if value is not None}
        if self.per_page:
            query.setdefault("per_page", self.per_page)
        for page in self.client.paginate(url, query, pagination=self._pagination, headers=headers):
            yield check_page(page, kind)

    # --- internals -------------------------------------------------------------------------

    def _pull(
        self, url: str, params: Mapping[str, Any], *, kind: str, auth: str | None = None
    ) -> list[dict[str, Any]]:
        headers = self._auth_headers(auth) if auth else None
        query = {key: value for key, value in params.items() if value is not None}
        if self.per_page:
            query["per_page"] = self.per_page

        records: list[dict[str, Any]] = []
        expected: int | None = None
        pages = 0
        shown = redact_url(self.client.full_url(url))
        for page in self.client.paginate(url, query, pagination=self._pagination, headers=headers):
            pages += 1
            if expected is None and isinstance(page.body, dict):
                expected = page.body.get("count")
            records.extend(check_page(page, kind))
            if pages % _PROGRESS_EVERY == 0:
                logger.info("%s: %d pages, %d records so far", shown, pages, len(records))

        if isinstance(expected, int) and expected != len(records):
            logger.warning(
                "%s: the first page counted %d records, the pages held %d (records changed "
                "during the pull?)",
                shown,
                expected,
                len(records),
            )
        logger.info("%s: %d records in %d pages", shown, len(records), pages)
        return records

    def _auth_headers(self, method: str) -> dict[str, str]:
        if not self.api_key:
            raise MissingAPIKeyError(
                f"MobilizeAmerica.{method} needs an API key: pass api_key= or set {API_KEY_ENV}"
            )
        return {"Authorization": f"Bearer {self.api_key}"}

    def _organization(self, organization_id: int | str | None, method: str) -> int | str:
        org = organization_id if organization_id is not None else self.organization_id
        if org is None or org == "":
            raise ConfigurationError(
                f"MobilizeAmerica.{method} needs an organization: pass organization_id, "
                f"give MobilizeAmerica(organization_id=...), or set {ORGANIZATION_ENV}"
            )
        return org

    def _organizations(
        self, organization_id: int | str | Iterable[int | str] | None, method: str
    ) -> list[int | str]:
        if organization_id is None or isinstance(organization_id, int | str):
            # Parsons splits a str id into characters; turnout reads it as one id.
            return [self._organization(organization_id, method)]
        organizations = list(organization_id)
        if not organizations:
            raise ConfigurationError(f"MobilizeAmerica.{method}: organization_id is empty")
        return organizations

    @staticmethod
    def _event_filters(
        updated_since: DateLike | None, timeslot_start: str | None, timeslot_end: str | None
    ) -> dict[str, Any]:
        return {
            "updated_since": to_timestamp(updated_since, argument="updated_since"),
            "timeslot_start": comparison(timeslot_start, argument="timeslot_start"),
            "timeslot_end": comparison(timeslot_end, argument="timeslot_end"),
        }

    @staticmethod
    def _event_tables(
        records: list[dict[str, Any]], timeslots_table: bool, max_timeslots: int | None
    ) -> Table | dict[str, Table]:
        if not records:
            return Table()  # as Parsons: an empty pull is one empty Table, even for the dict form
        rows, columns, slot_rows, slot_columns = flatten_events(
            records, timeslots_table=timeslots_table, max_timeslots=max_timeslots
        )
        events = _table(rows, columns)
        if timeslots_table:
            return {"events": events, "timeslots": _table(slot_rows or [], slot_columns or [])}
        return events


def _table(rows: list[dict[str, Any]], columns: list[str]) -> Table:
    if rows:
        return Table(rows)
    return Table([columns]) if columns else Table()
