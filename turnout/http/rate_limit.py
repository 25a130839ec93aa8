"""A client-side rate limiter, so a client stays under a vendor's published request rate."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    """At most `rate` calls a second, with bursts of up to `burst` calls; thread-safe.

    `acquire` reserves the next free slot under a lock, then sleeps outside it until that slot,
    so concurrent callers are spaced rather than released together. A rate of None or 0 turns
    the limiter off.
    """

    def __init__(
        self,
        rate: float | None,
        *,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate is not None and rate < 0:
            raise ValueError(f"rate must be positive or None, got {rate!r}")
        if burst < 1:
            raise ValueError(f"burst must be at least 1, got {burst!r}")
        self.rate = rate or None
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_free = float("-inf")  # the theoretical time of the next call at full rate

    def acquire(self) -> float:
        """Wait for the next slot; return the seconds waited."""
        if self.rate is None:
            return 0.0
        interval = 1.0 / self.rate
        allowance = (self.burst - 1) * interval
        with self._lock:
            now = self._clock()
            start = max(self._next_free, now)
            allowed_at = max(now, start - allowance)
            self._next_free = start + interval
        wait = allowed_at - now
        if wait > 0:
            self._sleep(wait)
        return max(0.0, wait)

    def __repr__(self) -> str:
        return f"RateLimiter(rate={self.rate!r}, burst={self.burst!r})"
