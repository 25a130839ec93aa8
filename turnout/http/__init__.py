"""The shared REST connector: sessions, auth, pagination, retries, rate limits, timeouts.

A connector states only its quirks::

    client = APIConnector(
        "https://api.example.org/v2/",
        auth=HeaderAuth("OSDI-API-Token", token),        # or BearerAuth(token), (user, pw)
        retry=RetryPolicy(attempts=5, backoff=0.5),      # 429/5xx/timeouts/drops, Retry-After
        rate_limit=4.0,                                  # requests a second, thread-safe
        pagination=HALPagination("osdi:people"),         # or NextUrl/PageNumber/Cursor
    )
    for page in client.paginate("people", {"filter": "..."}):   # one page fetched at a time
        ...
    client.post_request("people", json=body, idempotent=True)  # retried: an upsert by email

Errors come from turnout.errors (RateLimitError, ServerError, ClientError,
AuthenticationError, NotFoundError, TransportError, ResponseFormatError, UnknownOutcomeError)
and name the method, the redacted URL and the status.
"""

from turnout.http.auth import BasicAuth, BearerAuth, HeaderAuth
from turnout.http.connector import DEFAULT_TIMEOUT, IDEMPOTENT_METHODS, APIConnector
from turnout.http.pagination import (
    CursorPagination,
    HALPagination,
    NextUrlPagination,
    NoPagination,
    Page,
    PageNumberPagination,
    Pagination,
)
from turnout.http.rate_limit import RateLimiter
from turnout.http.retry import RetryPolicy, parse_retry_after

__all__ = [
    "DEFAULT_TIMEOUT",
    "IDEMPOTENT_METHODS",
    "APIConnector",
    "BasicAuth",
    "BearerAuth",
    "CursorPagination",
    "HALPagination",
    "HeaderAuth",
    "NextUrlPagination",
    "NoPagination",
    "Page",
    "PageNumberPagination",
    "Pagination",
    "RateLimiter",
    "RetryPolicy",
    "parse_retry_after",
]
