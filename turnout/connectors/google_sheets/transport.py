"""gspread's HTTP client, pointed at a configurable host, with turnout's retry policy.

gspread funnels every call through `HTTPClient.request`, so one override rewrites the Google
hosts (for the emulator or a proxy), retries what is safe to retry, and logs one DEBUG line per
call. Errors leave it as gspread's own `APIError`, so `gspread_client` behaves as gspread
documents; the connector turns them into turnout errors.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import google.auth.credentials
import gspread
import requests
from google.auth.transport.requests import AuthorizedSession
from gspread.exceptions import APIError

from turnout.connectors.google_sheets.token import CheckedTokenRequest, refresh_token
from turnout.errors import (
    AuthenticationError,
    ClientError,
    HTTPError,
    NotFoundError,
    RateLimitError,
    ResponseFormatError,
    ServerError,
    TransientError,
    TransportError,
    TurnoutError,
)
from turnout.http.retry import (
    MalformedBodyError,
    RetryPolicy,
    build_retrying,
    parse_retry_after,
)
from turnout.redaction import redact, redact_url, register_secret

logger = logging.getLogger(__name__)

SHEETS_HOST = "https://sheets.googleapis.com"
DRIVE_HOST = "https://www.googleapis.com"

# Spreadsheet batchUpdate requests that set absolute state, so sending one twice is harmless.
IDEMPOTENT_BATCH_REQUESTS = frozenset(
    {"repeatCell", "updateSheetProperties", "updateSpreadsheetProperties", "updateCells"}
)
IDEMPOTENT_POST_SUFFIXES = (":clear", "values:batchUpdate", "values:batchClear", "/permissions")


def is_idempotent(method: str, url: str, body: Mapping[str, Any] | None) -> bool:
    """Whether sending this call twice leaves the same state as sending it once.

    values.update writes a computed range, clear and format set absolute state, and Drive keeps
    one permission per person; append, addSheet and file creation would land twice.
    """
    method = method.upper()
    if method in ("GET", "PUT", "DELETE", "HEAD"):
        return True
    path = url.split("?", 1)[0]
    if path.endswith(IDEMPOTENT_POST_SUFFIXES):
        return True
    if path.endswith(":batchUpdate") and body is not None:
        kinds = {kind for request in body.get("requests") or [] for kind in request}
        return bool(kinds) and kinds <= IDEMPOTENT_BATCH_REQUESTS
    return False


def api_error_to_turnout(error: APIError, method: str = "", url: str = "") -> HTTPError:
    """The turnout error for a gspread APIError (status and Google's message kept)."""
    response = error.response
    status = getattr(response, "status_code", None) or error.code
    message = error.error.get("message", "") if isinstance(error.error, dict) else str(error)
    where = f" on {method.upper()} {redact_url(url)}" if url else ""
    text = redact(f"Google API error {status}{where}: {message}")
    kwargs: dict[str, Any] = {
        "method": method.upper() or None,
        "url": redact_url(url) if url else None,
        "status": status,
        "body": error.error,
        "response": response,
    }
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After")) if response else None
        return RateLimitError(text, retry_after=retry_after, **kwargs)
    if isinstance(status, int) and status >= 500:
        return ServerError(text, **kwargs)
    if status in (401, 403):
        if _is_drive_rate_limit(error):
            return RateLimitError(text, **kwargs)
        return AuthenticationError(text, **kwargs)
    if status == 404:
        return NotFoundError(text, **kwargs)
    return ClientError(text, **kwargs)


def _is_drive_rate_limit(error: APIError) -> bool:
    errors = error.error.get("errors") if isinstance(error.error, dict) else None
    return bool(errors) and errors[0].get("domain") == "usageLimits"


class TurnoutHTTPClient(gspread.HTTPClient):
    """A gspread HTTPClient with a host rewrite, retries and redacted DEBUG logging.

    gspread builds its client as `http_client(auth, session)`; `configured` returns a factory
    that carries this client's settings.
    """

    base_url: str | None = None
    policy: RetryPolicy = RetryPolicy()
    request_timeout: float | None = 60.0

    @classmethod
    def configured(
        cls, *, base_url: str | None, policy: RetryPolicy, timeout: float | None
    ) -> type[TurnoutHTTPClient]:
        return type(
            cls.__name__,
            (cls,),
            {"base_url": base_url, "policy": policy, "request_timeout": timeout},
        )

    def __init__(self, auth: Any, session: requests.Session | None = None) -> None:
        super().__init__(auth, session)
        if session is None and isinstance(self.auth, google.auth.credentials.Credentials):
            # google-auth refreshes by itself after a 401: through the checked request too.
            self.session = AuthorizedSession(
                self.auth, auth_request=CheckedTokenRequest(self.request_timeout)
            )
        self.timeout = self.request_timeout
        self._known_token: str | None = None

    def rewrite(self, url: str) -> str:
        if self.base_url:
            for host in (SHEETS_HOST, DRIVE_HOST):
                if url.startswith(host):
                    return self.base_url.rstrip("/") + url[len(host) :]
        return url

    def request(  # type: ignore[override]
        self,
        method: str,
        endpoint: str,
        params: Any = None,
        data: bytes | None = None,
        json: Mapping[str, Any] | None = None,
        files: Any = None,
        headers: Any = None,
    ) -> requests.Response:
        url = self.rewrite(endpoint)
        self._ensure_token()
        idempotent = is_idempotent(method, url, json)
        describe = f"{method.upper()} {redact_url(url)}"
        retrying = build_retrying(self.policy, idempotent=idempotent, describe=describe)
        try:
            for attempt in retrying:
                with attempt:
                    return self._send(method, url, params, data, json, files, headers)
        except TransientError as error:
            # Retries spent (or not safe): hand back gspread's own error for this call.
            cause = error.__cause__
            if isinstance(cause, APIError):
                raise cause from None
            if isinstance(error, MalformedBodyError):
                raise ResponseFormatError(str(error)) from None
            raise
        raise AssertionError("unreachable: tenacity re-raises the last error")

    def _send(
        self,
        method: str,
        url: str,
        params: Any,
        data: bytes | None,
        json: Mapping[str, Any] | None,
        files: Any,
        headers: Any,
    ) -> requests.Response:
        started = time.monotonic()
        try:
            response = super().request(method, url, params, data, json, files, headers)
        except TurnoutError:
            raise  # a token refresh google-auth ran itself (after a 401), already translated
        except APIError as error:
            status = getattr(error.response, "status_code", error.code)
            logger.debug(
                "%s %s -> %s in %.3f s",
                method.upper(),
                redact_url(url),
                status,
                time.monotonic() - started,
            )
            converted = api_error_to_turnout(error, method, url)
            if isinstance(converted, TransientError):
                raise converted from error
            raise
        except (
            requests.ConnectionError,
            requests.Timeout,
            requests.exceptions.ChunkedEncodingError,
        ) as error:
            sent = not isinstance(error, requests.ConnectTimeout)
            transport = TransportError(
                redact(f"{method.upper()} {redact_url(url)} failed: {type(error).__name__}")
            )
            transport.sent = sent  # type: ignore[attr-defined]
            raise transport from error
        finally:
            self._register_token()
        logger.debug(
            "%s %s -> %s in %.3f s",
            method.upper(),
            redact_url(url),
            response.status_code,
            time.monotonic() - started,
        )
        if response.status_code != 204 and "json" in response.headers.get("Content-Type", ""):
            try:
                response.json()
            except ValueError:
                raise MalformedBodyError(
                    f"{method.upper()} {redact_url(url)}: the reply is not complete JSON",
                    method=method.upper(),
                    url=redact_url(url),
                    status=response.status_code,
                ) from None
        return response

    def _ensure_token(self) -> None:
        """Fetch the access token first, with its own retries (token.refresh_token), so a
        failed token exchange neither escapes as a google-auth error nor spends the API
        call's retries; google-auth then finds the token valid and sends the call."""
        credentials = getattr(self, "auth", None)
        if not isinstance(credentials, google.auth.credentials.Credentials):
            return
        if credentials.valid:
            return
        refresh_token(credentials, self.policy, self.timeout)
        self._register_token()

    def _register_token(self) -> None:
        token = getattr(getattr(self, "auth", None), "token", None)
        if token and token != self._known_token:
            register_secret(token)
            self._known_token = token


__all__ = [
    "TurnoutHTTPClient",
    "api_error_to_turnout",
    "is_idempotent",
]
