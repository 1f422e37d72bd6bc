"""An exact moving window in this process's memory, for the failed-key guard (rate_limits.py).

`limits`' own in-memory moving window (5.8) starts a sweep of every client's entries after each
counted request, with a thread hop and a lock per client: with one failure each from 50,000
addresses, 100 failures a second from one of them kept a core busy (a review, 2026-12-02), and
an attacker spreading guesses over addresses is cheap to be. Here each client's failure times
are a deque, pruned when that client is counted; clients are kept in the order of their last
counted failure, so whoever's newest failure has left the window is dropped from the front as
others come, a few per call. Each call costs O(1), whatever the number of clients, and the count is
exact over any window.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import TypeVar

from limits import RateLimitItem
from limits.util import WindowStats

V = TypeVar("V")

FORGET_PER_HIT = 4
"""Idle clients dropped at most per counted request (each adds at most one); the sliding window
counter (civicgraph/sliding_window.py) forgets the same way."""


class MemoryMovingWindow:
    """The moving-window limiter's `hit`, `test` and `get_window_stats` (as `limits`'
    `MovingWindowRateLimiter`'s), for one policy's quota. `clock` gives epoch seconds."""

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        self.clock = clock if clock is not None else _wall_clock
        self._times: OrderedDict[str, deque[float]] = OrderedDict()
        """Each client's counted times, oldest first; clients by their last counted time."""

    def __len__(self) -> int:
        """How many clients it holds times of (those idle a window are dropped as others come)."""
        return len(self._times)

    async def hit(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        """Count `cost` requests unless that passes the quota in the last window."""
        now = self.clock()
        key = item.key_for(*identifiers)
        times = self._recent(key, now, item.get_expiry())
        if len(times) + cost > item.amount:
            return False
        times.extend([now] * cost)
        self._times[key] = times
        self._times.move_to_end(key)
        self._forget_idle(now, item.get_expiry())
        return True

    async def test(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        """Whether `cost` more requests would be within the quota now."""
        times = self._recent(item.key_for(*identifiers), self.clock(), item.get_expiry())
        return len(times) + cost <= item.amount

    async def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        """(when the oldest counted request leaves the window, or a window from now when there
        is none; requests left in the quota)."""
        now = self.clock()
        times = self._recent(item.key_for(*identifiers), now, item.get_expiry())
        reset = times[0] + item.get_expiry() if times else now + item.get_expiry()
        return WindowStats(reset, item.amount - len(times))

    def _recent(self, key: str, now: float, expiry: int) -> deque[float]:
        """`key`'s times within the window ending `now` (a new deque when it has none)."""
        times = self._times.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - expiry:
            times.popleft()
        return times

    def _forget_idle(self, now: float, expiry: int) -> None:
        """Drop clients at the front whose newest counted time has left the window."""
        forget_idle(self._times, lambda times: bool(times) and times[-1] > now - expiry)


def forget_idle(clients: OrderedDict[str, V], active: Callable[[V], bool]) -> None:
    """Drop up to FORGET_PER_HIT clients from the front of `clients` (ordered by their last
    counted request) until one is `active`: more than each hit can add, and no stall of one
    request behind a crowd of idle addresses (a million took 263 ms at once)."""
    for _ in range(FORGET_PER_HIT):
        if not clients:
            return
        key, value = next(iter(clients.items()))
        if active(value):
            return
        del clients[key]


def _wall_clock() -> float:
    return time.time()
