"""Action Network (API v2, OSDI): people, tags, taggings, events and forms.

`ActionNetwork` keeps Parsons 6.1's class, constructor (`AN_API_TOKEN`) and method names; the
base URL can be overridden with `api_url` or `AN_API_URL`. See docs/action_network.md for where
it departs from Parsons on purpose.
"""

from turnout.connectors.action_network.connector import (
    API_URL,
    RATE_LIMIT,
    TOKEN_ENV,
    URL_ENV,
    ActionNetwork,
)
from turnout.connectors.action_network.people import action_network_id

__all__ = ["API_URL", "RATE_LIMIT", "TOKEN_ENV", "URL_ENV", "ActionNetwork", "action_network_id"]
