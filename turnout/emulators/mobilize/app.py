"""The Mobilize API v1 on loopback: its routes, auth, cursor pages, filters and error bodies.

Success bodies of lists carry `count`, `next`, `previous`, `data` (never `error`, which
Parsons reads as a failure); errors are `{"data": null, "error": {...}}` with a 4xx or 5xx
status. `next` is an absolute URL back to this server that carries every filter of the first
call, as Parsons follows it without re-sending anything. Reads are throttled by a token bucket
per API key (or per client address without one): 15 a second unless configured, with 429 and a
Retry-After saying when the next token is due.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from turnout.emulators.base import (
    EmulatorApp,
    FaultInjector,
    TokenBucket,
    json_response,
    status_phrase,
)
from turnout.emulators.mobilize import filters
from turnout.emulators.mobilize.data import (
    DEFAULT_EPOCH,
    FIRST_ATTENDANCE_ID,
    PLATFORM_ORG_ID,
    MobilizeData,
)
from turnout.emulators.mobilize.filters import BadInput
from turnout.emulators.mobilize.vocabulary import ENUMS, EVENT_TYPES
from turnout.emulators.mobilize.writes import WriteRoutes

logger = logging.getLogger(__name__)

DEFAULT_API_KEY = "mobilize-emulator-key"
READ_RATE = 15.0  # GET requests a second, per the API's documentation
WRITE_RATE = 5.0
DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 1000  # the real maximum is undocumented
RESULTS_LIMIT = 1000  # the cap the search backend puts on some event queries
_SEARCH_PARAMS = ("zipcode", "max_dist", "exclude_full", "tag_id")
MALFORMATIONS = ("not_json", "missing_data", "missing_next", "record_type", "field_type")

Fetch = Callable[[int, int], list[dict[str, Any]]]


class MobilizeEmulator(WriteRoutes, EmulatorApp):
    """A Mobilize API v1 server over seeded records (see `MobilizeData` for the sizes)."""

    name = "mobilize"

    def __init__(
        self,
        *,
        seed: int = 0,
        faults: FaultInjector | None = None,
        api_keys: Iterable[str] = (DEFAULT_API_KEY,),
        rate_limit: float | None = READ_RATE,
        write_rate_limit: float | None = WRITE_RATE,
        per_page: int = DEFAULT_PER_PAGE,
        max_per_page: int = MAX_PER_PAGE,
        now: int | None = None,
        organizations: int = 3,
        events: int = 12,
        people: int = 40,
        attendances: int = 60,
        deleted_events: int = 3,
        epoch: int = DEFAULT_EPOCH,
    ) -> None:
        super().__init__(faults=faults, seed=seed)
        self.data = MobilizeData(
            seed=seed,
            organizations=organizations,
            events=events,
            people=people,
            attendances=attendances,
            deleted_events=deleted_events,
            epoch=epoch,
        )
        self.api_keys = frozenset(api_keys)
        self.read_bucket = TokenBucket(rate_limit) if rate_limit else None
        self.write_bucket = TokenBucket(write_rate_limit) if write_rate_limit else None
        self.per_page = per_page
        self.max_per_page = max_per_page
        self.fixed_now = now
        self._cache: OrderedDict[tuple[Any, ...], Sequence[int]] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._malformations: list[list[Any]] = []

    def malform(
        self, kind: str, count: int = 1, *, path_contains: str | None = None, after: int = 0
    ) -> None:
        """Spoil the next `count` matching list pages (after letting `after` through) in a way
        a transport fault cannot: `not_json` (an HTML body with status 200), `missing_data`
        (no `data` key), `missing_next` (no `next` key), `record_type` (the page's first record
        becomes a string) or `field_type` (its `id` becomes a string)."""
        if kind not in MALFORMATIONS:
            raise ValueError(f"unknown malformation {kind!r}; expected one of {MALFORMATIONS}")
        with self._cache_lock:
            self._malformations.append([kind, path_contains, after, count])

    def _next_malformation(self, path: str) -> str | None:
        with self._cache_lock:
            for entry in self._malformations:
                kind, contains, after, _ = entry
                if contains and contains not in path:
                    continue
                if after > 0:
                    entry[2] -= 1
                    return None
                entry[3] -= 1
                if entry[3] <= 0:
                    self._malformations.remove(entry)
                return kind
        return None

    def rules(self) -> list[Rule]:
        org = "/v1/organizations/<int:org_id>"
        return [
            Rule("/v1/organizations", endpoint="organizations"),
            Rule(f"{org}/promoted_organizations", endpoint="promoted_organizations"),
            Rule("/v1/events", endpoint="events"),
            Rule("/v1/events/deleted", endpoint="events_deleted"),
            Rule("/v1/events/<int:event_id>", endpoint="event"),
            Rule(f"{org}/events", endpoint="org_events", methods=["GET"]),
            Rule(f"{org}/events", endpoint="create_event", methods=["POST"]),
            Rule(f"{org}/events/deleted", endpoint="org_events_deleted"),
            Rule(f"{org}/events/<int:event_id>", endpoint="org_event", methods=["GET"]),
            Rule(f"{org}/events/<int:event_id>", endpoint="replace_event", methods=["PUT"]),
            Rule(f"{org}/events/<int:event_id>", endpoint="delete_event", methods=["DELETE"]),
            Rule(
                f"{org}/events/<int:event_id>/attendances",
                endpoint="event_attendances",
                methods=["GET"],
            ),
            Rule(
                f"{org}/events/<int:event_id>/attendances",
                endpoint="create_attendance",
                methods=["POST"],
            ),
            Rule(f"{org}/affiliations", endpoint="create_affiliation", methods=["POST"]),
            Rule(f"{org}/people", endpoint="people"),
            Rule(f"{org}/attendances", endpoint="attendances"),
            Rule(f"{org}/attendances/<int:attendance_id>", endpoint="attendance"),
            Rule("/v1/enums", endpoint="enums"),
        ]

    # --- plumbing --------------------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        bucket = self.read_bucket if request.method in {"GET", "HEAD"} else self.write_bucket
        if bucket is not None:
            wait = bucket.take(self._client_key(request))
            if wait > 0:
                return self.rate_limited(wait)
        try:
            return super().dispatch(request)
        except BadInput as bad:
            return json_response({"data": None, "error": bad.error}, bad.status)

    def not_found(self, request: Request) -> Response:
        return json_response({"data": None, "error": {"detail": "Not found."}}, 404)

    def rate_limited(self, retry_after: float | None) -> Response:
        if not retry_after:  # an injected 429 without Retry-After: the client backs off alone
            body = {"data": None, "error": {"detail": "Request was throttled."}}
            return json_response(body, 429)
        header = str(int(retry_after)) if float(retry_after).is_integer() else f"{retry_after:.3f}"
        detail = f"Request was throttled. Expected available in {retry_after:.3f} seconds."
        body = {"data": None, "error": {"detail": detail}}
        return json_response(body, 429, {"Retry-After": header})

    def server_error(self, status: int) -> Response:
        """An injected fault's body, in Mobilize's `{"data": null, "error": {...}}` shape and
        agreeing with the status: DRF's auth details on 401/403, a non-field validation error
        on 400/422, "Not found." on 404, DRF's server message on 5xx, else the phrase."""
        details: dict[int, dict[str, Any]] = {
            400: {"non_field_errors": ["Invalid data."]},
            401: {"detail": "Authentication credentials were not provided."},
            403: {"detail": "Invalid token."},
            404: {"detail": "Not found."},
            422: {"non_field_errors": ["Invalid data."]},
        }
        if status >= 500:
            error: dict[str, Any] = {"detail": "A server error occurred."}
        else:
            error = details.get(status, {"detail": status_phrase(status)})
        return json_response({"data": None, "error": error}, status)

    def now(self) -> int:
        return self.fixed_now if self.fixed_now is not None else int(time.time())

    @staticmethod
    def _client_key(request: Request) -> str:
        return request.headers.get("Authorization") or request.remote_addr or "anonymous"

    def _authenticated(self, request: Request) -> bool:
        """True with a good key, False with none; a bad key is refused on every route."""
        header = request.headers.get("Authorization")
        if header is None:
            return False
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or key.strip() not in self.api_keys:
            raise BadInput({"detail": "Invalid token."}, 403)
        return True

    def _require_key(self, request: Request) -> None:
        if not self._authenticated(request):
            raise BadInput({"detail": "Authentication credentials were not provided."}, 403)

    def _organization(self, org_id: int) -> None:
        if org_id not in self.data.organizations_by_id:
            raise BadInput({"detail": "Not found."}, 404)

    def _forget_cached(self) -> None:
        """Drop the filtered index lists (a write may change what a filter matches)."""
        with self._cache_lock:
            self._cache.clear()

    def _cached(self, key: tuple[Any, ...], build: Callable[[], Sequence[int]]) -> Sequence[int]:
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        found = build()
        with self._cache_lock:
            self._cache[key] = found
            while len(self._cache) > 32:
                self._cache.popitem(last=False)
        return found

    def _page(
        self, request: Request, total: int, fetch: Fetch, *, limited: bool = False
    ) -> Response:
        """One page of a list: cursor (or page) and per_page in, the envelope out."""
        args = request.args
        per_page = filters.integer(args, "per_page") or self.per_page
        if per_page < 1:
            raise BadInput({"per_page": ["Ensure this value is greater than or equal to 1."]})
        per_page = min(per_page, self.max_per_page)
        if limited:
            total = min(total, RESULTS_LIMIT)

        offset = 0
        cursor = args.get("cursor")
        page = filters.integer(args, "page")
        if cursor:
            offset = _decode_cursor(cursor)
        elif page is not None:
            offset = (page - 1) * per_page
            if page < 1 or (page > 1 and offset >= total):
                raise BadInput({"detail": "Invalid page."}, 404)

        records = fetch(offset, max(0, min(per_page, total - offset)))
        body: dict[str, Any] = {
            "count": total,
            "next": self._link(request, offset + per_page) if offset + per_page < total else None,
            "previous": self._link(request, max(0, offset - per_page)) if offset > 0 else None,
            "data": records,
        }
        if limited:
            body["results_limited_to"] = RESULTS_LIMIT
        body["metadata"] = {
            "url_name": _url_name(request.path),
            "build_commit": "turnout-emulator",
            "page_title": None,
        }
        spoil = self._next_malformation(request.path) if self._malformations else None
        if spoil == "not_json":
            return Response("<html><body>Upstream error</body></html>", content_type="text/html")
        if spoil == "missing_data":
            del body["data"]
        elif spoil == "missing_next":
            del body["next"]
        elif spoil == "record_type" and records:
            records[0] = "record"
        elif spoil == "field_type" and records:
            records[0] = {**records[0], "id": str(records[0].get("id"))}
        return json_response(body)

    def _link(self, request: Request, offset: int) -> str:
        pairs = [
            (key, value)
            for key, values in request.args.lists()
            if key not in {"cursor", "page"}
            for value in values
        ]
        if "per_page" not in request.args:
            pairs.append(("per_page", str(self.per_page)))
        pairs.append(("cursor", _encode_cursor(offset)))
        base = self.base_url or request.host_url.rstrip("/")
        return f"{base}{request.path}?{urlencode(pairs)}"

    # --- organizations ---------------------------------------------------------------------

    def organizations(self, request: Request) -> Response:
        self._authenticated(request)
        since = filters.integer(request.args, "updated_since")
        found = [
            org for org in self.data.organizations if since is None or org["modified_date"] >= since
        ]
        return self._page(request, len(found), lambda start, count: found[start : start + count])

    def promoted_organizations(self, request: Request, org_id: int) -> Response:
        self._require_key(request)
        self._organization(org_id)
        found = [self.data.organizations_by_id[o] for o in self.data.promoted_orgs.get(org_id, [])]
        return self._page(request, len(found), lambda start, count: found[start : start + count])

    # --- events ----------------------------------------------------------------------------

    def events(self, request: Request) -> Response:
        """Deprecated, and the same as the platform organization's events (every public one)."""
        return self._events_of(request, PLATFORM_ORG_ID, self._authenticated(request))

    def org_events(self, request: Request, org_id: int) -> Response:
        authenticated = self._authenticated(request)
        self._organization(org_id)
        return self._events_of(request, org_id, authenticated)

    def event(self, request: Request, event_id: int) -> Response:
        return self.org_event(request, PLATFORM_ORG_ID, event_id)

    def org_event(self, request: Request, org_id: int, event_id: int) -> Response:
        authenticated = self._authenticated(request)
        self._organization(org_id)
        j = self.data.events_by_id.get(event_id)
        if j is None or j not in self.data.org_event_indexes(org_id):
            raise BadInput({"detail": "Not found."}, 404)
        event = self.data.events[j]
        if not self._may_see(j, org_id, authenticated):
            raise BadInput({"detail": "Not found."}, 404)
        return json_response(
            {"data": self._event_view(j, event["timeslots"], org_id, authenticated)}
        )

    def _may_see(self, j: int, viewer_org: int, authenticated: bool) -> bool:
        if self.data.events[j]["visibility"] == "PUBLIC":
            return True
        return authenticated and self.data.event_owner[j] == viewer_org

    def _events_of(self, request: Request, org_id: int, authenticated: bool) -> Response:
        selected = self._select_events(request, org_id, authenticated)
        limited = any(name in request.args for name in _SEARCH_PARAMS)

        def fetch(start: int, count: int) -> list[dict[str, Any]]:
            return [
                self._event_view(j, slots, org_id, authenticated)
                for j, slots in selected[start : start + count]
            ]

        return self._page(request, len(selected), fetch, limited=limited)

    def _select_events(
        self, request: Request, org_id: int, authenticated: bool
    ) -> list[tuple[int, list[dict[str, Any]]]]:
        """The events a list call returns, each with the timeslots that pass its filters."""
        args, now = request.args, self.now()
        owners = filters.integers(args, "organization_id")
        since = filters.integer(args, "updated_since")
        starts = filters.comparisons(args, "timeslot_start", now)
        ends = filters.comparisons(args, "timeslot_end", now)
        visibility = filters.choices(args, "visibility", ["PUBLIC", "PRIVATE"])
        if "PRIVATE" in visibility and not authenticated:
            raise BadInput({"detail": "You do not have permission to view private events."}, 403)
        approval = filters.choices(
            args, "approval_status", ["APPROVED", "PENDING_APPROVAL", "REJECTED"]
        ) or ["APPROVED"]
        event_types = filters.choices(args, "event_types", list(EVENT_TYPES))
        tag_ids = set(filters.integers(args, "tag_id"))
        campaign_ids = set(filters.integers(args, "event_campaign_id"))
        is_virtual = filters.boolean(args, "is_virtual")
        exclude_full = bool(filters.boolean(args, "exclude_full"))
        high_priority_only = bool(filters.boolean(args, "high_priority_only"))
        state = args.get("state")
        # TODO: max_dist is accepted but not applied: the emulator has no geocoder, so a zipcode
        # matches events at that postal code only.
        zipcode = args.get("zipcode")
        filters.integer(args, "max_dist")
        if zipcode:
            is_virtual = False

        selected = []
        for j in self.data.org_event_indexes(org_id):
            event = self.data.events[j]
            location = event["location"] or {}
            if not self._may_see(j, org_id, authenticated):
                continue
            if (
                (owners and self.data.event_owner[j] not in owners)
                or (since is not None and event["modified_date"] < since)
                or (visibility and event["visibility"] not in visibility)
                or event["approval_status"] not in approval
                or (event_types and event["event_type"] not in event_types)
                or (tag_ids and not tag_ids & {tag["id"] for tag in event["tags"]})
                or (campaign_ids and (event["event_campaign"] or {}).get("id") not in campaign_ids)
                or (is_virtual is not None and event["is_virtual"] != is_virtual)
                or (high_priority_only and not event["high_priority"])
                or (state and location.get("region") != state)
                or (zipcode and location.get("postal_code") != zipcode)
            ):
                continue
            slots = [
                slot
                for slot in event["timeslots"]
                if filters.holds(slot["start_date"], starts)
                and filters.holds(slot["end_date"], ends)
                and not (exclude_full and slot["is_full"])
            ]
            if not slots and (starts or ends or exclude_full):
                continue
            selected.append((j, slots))
        return selected

    def _event_view(
        self, j: int, slots: list[dict[str, Any]], viewer_org: int, authenticated: bool
    ) -> dict[str, Any]:
        view = dict(self.data.events[j])
        view["timeslots"] = slots
        if not authenticated:
            view["contact"] = None
        if not (authenticated and self.data.event_owner[j] == viewer_org):
            view["instructions"] = None
        return view

    def events_deleted(self, request: Request) -> Response:
        return self._deleted_of(request, None)

    def org_events_deleted(self, request: Request, org_id: int) -> Response:
        self._organization(org_id)
        return self._deleted_of(request, org_id)

    def _deleted_of(self, request: Request, org_id: int | None) -> Response:
        self._authenticated(request)
        owners = filters.integers(request.args, "organization_id")
        since = filters.integer(request.args, "updated_since")
        found = [
            deleted
            for deleted, owner in zip(self.data.deleted_events, self.data.deleted_owner)
            if (org_id is None or owner == org_id)
            and (not owners or owner in owners)
            and (since is None or deleted["deleted_date"] >= since)
        ]
        return self._page(request, len(found), lambda start, count: found[start : start + count])

    # --- people and attendances ------------------------------------------------------------

    def people(self, request: Request, org_id: int) -> Response:
        self._require_key(request)
        self._organization(org_id)
        since = filters.integer(request.args, "updated_since")
        indexes = self.data.org_people_indexes(org_id)
        if since is not None:
            indexes = self._cached(
                ("people", org_id, since),
                lambda: [p for p in indexes if self.data.person(p)["modified_date"] >= since],
            )

        def fetch(start: int, count: int) -> list[dict[str, Any]]:
            return [self.data.person(p) for p in indexes[start : start + count]]

        return self._page(request, len(indexes), fetch)

    def attendances(self, request: Request, org_id: int) -> Response:
        self._require_key(request)
        self._organization(org_id)
        since = filters.integer(request.args, "updated_since")
        indexes: Sequence[int] = self.data.org_attendance_indexes(org_id)
        if since is not None:
            every = indexes
            modified = self.data.attendance_modified
            indexes = self._cached(
                ("attendances", org_id, since),
                lambda: [i for i in every if modified(i) >= since],
            )
        return self._attendance_page(request, org_id, indexes)

    def event_attendances(self, request: Request, org_id: int, event_id: int) -> Response:
        self._require_key(request)
        self._organization(org_id)
        j = self.data.events_by_id.get(event_id)
        if j is None or j not in self.data.org_event_indexes(org_id):
            raise BadInput({"detail": "Not found."}, 404)
        every = self.data.org_attendance_indexes(org_id)
        of_event = self.data.event_of_attendance
        indexes = self._cached(
            ("event_attendances", org_id, j), lambda: [i for i in every if of_event(i) == j]
        )
        return self._attendance_page(request, org_id, indexes)

    def _attendance_page(self, request: Request, org_id: int, indexes: Sequence[int]) -> Response:
        def fetch(start: int, count: int) -> list[dict[str, Any]]:
            return [self.data.attendance(i, org_id) for i in indexes[start : start + count]]

        return self._page(request, len(indexes), fetch)

    def attendance(self, request: Request, org_id: int, attendance_id: int) -> Response:
        self._require_key(request)
        self._organization(org_id)
        i = attendance_id - FIRST_ATTENDANCE_ID
        total = self.data.attendance_count + len(self.data.written_attendances)
        if not 0 <= i < total or i not in _Sorted(self.data.org_attendance_indexes(org_id)):
            raise BadInput({"detail": "Not found."}, 404)
        return json_response({"data": self.data.attendance(i, org_id)})

    def enums(self, request: Request) -> Response:
        return json_response({"data": ENUMS})


class _Sorted:
    """Membership in an ascending sequence by bisection."""

    def __init__(self, values: Sequence[int]) -> None:
        self.values = values

    def __contains__(self, value: int) -> bool:
        at = bisect.bisect_left(self.values, value)
        return at < len(self.values) and self.values[at] == value


def _url_name(path: str) -> str:
    words = [part for part in path.split("/")[2:] if part and not part.isdigit()]
    return "-".join(words) or "root"


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o={offset}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith("o="):
            raise ValueError(text)
        offset = int(text[2:])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadInput({"detail": "Invalid cursor"}, 404) from None
    if offset < 0:
        raise BadInput({"detail": "Invalid cursor"}, 404)
    return offset
