"""Turning an HTTP outcome into turnout's errors: one message shape for every connector.

Every message names the method, the redacted URL and the status (or the transport failure),
and passes through the redactor, so no credential reaches a log line or a traceback.
"""

from __future__ import annotations

import json
from typing import Any

import requests
import urllib3.exceptions

from turnout.errors import (
    AuthenticationError,
    ClientError,
    ConfigurationError,
    HTTPError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
    UnknownOutcomeError,
)
from turnout.http.retry import parse_retry_after
from turnout.redaction import redact, redact_url

_SNIPPET = 300


def error_for_response(
    method: str, url: str, response: requests.Response, *, credential_hint: str | None = None
) -> HTTPError:
    """The turnout error for a response with a 4xx or 5xx status. On a 401 or 403,
    `credential_hint` (which credential was sent and where it was configured, never its
    value) ends the message, so a user knows what to fix."""
    status = response.status_code
    body = decode_or_text(response)
    snippet = redact(response.text[:_SNIPPET]) if response.content else ""
    message = f"{method} {redact_url(url)} returned HTTP {status}"
    if response.reason:
        message += f" {response.reason}"
    if snippet:
        message += f": {snippet}"
    kwargs: dict[str, Any] = {
        "method": method,
        "url": redact_url(url),
        "status": status,
        "body": body,
        "response": response,
    }
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return RateLimitError(message, retry_after=retry_after, **kwargs)
    if status >= 500:
        return ServerError(message, **kwargs)
    if status in (401, 403):
        if credential_hint:
            message += f"; {redact(credential_hint)}"
        return AuthenticationError(message, **kwargs)
    if status == 404:
        return NotFoundError(message, **kwargs)
    return ClientError(message, **kwargs)


def decode_or_text(response: requests.Response) -> Any:
    """The JSON body when it parses, else its shortened text; secrets redacted either way."""
    if not response.content:
        return None
    text = redact(response.text)
    try:
        return json.loads(text)
    except ValueError:
        return text[:_SNIPPET]


def was_sent(error: requests.exceptions.RequestException) -> bool:
    """False only when the request surely never reached the server (refused, DNS failure,
    connect timeout): then even a non-idempotent write may be tried again."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return False
    if isinstance(error, requests.exceptions.ConnectionError):
        reason: Any = error.args[0] if error.args else None
        reason = getattr(reason, "reason", reason)
        return not isinstance(reason, urllib3.exceptions.ConnectTimeoutError)
    return True


def transport_error(
    method: str, url: str, error: requests.exceptions.RequestException, *, idempotent: bool
) -> Exception:
    """The turnout error for a failure below HTTP (timeout, refused, dropped mid-body)."""
    shown = redact_url(url)
    if isinstance(error, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema)):
        return ConfigurationError(f"{method} {shown}: not a valid URL ({type(error).__name__})")
    sent = was_sent(error)
    kind = _describe(error)
    if sent and not idempotent:
        outcome = UnknownOutcomeError(
            f"{method} {shown}: {kind} after the request was sent; its outcome is unknown, so it "
            "is not retried (a write is retried only when marked idempotent)"
        )
        outcome.method, outcome.url = method, shown  # type: ignore[attr-defined]
        return outcome
    failure = TransportError(f"{method} {shown}: {kind}")
    failure.method, failure.url, failure.sent = method, shown, sent  # type: ignore[attr-defined]
    return failure


def _describe(error: requests.exceptions.RequestException) -> str:
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return "timed out connecting"
    if isinstance(error, requests.exceptions.ReadTimeout):
        return "timed out waiting for the response"
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return "connection dropped while reading the body"
    if isinstance(error, requests.exceptions.ConnectionError):
        return "connection failed" if was_sent(error) else "connection refused"
    return f"request failed ({type(error).__name__})"
