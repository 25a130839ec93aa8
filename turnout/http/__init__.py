"""The shared REST connector: sessions, auth, pagination, retries, rate limits, timeouts."""

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
