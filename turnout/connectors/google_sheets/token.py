"""The service-account token exchange, retried and checked on the wire.

google-auth posts the signed JWT to the key file's `token_uri` and trusts the reply: a reply
cut short reaches its `jwt_grant` as text and fails there with a bare `TypeError`, a dropped
connection is a google-auth `TransportError`, and a 5xx is retried on a fixed, seconds-long
backoff. The exchange is idempotent (each try signs a new grant; a grant that lands late only
issues a token nobody uses), so this module retries every transient failure with turnout's
policy and, once the retries are spent, raises a turnout error naming the (redacted) token URL.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import google.auth.exceptions
import google.auth.transport.requests
from google.auth import credentials as google_credentials

from turnout.errors import (
    RateLimitError,
    ResponseFormatError,
    ServerError,
    TransportError,
)
from turnout.http.retry import MalformedBodyError, RetryPolicy, build_retrying
from turnout.redaction import redact, redact_url

logger = logging.getLogger(__name__)


class CheckedTokenRequest:
    """A google-auth transport `Request` that turns transient token-endpoint failures into
    turnout errors before google-auth reads the reply: 429 and 5xx, dropped or timed-out
    connections, and a 200 whose body is not a complete JSON object."""

    def __init__(self, timeout: float | None) -> None:
        self._inner = google.auth.transport.requests.Request()
        self._timeout = timeout

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: Any = None,
        headers: Any = None,
        timeout: Any = None,
        **kwargs: Any,
    ) -> Any:
        where = f"{method.upper()} {redact_url(url)}"
        try:
            response = self._inner(
                url,
                method=method,
                body=body,
                headers=headers,
                timeout=self._timeout if timeout is None else timeout,
                **kwargs,
            )
        except google.auth.exceptions.TransportError as error:
            cause = error.__cause__ or error
            failure = TransportError(
                redact(f"{where} (token endpoint) failed: {type(cause).__name__}")
            )
            # The API call waiting for this token was never sent.
            failure.sent = False  # type: ignore[attr-defined]
            raise failure from None
        status = response.status
        details = {"method": method.upper(), "url": redact_url(url), "status": status}
        if status == 429:
            raise RateLimitError(f"{where} (token endpoint): HTTP 429", **details)
        if status >= 500:
            raise ServerError(f"{where} (token endpoint): HTTP {status}", **details)
        if status == 200:
            try:
                parsed = json.loads(response.data)
            except (ValueError, TypeError):
                parsed = None
            if not isinstance(parsed, dict):
                raise MalformedBodyError(
                    f"{where} (token endpoint): the reply is not a complete JSON object",
                    **details,
                )
        return response


def refresh_token(
    credentials: google_credentials.Credentials, policy: RetryPolicy, timeout: float | None
) -> None:
    """Fetch a new access token into `credentials`, retrying transient failures.

    Raises RateLimitError, ServerError or TransportError (transient) when the retries are
    spent, ResponseFormatError for a reply that never parsed; google-auth's RefreshError (a
    refused grant) passes through unchanged.
    """
    token_uri = getattr(credentials, "_token_uri", None) or "the token endpoint"
    describe = f"POST {redact_url(token_uri)}"
    request = CheckedTokenRequest(timeout)
    retrying = build_retrying(policy, idempotent=True, describe=describe)
    try:
        for attempt in retrying:
            with attempt:
                credentials.refresh(request)
                return
    except MalformedBodyError as error:
        raise ResponseFormatError(str(error)) from None
