"""The sliding window counter in this process's memory, for the tiers' quotas (rate_limits.py)
when there is no Redis, or while it is down.

It counts as `limits`' `SlidingWindowCounterRateLimiter` over its `MemoryStorage` (5.8) does,
windows aligned on multiples of the quota's period and the previous window's count weighted by
the share of it still inside the last period, rounded down (at a timestamp of whole seconds,
`limits`' float arithmetic may be off by one where this is exact), but without that storage's
cost:
`MemoryStorage` starts a sweep of every client's counters after each counted request, so with
100,000 clients in memory each request of any of them walked 100,000 entries (a review,
2026-12-02), and a crowd of addresses is cheap to be. Here each client is three numbers, rolled
forward when that client is counted, and clients are kept in the order of their last counted
window, so whoever has counted nothing for two windows is dropped from the front as others
come, a few per call: O(1) per call, whatever the number of clients.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable

from limits import RateLimitItem
from limits.util import WindowStats

from civicgraph.moving_window import forget_idle


class MemorySlidingWindow:
    """The sliding window counter's `hit`, `test` and `get_window_stats` (as `limits`'
    `SlidingWindowCounterRateLimiter`'s), for one policy's quota. `clock` gives epoch seconds."""

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        self.clock = clock if clock is not None else _wall_clock
        self._counts: OrderedDict[str, list[int]] = OrderedDict()
        """Each client's [window number, previous window's count, this window's count];
        clients by the window they were last counted in."""

    def __len__(self) -> int:
        """How many clients it holds counts of (those idle two windows are dropped as others
        come)."""
        return len(self._counts)

    async def hit(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        """Count `cost` requests unless the weighted count, rounded down, would pass the quota."""
        now, period = self.clock(), item.get_expiry()
        if cost > item.amount:
            return False
        key = item.key_for(*identifiers)
        window = int(now // period)
        counts = self._rolled(key, window)
        if math.floor(_weighted(counts, now, period)) + cost > item.amount:
            return False
        counts[2] += cost
        self._counts[key] = counts
        self._counts.move_to_end(key)
        self._forget_idle(window)
        return True

    async def test(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        """Whether `cost` more requests would be within the quota now."""
        now, period = self.clock(), item.get_expiry()
        counts = self._rolled(item.key_for(*identifiers), int(now // period))
        return _weighted(counts, now, period) < item.amount - cost + 1

    async def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        """(when the weighted count next drops by one, or now when nothing is counted; requests
        left in the quota), as `limits` computes them."""
        now, period = self.clock(), item.get_expiry()
        _, previous, current = self._rolled(item.key_for(*identifiers), int(now // period))
        left_in_window = period - now % period  # both counters end with the window here
        return window_stats(item, now, previous, left_in_window, current, left_in_window)

    def _rolled(self, key: str, window: int) -> list[int]:
        """`key`'s counts as of `window` (a new list when it has none; stored by `hit`)."""
        counts = self._counts.get(key)
        if counts is None or counts[0] < window - 1:
            return [window, 0, 0]
        if counts[0] == window - 1:
            counts[:] = [window, counts[2], 0]
        return counts

    def _forget_idle(self, window: int) -> None:
        """Drop clients at the front last counted two or more windows ago."""
        forget_idle(self._counts, lambda counts: counts[0] >= window - 1)


def window_stats(
    item: RateLimitItem,
    now: float,
    previous: int,
    previous_left: float,
    current: int,
    current_left: float,
) -> WindowStats:
    """`limits`' `SlidingWindowCounterRateLimiter.get_window_stats` at `now` (epoch seconds)
    from the two counts and the seconds each counter has left: (when the weighted count next
    drops by one, or now when nothing is counted; requests left in the quota). Where `limits`
    takes a remainder of 0 (a counter with exactly whole steps left, as one set this very ms)
    as a reset now, a `RateLimit` "t=1" a client retries into a 429, it is one step away."""
    period = item.get_expiry()
    remaining = max(0, item.amount - math.floor(previous * previous_left / period + current))
    if not (previous or current):
        return WindowStats(now, remaining)
    step = period / previous if previous else math.inf
    previous_reset = (previous_left % step or step) if previous else math.inf
    current_reset = (current_left % period or period) if current else math.inf
    return WindowStats(now + min(previous_reset, current_reset), remaining)


def _weighted(counts: list[int], now: float, period: int) -> float:
    """The previous window's count weighted by the share of it in the last period, plus this
    window's count."""
    return counts[1] * (period - now % period) / period + counts[2]


def _wall_clock() -> float:
    return time.time()
