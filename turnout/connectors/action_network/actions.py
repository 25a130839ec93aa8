"""Events and forms: the two kinds of action the first workflows read."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from turnout.connectors.action_network.collections import get_entry_list, get_page
from turnout.connectors.action_network.writes import write_json
from turnout.http import APIConnector
from turnout.table import Table

logger = logging.getLogger(__name__)


class ActionsMixin:
    """The event and form methods of `ActionNetwork`."""

    client: APIConnector

    # --- events ---------------------------------------------------------------------------

    def get_events(
        self,
        limit: int | None = None,
        per_page: int = 25,
        page: int | None = None,
        filter: str | None = None,
    ) -> Table | dict[str, Any]:
        """Every event as a Table; with `page`, that page's raw JSON."""
        if page:
            return get_page(self.client, "events", page, per_page, filter)
        return get_entry_list(self.client, "events", limit, per_page, filter)

    def get_event(self, event_id: str) -> dict[str, Any]:
        """One event."""
        return self.client.get_json(f"events/{event_id}")

    def create_event(
        self,
        title: str,
        start_date: str | date | datetime | None = None,
        location: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Create an event; returns it with its bare id added as `event_id`."""
        data: dict[str, Any] = {"title": title}
        if start_date:
            data["start_date"] = str(start_date)
        if isinstance(location, dict):
            data["location"] = location
        event = write_json(self.client, "POST", "events", data)
        href = ((event.get("_links") or {}).get("self") or {}).get("href")
        if href:
            event["event_id"] = href.rstrip("/").rsplit("/", 1)[-1]
        return event

    def update_event(self, event_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Change an event's fields."""
        return write_json(self.client, "PUT", f"events/{event_id}", payload)

    # --- forms ----------------------------------------------------------------------------

    def get_forms(
        self,
        limit: int | None = None,
        per_page: int = 25,
        page: int | None = None,
        filter: str | None = None,
    ) -> Table | dict[str, Any]:
        """Every form as a Table; with `page`, that page's raw JSON."""
        if page:
            return get_page(self.client, "forms", page, per_page, filter)
        return get_entry_list(self.client, "forms", limit, per_page, filter)

    def get_form(self, form_id: str) -> dict[str, Any]:
        """One form."""
        return self.client.get_json(f"forms/{form_id}")

    def create_form(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Create a form from a payload such as ``{"title": ..., "origin_system": ...}``."""
        return write_json(self.client, "POST", "forms", payload)

    def update_form(self, form_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Change a form's fields."""
        return write_json(self.client, "PUT", f"forms/{form_id}", payload)
