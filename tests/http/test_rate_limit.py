"""RateLimiter: spacing, bursts and thread safety, on a fake clock; and on a real client."""

from __future__ import annotations

import threading

import pytest

from turnout.emulators.base import EmulatorServer
from turnout.http import APIConnector, RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.waits: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.waits.append(round(seconds, 9))


def test_calls_are_spaced_by_one_over_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(4.0, clock=clock, sleep=clock.sleep)
    waited = [limiter.acquire() for _ in range(4)]
    assert [round(w, 9) for w in waited] == [0.0, 0.25, 0.5, 0.75]
    assert clock.waits == [0.25, 0.5, 0.75]


def test_time_passing_frees_slots() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2.0, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    clock.now += 10.0
    assert limiter.acquire() == 0.0
    assert round(limiter.acquire(), 9) == 0.5


def test_burst_allows_that_many_at_once() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10.0, burst=3, clock=clock, sleep=clock.sleep)
    waited = [round(limiter.acquire(), 9) for _ in range(5)]
    assert waited == [0.0, 0.0, 0.0, 0.1, 0.2]


def test_threads_each_get_their_own_slot() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10.0, clock=clock, sleep=clock.sleep)
    threads = [
        threading.Thread(target=lambda: [limiter.acquire() for _ in range(3)]) for _ in "abcd"
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 12 calls at 10/s on a frozen clock: one at once, then one slot each 0.1 s, none shared.
    assert sorted(clock.waits) == [round(0.1 * n, 9) for n in range(1, 12)]


def test_off_when_rate_is_none() -> None:
    assert RateLimiter(None).acquire() == 0.0


@pytest.mark.parametrize("bad", [{"rate": -1.0}, {"rate": 1.0, "burst": 0}])
def test_bad_settings_raise(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RateLimiter(**bad)


def test_client_waits_for_its_limiter(http_server: EmulatorServer) -> None:
    # A frozen clock makes the waits exact whatever the machine's load: each call after the
    # first must wait for its own slot, 1/40 s after the one before.
    clock = FakeClock()
    limiter = RateLimiter(40.0, clock=clock, sleep=clock.sleep)
    client = APIConnector(http_server.url, rate_limit=limiter)
    for _ in range(4):
        client.get_request("echo")
    assert clock.waits == [0.025, 0.05, 0.075]
    assert len(http_server.app.requests_to("/echo")) == 4
