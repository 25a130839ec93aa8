"""When and how long to wait before trying a call again.

`RetryPolicy` holds the settings; `build_retrying` turns them into a tenacity `Retrying` for
one call, whose decisions depend on whether that call may be repeated safely (idempotence).
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from tenacity import (
    RetryCallState,
    Retrying,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from turnout.errors import RateLimitError, ServerError, TransientError, TransportError

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How a call is retried.

    attempts: total tries, the first included (1 turns retries off).
    backoff, backoff_max, jitter: exponential backoff in seconds (backoff * 2**n, capped at
    backoff_max) plus up to `jitter` seconds of random jitter, so clients do not retry in step.
    max_retry_after: a Retry-After longer than this is not waited for; the RateLimitError is
    raised at once, carrying `retry_after`, so the caller can decide.
    statuses: the HTTP statuses worth retrying.
    """

    attempts: int = 5
    backoff: float = 0.5
    backoff_max: float = 30.0
    jitter: float = 0.5
    max_retry_after: float = 120.0
    statuses: frozenset[int] = RETRY_STATUSES

    @classmethod
    def never(cls) -> RetryPolicy:
        """A policy that tries each call once."""
        return cls(attempts=1)


class MalformedBodyError(TransientError):
    """A body that did not parse (cut short, not JSON). Internal: re-fetched on an idempotent
    call, and turned into ResponseFormatError once the retries are spent."""

    def __init__(self, message: str, *, method: str, url: str, status: int) -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        self.status = status


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta seconds (fractions accepted, although
    RFC 9110 has whole seconds) or an HTTP date. None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        logger.warning("ignoring unreadable Retry-After header %r", value)
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


def is_retryable(error: BaseException, *, idempotent: bool, policy: RetryPolicy) -> bool:
    """Whether `error` is worth another try of a call with this idempotence."""
    if isinstance(error, RateLimitError):
        # A 429 means the server refused the call before acting on it: safe even for a POST.
        return error.retry_after is None or error.retry_after <= policy.max_retry_after
    if isinstance(error, ServerError):
        return idempotent and (error.status in policy.statuses)
    if isinstance(error, TransportError):
        return idempotent or not getattr(error, "sent", True)
    if isinstance(error, MalformedBodyError):
        return idempotent
    return False


class _Wait:
    """Retry-After when the server sent one, else exponential backoff with jitter."""

    def __init__(self, policy: RetryPolicy) -> None:
        self._backoff = wait_exponential(
            multiplier=policy.backoff, max=policy.backoff_max
        ) + wait_random(0, policy.jitter)

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        if isinstance(error, RateLimitError) and error.retry_after is not None:
            return error.retry_after
        return float(self._backoff(retry_state))


def build_retrying(
    policy: RetryPolicy,
    *,
    idempotent: bool,
    describe: str,
    sleep: Callable[[float], None] = time.sleep,
) -> Retrying:
    """A tenacity `Retrying` for one call; `describe` is its redacted `METHOD url`."""

    def before_sleep(retry_state: RetryCallState) -> None:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        wait = retry_state.next_action.sleep if retry_state.next_action else 0.0
        logger.warning(
            "%s failed (%s); retry %d of %d in %.3f s",
            describe,
            _reason(error),
            retry_state.attempt_number,
            policy.attempts - 1,
            wait,
        )

    return Retrying(
        stop=stop_after_attempt(max(1, policy.attempts)),
        wait=_Wait(policy),
        retry=_RetryIf(policy, idempotent),
        before_sleep=before_sleep,
        sleep=sleep,
        reraise=True,
    )


class _RetryIf:
    def __init__(self, policy: RetryPolicy, idempotent: bool) -> None:
        self.policy = policy
        self.idempotent = idempotent

    def __call__(self, retry_state: RetryCallState) -> bool:
        outcome = retry_state.outcome
        if outcome is None or not outcome.failed:
            return False
        error = outcome.exception()
        return error is not None and is_retryable(
            error, idempotent=self.idempotent, policy=self.policy
        )


def _reason(error: BaseException | None) -> str:
    status = getattr(error, "status", None)
    name = type(error).__name__
    return f"{name}, HTTP {status}" if status else name
