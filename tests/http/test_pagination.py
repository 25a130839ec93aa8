"""Pagination strategies against real pages: every record once, in order, page by page."""

from __future__ import annotations

import pytest

from turnout.emulators.base import EmulatorServer
from turnout.errors import ResponseFormatError
from turnout.http import (
    APIConnector,
    CursorPagination,
    HALPagination,
    NextUrlPagination,
    PageNumberPagination,
)

ALL_IDS = list(range(1, 24))


def test_next_url_pages_stream_one_at_a_time(
    connector: APIConnector, http_server: EmulatorServer
) -> None:
    pages = connector.paginate("next-url", {"tag": "t"}, pagination=NextUrlPagination())
    first = next(pages)
    assert first.number == 1
    assert [r["id"] for r in first.records] == [1, 2, 3, 4, 5]
    assert len(http_server.app.requests_to("/next-url")) == 1  # nothing fetched ahead

    rest = list(pages)
    assert [p.number for p in rest] == [2, 3, 4, 5]
    assert [r["id"] for p in [first, *rest] for r in p.records] == ALL_IDS
    # The next link is followed as given, and it carries the filter.
    assert [r.query for r in http_server.app.requests_to("/next-url")] == [
        "tag=t", "start=5&tag=t", "start=10&tag=t", "start=15&tag=t", "start=20&tag=t",
    ]  # fmt: skip


def test_page_number_pages_until_total(
    connector: APIConnector, http_server: EmulatorServer
) -> None:
    strategy = PageNumberPagination(data_key="results", per_page=5, total_pages_key="total_pages")
    pages = list(connector.paginate("numbered", pagination=strategy))
    assert [r["id"] for p in pages for r in p.records] == ALL_IDS
    assert [p.params["page"] for p in pages] == [1, 2, 3, 4, 5]


def test_page_number_without_total_stops_on_a_short_page(connector: APIConnector) -> None:
    strategy = PageNumberPagination(data_key="results", per_page=6)
    pages = list(connector.paginate("numbered", pagination=strategy))
    assert [len(p.records) for p in pages] == [6, 6, 6, 5]


def test_page_number_stops_on_an_empty_page(connector: APIConnector) -> None:
    strategy = PageNumberPagination(data_key="results")  # per_page unknown to the client
    pages = list(connector.paginate("numbered", {"per_page": 23}, pagination=strategy))
    assert [len(p.records) for p in pages] == [23, 0]


def test_hal_links_and_embedded(connector: APIConnector) -> None:
    strategy = HALPagination("osdi:people")
    ids = [r["id"] for r in connector.records("hal", pagination=strategy)]
    assert ids == ALL_IDS


def test_cursor_keeps_params(connector: APIConnector, http_server: EmulatorServer) -> None:
    strategy = CursorPagination(cursor_key="meta.next_cursor", data_key="items")
    pages = list(connector.paginate("cursor", {"kind": "k"}, pagination=strategy))
    assert [r["id"] for p in pages for r in p.records] == ALL_IDS
    assert all(p.body["kind"] == "k" for p in pages)
    assert [p.params for p in pages][:2] == [{"kind": "k"}, {"kind": "k", "cursor": "5"}]


def test_missing_data_key_names_url_and_page(
    connector: APIConnector, http_server: EmulatorServer
) -> None:
    with pytest.raises(ResponseFormatError) as caught:
        list(connector.records("no-data", pagination=NextUrlPagination()))
    assert str(caught.value) == (
        f"GET {http_server.url}/no-data page 1: the body has no 'data' (found ['next', 'results'])"
    )


def test_a_next_link_back_to_a_fetched_page_stops(
    connector: APIConnector, http_server: EmulatorServer
) -> None:
    with pytest.raises(ResponseFormatError) as caught:
        list(connector.records("loop", pagination=NextUrlPagination()))
    assert "page 2" in str(caught.value)
    assert "repeats a page already fetched" in str(caught.value)
