"""Reading Action Network collections: one page as raw JSON, or every page as a Table.

Action Network's collections are HAL+JSON: the records sit under `_embedded["osdi:<name>"]`,
the next page under `_links.next.href`, at most 25 a page. The people collection keeps its
`next` link on the last page that has data, so reading stops at the first empty page as well
as at a page without `next`. A page whose `_embedded` is empty (`{}`) counts as an empty page.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from turnout.errors import ResponseFormatError
from turnout.http import APIConnector, HALPagination
from turnout.redaction import redact_url
from turnout.table import Table

logger = logging.getLogger(__name__)

MAX_PAGE_SIZE = 25


class OsdiPagination(HALPagination):
    """HAL pages that end at the first empty page, and tolerate an empty `_embedded`."""

    def records(self, body: Any, url: str, number: int) -> list[Any]:
        embedded = body.get("_embedded") if isinstance(body, Mapping) else None
        if not isinstance(embedded, Mapping):
            keys = sorted(body) if isinstance(body, Mapping) else type(body).__name__
            raise ResponseFormatError(
                f"GET {redact_url(url)} page {number}: the body has no '_embedded' (found {keys})"
            )
        if not embedded:
            return []
        if self.embedded_key in embedded:
            records = embedded[self.embedded_key]
        elif len(embedded) == 1:
            # The name differs from the path's (e.g. a nested collection): take the only one.
            records = next(iter(embedded.values()))
        else:
            raise ResponseFormatError(
                f"GET {redact_url(url)} page {number}: '_embedded' has no "
                f"{self.embedded_key!r} (found {sorted(embedded)})"
            )
        if records is None:
            return []
        if not isinstance(records, list):
            raise ResponseFormatError(
                f"GET {redact_url(url)} page {number}: '_embedded.{self.embedded_key}' is a "
                f"{type(records).__name__}, expected a list"
            )
        return records

    def next_request(
        self, body: Any, url: str, params: dict[str, Any] | None, records: list[Any]
    ) -> tuple[str, dict[str, Any] | None] | None:
        if not records:
            return None
        return super().next_request(body, url, params, records)


def embedded_key(path: str) -> str:
    """`people` -> `osdi:people`; `tags/<id>/taggings` -> `osdi:taggings`."""
    return "osdi:" + path.rstrip("/").rsplit("/", 1)[-1]


def page_params(page: int, per_page: int, filter: str | None) -> dict[str, Any]:
    if per_page > MAX_PAGE_SIZE:
        logger.info(
            "Action Network returns at most %d records a page; asking for %d instead of %d",
            MAX_PAGE_SIZE,
            MAX_PAGE_SIZE,
            per_page,
        )
        per_page = MAX_PAGE_SIZE
    params: dict[str, Any] = {"page": page, "per_page": per_page}
    if filter:
        params["filter"] = filter
    return params


def get_page(
    client: APIConnector, path: str, page: int, per_page: int = 25, filter: str | None = None
) -> dict[str, Any]:
    """One page of a collection, as the raw JSON dict (Parsons' `page=` behaviour)."""
    return client.get_json(path, page_params(page, per_page, filter))


def get_entry_list(
    client: APIConnector,
    path: str,
    limit: int | None = None,
    per_page: int = 25,
    filter: str | None = None,
) -> Table:
    """Every record of a collection (or the first `limit`), as a Table."""
    records: list[Any] = []
    pages = 0
    pagination = OsdiPagination(embedded_key(path))
    for page in client.paginate(path, page_params(1, per_page, filter), pagination=pagination):
        pages += 1
        records.extend(page.records)
        if limit and len(records) >= limit:
            records = records[:limit]
            break
    logger.info("Action Network %s: %d records from %d pages", path, len(records), pages)
    return Table(records)
