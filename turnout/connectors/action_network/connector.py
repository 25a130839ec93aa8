"""`ActionNetwork`: Parsons' Action Network connector on turnout's shared http layer."""

from __future__ import annotations

import logging
import os

from turnout.connectors.action_network.actions import ActionsMixin
from turnout.connectors.action_network.people import PeopleMixin
from turnout.connectors.action_network.tags import TagsMixin
from turnout.errors import ConfigurationError
from turnout.http import DEFAULT_TIMEOUT, APIConnector, HeaderAuth, RetryPolicy
from turnout.http.auth import credential_hint
from turnout.redaction import redact_url, register_secret

logger = logging.getLogger(__name__)

API_URL = "https://actionnetwork.org/api/v2"
TOKEN_ENV = "AN_API_TOKEN"
URL_ENV = "AN_API_URL"
# Action Network allows 4 requests a second per API key; the client paces itself to stay under.
RATE_LIMIT = 4.0


class ActionNetwork(PeopleMixin, TagsMixin, ActionsMixin):
    """Action Network API v2 (people, tags, taggings, events, forms).

    Args:
        api_token: the group's API key; default: env ``AN_API_TOKEN``.
        api_url: the API root; default: env ``AN_API_URL``, else
            ``https://actionnetwork.org/api/v2`` (point it at an emulator or a proxy).
        rate_limit: requests a second this client sends at most (default 4, the API's limit;
            None turns pacing off).
        retry: how calls are retried (default: `RetryPolicy()`); `backoff` is a shortcut that
            sets its first backoff and jitter in seconds (tests use tiny values).
        timeout: seconds, or ``(connect, read)``.

    `client` (also `api`, Parsons' name) is the underlying `turnout.http.APIConnector`.
    """

    def __init__(
        self,
        api_token: str | None = None,
        *,
        api_url: str | None = None,
        rate_limit: float | None = RATE_LIMIT,
        retry: RetryPolicy | None = None,
        backoff: float | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        token = api_token or os.environ.get(TOKEN_ENV)
        if not token:
            raise ConfigurationError(
                f"ActionNetwork needs an API token: pass api_token or set {TOKEN_ENV}"
            )
        register_secret(token)
        url = api_url or os.environ.get(URL_ENV) or API_URL
        if not url.startswith(("http://", "https://")):
            raise ConfigurationError(
                f"ActionNetwork api_url (or {URL_ENV}) must be an http(s) URL, got {url!r}"
            )
        if retry is None:
            retry = RetryPolicy() if backoff is None else _quick_retry(backoff)

        self.api_token = token
        self.api_url = url.rstrip("/")
        # Parsons' attribute: the headers every call carries (the token is a registered secret).
        self.headers = {"Content-Type": "application/json", "OSDI-API-Token": token}
        self.client = APIConnector(
            self.api_url,
            headers={"Content-Type": "application/json"},
            auth=HeaderAuth("OSDI-API-Token", token),
            timeout=timeout,
            retry=retry,
            rate_limit=rate_limit,
            credential_hint=credential_hint(
                "API token", "api_token", TOKEN_ENV, from_argument=bool(api_token)
            ),
        )
        self.api = self.client
        logger.debug("ActionNetwork client for %s", redact_url(self.api_url))

    def __repr__(self) -> str:
        return f"ActionNetwork(api_url={redact_url(self.api_url)!r})"


def _quick_retry(backoff: float) -> RetryPolicy:
    return RetryPolicy(backoff=backoff, backoff_max=backoff * 16, jitter=backoff)
