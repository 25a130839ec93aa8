"""Pagination strategies: how to find a page's records and the request for the next page.

A strategy is a small object; `Pagination.pages` drives it, fetching one page at a time and
yielding it, so a caller streams records instead of holding every page at once. A body that
lacks the records, or a next link that points back at a page already fetched, raises
ResponseFormatError naming the URL and the page number.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from turnout.errors import ResponseFormatError
from turnout.redaction import redact_url

logger = logging.getLogger(__name__)

Params = Mapping[str, Any] | None
FetchJson = Callable[[str, Params], Any]

_MISSING = object()


class _LinkError(Exception):
    """A next link that cannot be followed; `pages` reports it with the URL and page."""


@dataclass
class Page:
    """One fetched page: its number (from 1), the URL and params asked, its records, the body."""

    number: int
    url: str
    params: dict[str, Any] | None
    records: list[Any]
    body: Any = field(repr=False)


def dig(body: Any, path: str | None) -> Any:
    """`body["a"]["b"]` for path "a.b"; `_MISSING` when any step is absent. None: the body."""
    if path is None:
        return body
    value = body
    for step in path.split("."):
        if not isinstance(value, Mapping) or step not in value:
            return _MISSING
        value = value[step]
    return value


class Pagination:
    """Base strategy: records under `data_key` (a dotted path, or None for a bare list)."""

    data_key: str | None = None

    def records(self, body: Any, url: str, number: int) -> list[Any]:
        """The records of one page; raises ResponseFormatError when they are missing."""
        records = dig(body, self.data_key)
        if records is _MISSING:
            keys = sorted(body) if isinstance(body, Mapping) else type(body).__name__
            raise ResponseFormatError(
                f"GET {redact_url(url)} page {number}: the body has no {self.data_key!r} "
                f"(found {keys})"
            )
        if records is None:
            return []
        if not isinstance(records, list):
            where = repr(self.data_key) if self.data_key else "body"
            raise ResponseFormatError(
                f"GET {redact_url(url)} page {number}: {where} is a "
                f"{type(records).__name__}, expected a list of records"
            )
        return records

    def next_request(
        self, body: Any, url: str, params: dict[str, Any] | None, records: list[Any]
    ) -> tuple[str, dict[str, Any] | None] | None:
        """The (url, params) of the next page, or None after the last page."""
        return None

    def pages(self, fetch: FetchJson, url: str, params: Params = None) -> Iterator[Page]:
        """Fetch and yield every page, starting at `url` with `params`."""
        current: dict[str, Any] | None = dict(params) if params else None
        seen: set[tuple[str, str]] = set()
        number = 1
        while True:
            marker = (url, repr(sorted((current or {}).items())))
            if marker in seen:
                raise ResponseFormatError(
                    f"GET {redact_url(url)} page {number}: the next link repeats a page already "
                    "fetched; stopping instead of looping"
                )
            seen.add(marker)

            try:
                body = fetch(url, current)
            except ResponseFormatError as error:
                raise ResponseFormatError(f"{error} (page {number})") from None
            records = self.records(body, url, number)
            logger.debug("page %d of %s: %d records", number, redact_url(url), len(records))
            yield Page(number, url, current, records, body)

            try:
                following = self.next_request(body, url, current, records)
            except _LinkError as error:
                raise ResponseFormatError(f"GET {redact_url(url)} page {number}: {error}") from None
            if following is None:
                return
            url, current = following
            number += 1


class NoPagination(Pagination):
    """A single page."""

    def __init__(self, data_key: str | None = None) -> None:
        self.data_key = data_key


class NextUrlPagination(Pagination):
    """The body names the next page's URL under `next_key` (e.g. Mobilize's `next`).

    The URL is followed as given, without re-sending the first call's params, because such
    links already carry every filter; a relative link is joined to the current URL.
    """

    def __init__(
        self, next_key: str = "next", data_key: str | None = "data", *, require_next: bool = False
    ) -> None:
        self.next_key = next_key
        self.data_key = data_key
        self.require_next = require_next  # a page without the key is an error, not the end

    def next_request(
        self, body: Any, url: str, params: dict[str, Any] | None, records: list[Any]
    ) -> tuple[str, dict[str, Any] | None] | None:
        link = dig(body, self.next_key)
        if link is _MISSING and self.require_next:
            raise _LinkError(
                f"the body has no {self.next_key!r}, so whether more pages follow is unknown"
            )
        if link is _MISSING or not link:
            return None
        if not isinstance(link, str):
            raise _LinkError(f"{self.next_key!r} is a {type(link).__name__}, expected a URL")
        return urljoin(url, link), None


class HALPagination(NextUrlPagination):
    """HAL+JSON (Action Network, OSDI): records in `_embedded.<key>`, next in
    `_links.next.href`."""

    def __init__(self, embedded_key: str) -> None:
        super().__init__(next_key="_links.next.href", data_key=f"_embedded.{embedded_key}")
        self.embedded_key = embedded_key


class PageNumberPagination(Pagination):
    """`?page=N`: asks page `start`, `start + 1`, ... and stops on an empty page, on a page
    shorter than `per_page` (when given), or at `total_pages_key`'s value (when given)."""

    def __init__(
        self,
        page_param: str = "page",
        *,
        start: int = 1,
        per_page: int | None = None,
        per_page_param: str = "per_page",
        data_key: str | None = None,
        total_pages_key: str | None = None,
    ) -> None:
        self.page_param = page_param
        self.start = start
        self.per_page = per_page
        self.per_page_param = per_page_param
        self.data_key = data_key
        self.total_pages_key = total_pages_key

    def pages(self, fetch: FetchJson, url: str, params: Params = None) -> Iterator[Page]:
        first = dict(params or {})
        first.setdefault(self.page_param, self.start)
        if self.per_page is not None:
            first.setdefault(self.per_page_param, self.per_page)
        return super().pages(fetch, url, first)

    def next_request(
        self, body: Any, url: str, params: dict[str, Any] | None, records: list[Any]
    ) -> tuple[str, dict[str, Any] | None] | None:
        if not records:
            return None
        if self.per_page is not None and len(records) < self.per_page:
            return None
        current = dict(params or {})
        page = int(current.get(self.page_param, self.start))
        if self.total_pages_key is not None:
            total = dig(body, self.total_pages_key)
            if total is _MISSING or total is None or page >= int(total):
                return None
        current[self.page_param] = page + 1
        return url, current


class CursorPagination(Pagination):
    """The body names an opaque cursor under `cursor_key`; the next call sends it as
    `cursor_param` along with the first call's params. An empty cursor ends the pages."""

    def __init__(
        self,
        cursor_param: str = "cursor",
        cursor_key: str = "next_cursor",
        data_key: str | None = "data",
    ) -> None:
        self.cursor_param = cursor_param
        self.cursor_key = cursor_key
        self.data_key = data_key

    def next_request(
        self, body: Any, url: str, params: dict[str, Any] | None, records: list[Any]
    ) -> tuple[str, dict[str, Any] | None] | None:
        cursor = dig(body, self.cursor_key)
        if cursor is _MISSING or cursor in (None, ""):
            return None
        following = dict(params or {})
        following[self.cursor_param] = cursor
        return url, following
