"""The Action Network API v2 emulator: routes, auth, rate limit and HAL+JSON rendering.

Serves under `/api/v2/`. Every route except the entry point needs a known `OSDI-API-Token`
(403 `{"error": "API Key invalid or not present"}` otherwise). Past `rate` requests a second
per token it answers 429 with a Retry-After saying when a token frees up. Error bodies are
flat: `{"error": "<message>"}`.

Validation messages the contract does not pin down (no email and no phone, an invalid email,
an over-long name) are the emulator's own wording; see `store.py`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

import orjson
from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from turnout.emulators.action_network.odata import (
    FilterError,
    compile_filter,
)
from turnout.emulators.action_network.store import ApiError, Store, digits
from turnout.emulators.base import (
    EmulatorApp,
    FaultInjector,
    TokenBucket,
    json_response,
    status_phrase,
)

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v2"
DEFAULT_TOKEN = "an-emulator-token"
MAX_PAGE_SIZE = 25
HAL_JSON = "application/hal+json"
AUTH_ERROR = "API Key invalid or not present"

_PERSON_FILTER_FIELDS = frozenset(
    {"email_address", "phone_number", "given_name", "family_name", "created_date", "modified_date"}
)
_ACTION_FILTER_FIELDS = frozenset({"title", "created_date", "modified_date", "start_date"})
_TAGGING_FILTER_FIELDS = frozenset({"created_date", "modified_date"})

_CURIES = [
    {"name": "osdi", "href": "https://actionnetwork.org/docs/v2/{rel}", "templated": True},
    {
        "name": "action_network",
        "href": "https://actionnetwork.org/docs/v2/{rel}",
        "templated": True,
    },
]


def _person_values(person: dict[str, Any], field: str) -> list[Any]:
    if field == "email_address":
        return [e["address"] for e in person["email_addresses"]]
    if field == "phone_number":
        return [digits(p["number"]) for p in person["phone_numbers"]]
    return [person.get(field)]


def _plain_values(resource: dict[str, Any], field: str) -> list[Any]:
    return [resource.get(field)]


class ActionNetworkEmulator(EmulatorApp):
    """An Action Network group in memory, served over HTTP.

    Tests read state through `store` and the helpers below (`person_by_email`,
    `people_with_email`, `tag_names_of`, ...); `rate_limited_count` counts the 429s the rate
    limit (not the fault injector) answered.
    """

    name = "action_network"

    def __init__(
        self,
        *,
        store: Store,
        faults: FaultInjector | None = None,
        seed: int = 0,
        tokens: Iterable[str] = (DEFAULT_TOKEN,),
        rate: float | None = 4.0,
        burst: float | None = None,
        bare_empty_pages: bool = False,
    ) -> None:
        super().__init__(faults=faults, seed=seed)
        self.bare_empty_pages = bare_empty_pages
        self.store = store
        self.tokens = set(tokens)
        self.rate = rate
        self.limiter = TokenBucket(rate, burst) if rate else None
        self.rate_limited_count = 0

    # --- routing --------------------------------------------------------------------------

    def rules(self) -> Iterable[Rule]:
        p = API_PREFIX
        return [
            Rule(f"{p}/", endpoint="entry_point", methods=["GET"]),
            Rule(f"{p}/people", endpoint="people", methods=["GET", "POST"]),
            Rule(f"{p}/people/<person_id>", endpoint="person", methods=["GET", "PUT"]),
            Rule(f"{p}/people/<person_id>/taggings", endpoint="person_taggings", methods=["GET"]),
            Rule(f"{p}/tags", endpoint="tags", methods=["GET", "POST"]),
            Rule(f"{p}/tags/<tag_id>", endpoint="tag", methods=["GET"]),
            Rule(f"{p}/tags/<tag_id>/taggings", endpoint="taggings", methods=["GET", "POST"]),
            Rule(
                f"{p}/tags/<tag_id>/taggings/<tagging_id>",
                endpoint="tagging",
                methods=["GET", "DELETE"],
            ),
            Rule(f"{p}/events", endpoint="events", methods=["GET", "POST"]),
            Rule(f"{p}/events/<action_id>", endpoint="event", methods=["GET", "PUT"]),
            Rule(f"{p}/forms", endpoint="forms", methods=["GET", "POST"]),
            Rule(f"{p}/forms/<action_id>", endpoint="form", methods=["GET", "PUT"]),
        ]

    def dispatch(self, request: Request) -> Response:
        if request.path.rstrip("/") != API_PREFIX:
            token = request.headers.get("OSDI-API-Token", "")
            if token not in self.tokens:
                return self._error(403, AUTH_ERROR)
            if self.limiter is not None:
                wait = self.limiter.take(token)
                if wait > 0:
                    with self._log_lock:
                        self.rate_limited_count += 1
                    return self.rate_limited(wait)
        try:
            return super().dispatch(request)
        except ApiError as error:
            return self._error(error.status, error.message)
        except FilterError as error:
            return self._error(400, f"Invalid filter: {error}")

    # --- error bodies ---------------------------------------------------------------------

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        return json_response({"error": message}, status, headers, content_type=HAL_JSON)

    def not_found(self, request: Request) -> Response:
        return self._error(404, f"No route matches {request.path}")

    def rate_limited(self, retry_after: float | None) -> Response:
        headers = {"Retry-After": _seconds(retry_after)} if retry_after else None
        return self._error(429, "Too Many Requests", headers)

    def server_error(self, status: int) -> Response:
        """An injected fault's body, in Action Network's flat shape and agreeing with the status:
        the bad-key message on 401/403, a validation message on 400/422, else the phrase."""
        if status in (401, 403):
            return self._error(status, "API Key invalid or not present")
        if status in (400, 422):
            return self._error(status, "Validation failed: the request was not accepted")
        return self._error(status, status_phrase(status))

    # --- rendering ------------------------------------------------------------------------

    def href(self, path: str, query: dict[str, Any] | None = None) -> str:
        suffix = f"?{urlencode(query)}" if query else ""
        return f"{self.base_url}{API_PREFIX}/{path}{suffix}"

    def _hal(self, payload: Any, status: int = 200) -> Response:
        return json_response(
            payload,
            status,
            {"Cache-Control": "max-age=0, private, must-revalidate"},
            content_type=HAL_JSON,
        )

    def render_person(self, person: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in person.items() if k != "id"}
        base = f"people/{person['id']}"
        out["_links"] = {
            "self": {"href": self.href(base)},
            **{
                f"osdi:{rel}": {"href": self.href(f"{base}/{rel}")}
                for rel in (
                    "attendances",
                    "signatures",
                    "submissions",
                    "donations",
                    "outreaches",
                    "taggings",
                )
            },
            "curies": _CURIES,
        }
        return out

    def render_tag(self, tag: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in tag.items() if k != "id"}
        out["_links"] = {
            "self": {"href": self.href(f"tags/{tag['id']}")},
            "osdi:taggings": {"href": self.href(f"tags/{tag['id']}/taggings")},
            "curies": _CURIES,
        }
        return out

    def render_tagging(self, tagging: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in tagging.items() if k not in ("id", "tag_id", "person_id")}
        out["_links"] = {
            "self": {"href": self.href(f"tags/{tagging['tag_id']}/taggings/{tagging['id']}")},
            "osdi:tag": {"href": self.href(f"tags/{tagging['tag_id']}")},
            "osdi:person": {"href": self.href(f"people/{tagging['person_id']}")},
            "curies": _CURIES,
        }
        return out

    def render_action(self, kind: str, resource: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in resource.items() if k != "id"}
        collection = f"{kind}s"
        out["_links"] = {
            "self": {"href": self.href(f"{collection}/{resource['id']}")},
            "curies": _CURIES,
        }
        return out

    def collection(
        self,
        request: Request,
        path: str,
        rel: str,
        items: list[dict[str, Any]],
        render: Callable[[dict[str, Any]], dict[str, Any]],
        *,
        totals: bool = True,
        filter_values: Callable[[dict[str, Any], str], list[Any]] = _plain_values,
        filter_fields: frozenset[str] = frozenset(),
    ) -> Response:
        """One page of a collection, as HAL: `_embedded["osdi:<rel>"]`, `_links.next`.

        The people collection (`totals=False`) carries no totals and keeps `next` on every page
        that has data; the others carry totals and stop `next` at the last page.
        """
        page = _int_arg(request, "page", 1, minimum=1)
        per_page = min(_int_arg(request, "per_page", MAX_PAGE_SIZE, minimum=1), MAX_PAGE_SIZE)
        expression = request.args.get("filter")
        if expression:
            keep = compile_filter(expression, filter_values, filter_fields)
            items = [item for item in items if keep(item)]

        chunk = items[(page - 1) * per_page : page * per_page]
        query: dict[str, Any] = {"page": page, "per_page": per_page}
        if expression:
            query["filter"] = expression
        links: dict[str, Any] = {"self": {"href": self.href(path, query)}}
        total_pages = max(1, math.ceil(len(items) / per_page))
        has_next = bool(chunk) if not totals else page < total_pages
        if has_next:
            links["next"] = {"href": self.href(path, {**query, "page": page + 1})}
        if page > 1:
            links["previous"] = {"href": self.href(path, {**query, "page": page - 1})}
        rendered = [render(item) for item in chunk]
        links[f"osdi:{rel}"] = [{"href": r["_links"]["self"]["href"]} for r in rendered]
        links["curies"] = _CURIES

        payload: dict[str, Any] = {}
        if totals:
            payload["total_pages"] = total_pages
            payload["total_records"] = len(items)
        payload.update({"per_page": per_page, "page": page, "_links": links})
        empty_bare = self.bare_empty_pages and not rendered
        payload["_embedded"] = {} if empty_bare else {f"osdi:{rel}": rendered}
        return self._hal(payload)

    # --- endpoints ------------------------------------------------------------------------

    def entry_point(self, request: Request) -> Response:
        collections = ("people", "tags", "events", "forms")
        links = {f"osdi:{name}": {"href": self.href(name)} for name in collections}
        links["osdi:person_signup_helper"] = {"href": self.href("people")}
        links["self"] = {"href": self.href("")}
        links["curies"] = _CURIES
        return self._hal(
            {
                "motd": "Welcome to the Action Network emulator (loopback only)",
                "vendor_name": "Action Network",
                "product_name": "Action Network",
                "osdi_version": "1.1.1",
                "namespace": "action_network",
                "max_page_size": MAX_PAGE_SIZE,
                "_links": links,
            }
        )

    def people(self, request: Request) -> Response:
        if request.method == "POST":
            body = _json_body(request)
            person, created = self.store.signup(body)
            logger.debug(
                "signup helper %s person %s", "created" if created else "updated", person["id"]
            )
            if _background(request):
                return self._hal({})
            return self._hal(self.render_person(person))
        with self.store.lock:
            people = list(self.store.people.values())
        return self.collection(
            request,
            "people",
            "people",
            people,
            self.render_person,
            totals=False,
            filter_values=_person_values,
            filter_fields=_PERSON_FILTER_FIELDS,
        )

    def person(self, request: Request, person_id: str) -> Response:
        if request.method == "PUT":
            person = self.store.update_person(person_id, _json_body(request))
            if _background(request):
                return self._hal({})
            return self._hal(self.render_person(person))
        return self._hal(self.render_person(self.store.get_person(person_id)))

    def person_taggings(self, request: Request, person_id: str) -> Response:
        items = self.store.taggings_of_person(person_id)
        return self.collection(
            request,
            f"people/{person_id}/taggings",
            "taggings",
            items,
            self.render_tagging,
            filter_fields=_TAGGING_FILTER_FIELDS,
        )

    def tags(self, request: Request) -> Response:
        if request.method == "POST":
            body = _json_body(request)
            tag, _ = self.store.add_tag(body.get("name") if isinstance(body, dict) else None)
            return self._hal(self.render_tag(tag))
        with self.store.lock:
            tags = list(self.store.tags.values())
        return self.collection(request, "tags", "tags", tags, self.render_tag)

    def tag(self, request: Request, tag_id: str) -> Response:
        return self._hal(self.render_tag(self.store.get_tag(tag_id)))

    def taggings(self, request: Request, tag_id: str) -> Response:
        if request.method == "POST":
            body = _json_body(request)
            tagging, _ = self.store.add_tagging(tag_id, self._person_id_from_links(body))
            if _background(request):
                return self._hal({})
            return self._hal(self.render_tagging(tagging))
        return self.collection(
            request,
            f"tags/{tag_id}/taggings",
            "taggings",
            self.store.taggings_of_tag(tag_id),
            self.render_tagging,
            filter_fields=_TAGGING_FILTER_FIELDS,
        )

    def tagging(self, request: Request, tag_id: str, tagging_id: str) -> Response:
        if request.method == "DELETE":
            self.store.delete_tagging(tag_id, tagging_id)
            if _background(request):
                return self._hal({})
            return self._hal({"notice": "This tagging was successfully deleted."})
        return self._hal(self.render_tagging(self.store.get_tagging(tag_id, tagging_id)))

    def events(self, request: Request) -> Response:
        return self._actions(request, "event")

    def forms(self, request: Request) -> Response:
        return self._actions(request, "form")

    def event(self, request: Request, action_id: str) -> Response:
        return self._action(request, "event", action_id)

    def form(self, request: Request, action_id: str) -> Response:
        return self._action(request, "form", action_id)

    def _actions(self, request: Request, kind: str) -> Response:
        if request.method == "POST":
            resource = self.store.add_action(kind, _json_body(request))
            return self._hal(self.render_action(kind, resource))
        with self.store.lock:
            items = list((self.store.events if kind == "event" else self.store.forms).values())
        return self.collection(
            request,
            f"{kind}s",
            f"{kind}s",
            items,
            lambda resource: self.render_action(kind, resource),
            filter_fields=_ACTION_FILTER_FIELDS,
        )

    def _action(self, request: Request, kind: str, action_id: str) -> Response:
        if request.method == "PUT":
            resource = self.store.update_action(kind, action_id, _json_body(request))
        elif kind == "event":
            resource = self.store.get_event(action_id)
        else:
            resource = self.store.get_form(action_id)
        return self._hal(self.render_action(kind, resource))

    @staticmethod
    def _person_id_from_links(body: Any) -> str | None:
        try:
            href = body["_links"]["osdi:person"]["href"]
        except (KeyError, TypeError):
            return None
        if not isinstance(href, str):
            return None
        return href.rstrip("/").rsplit("/", 1)[-1]

    # --- state helpers for tests ----------------------------------------------------------

    def person_by_email(self, address: str) -> dict[str, Any] | None:
        """The stored person with this email address (any of theirs), rendered, or None."""
        person = self.store.person_by_email(address)
        return self.render_person(person) if person else None

    def people_with_email(self, address: str) -> list[dict[str, Any]]:
        """Every stored person holding this address: a duplicate shows as two entries."""
        wanted = address.strip().lower()
        with self.store.lock:
            return [
                self.render_person(p)
                for p in self.store.people.values()
                if any(e["address"].lower() == wanted for e in p["email_addresses"])
            ]

    def person_by_phone(self, number: str) -> dict[str, Any] | None:
        person = self.store.person_by_phone(number)
        return self.render_person(person) if person else None

    def tag_names_of(self, person_id: str) -> list[str]:
        """The names of the tags applied to a person, sorted."""
        with self.store.lock:
            return sorted(
                self.store.tags[t["tag_id"]]["name"]
                for t in self.store.taggings.values()
                if t["person_id"] == person_id
            )

    def taggings_of(self, tag_name: str) -> list[str]:
        """The person ids tagged with `tag_name`, in tagging order."""
        tag = self.store.tag_by_name(tag_name)
        if tag is None:
            return []
        with self.store.lock:
            return [
                t["person_id"] for t in self.store.taggings.values() if t["tag_id"] == tag["id"]
            ]

    @property
    def person_count(self) -> int:
        return len(self.store.people)


def _int_arg(request: Request, name: str, default: int, *, minimum: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise ApiError(400, f"{name} must be an integer, got {raw!r}") from error
    return max(minimum, value)


def _json_body(request: Request) -> Any:
    data = request.get_data(cache=True)
    if not data:
        raise ApiError(400, "Request body is empty; expected JSON")
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise ApiError(400, f"Request body is not valid JSON: {error}") from error


def _seconds(value: float) -> str:
    # Fractional seconds let tests run fast; a client that parses a float honours them.
    return str(int(value)) if float(value).is_integer() else f"{value:.3f}"


def _background(request: Request) -> bool:
    return request.args.get("background_processing", "").lower() == "true"
