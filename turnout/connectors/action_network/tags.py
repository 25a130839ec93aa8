"""Tags and taggings. A tag is created once and never edited; a tagging links one person to one
tag, and the API keeps at most one per person and tag, so posting one again is harmless."""

from __future__ import annotations

import logging
import warnings
from typing import Any

from turnout.connectors.action_network.collections import get_entry_list, get_page
from turnout.connectors.action_network.people import action_network_id
from turnout.connectors.action_network.writes import write_json
from turnout.http import APIConnector
from turnout.table import Table

logger = logging.getLogger(__name__)


def _background(flag: bool) -> dict[str, str] | None:
    return {"background_processing": "true"} if flag else None


class TagsMixin:
    """The tag and tagging methods of `ActionNetwork`."""

    client: APIConnector
    api_url: str

    def get_tags(self, limit: int | None = None, per_page: int | None = None) -> Table:
        """Every tag (or the first `limit`) as a Table. `per_page` is deprecated and ignored."""
        if per_page:
            warnings.warn(
                "per_page is a deprecated argument of get_tags() and is ignored",
                DeprecationWarning,
                stacklevel=2,
            )
        return get_entry_list(self.client, "tags", limit)

    def get_tag(self, tag_id: str) -> dict[str, Any]:
        """One tag; a missing id raises NotFoundError with the API's text."""
        return self.client.get_json(f"tags/{tag_id}")

    def add_tag(self, name: str) -> dict[str, Any]:
        """Create a tag (tags cannot be edited or deleted afterwards); returns the tag."""
        tag = write_json(self.client, "POST", "tags", {"name": name})
        logger.info("Action Network tag %r added as %s", name, action_network_id(tag))
        return tag

    def get_taggings(
        self,
        tag_id: str,
        limit: int | None = None,
        per_page: int = 25,
        page: int | None = None,
        filter: str | None = None,
    ) -> Table | dict[str, Any]:
        """Every tagging of a tag as a Table; with `page`, that page's raw JSON."""
        path = f"tags/{tag_id}/taggings"
        if page:
            return get_page(self.client, path, page, per_page, filter)
        return get_entry_list(self.client, path, limit, per_page, filter)

    def get_tagging(self, tag_id: str, tagging_id: str) -> dict[str, Any]:
        """One tagging of a tag."""
        return self.client.get_json(f"tags/{tag_id}/taggings/{tagging_id}")

    def create_tagging(
        self, tag_id: str, payload: dict[str, Any], background_processing: bool = False
    ) -> dict[str, Any]:
        """Post a tagging payload as given: ``{"_links": {"osdi:person": {"href": ...}}}``."""
        # One tagging per person and tag: posting it again is harmless, so it may be retried.
        return write_json(
            self.client,
            "POST",
            f"tags/{tag_id}/taggings",
            payload,
            background_processing=background_processing,
            idempotent=True,
        )

    def add_tagging(
        self, tag_id: str, person_id: str, background_processing: bool = False
    ) -> dict[str, Any]:
        """Tag one person by id (a turnout shortcut for `create_tagging`); returns the tagging.

        Safe to repeat: the API keeps one tagging per person and tag.
        """
        href = f"{self.api_url.rstrip('/')}/people/{person_id}"
        payload = {"_links": {"osdi:person": {"href": href}}}
        return self.create_tagging(tag_id, payload, background_processing)

    def delete_tagging(
        self, tag_id: str, tagging_id: str, background_processing: bool = False
    ) -> Any:
        """Remove a tagging."""
        return self.client.delete_request(
            f"tags/{tag_id}/taggings/{tagging_id}", params=_background(background_processing)
        )
