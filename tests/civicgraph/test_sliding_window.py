"""The tiers' in-memory sliding window counter: the same verdicts and headers' figures as
`limits`' own over its MemoryStorage, and what it holds bounded by the clients of the last two
windows, whatever came before (civicgraph/sliding_window.py)."""

from __future__ import annotations

import random
import time

import pytest
from limits import parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from civicgraph.moving_window import FORGET_PER_HIT
from civicgraph.sliding_window import MemorySlidingWindow

QUOTA = parse("5/minute")


@pytest.mark.parametrize("seed", range(6))
async def test_it_counts_as_limits_does(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """400 random calls from three clients, on both, with the same clock: every verdict,
    remaining count and reset time agree (`limits` reads `time.time`)."""
    rng = random.Random(seed)
    now = [60.0 * 29_000_000 + rng.uniform(0, 60)]
    monkeypatch.setattr(time, "time", lambda: now[0])
    ours = MemorySlidingWindow()
    theirs = SlidingWindowCounterRateLimiter(MemoryStorage())
    for _ in range(400):
        now[0] += rng.choice((0.0, 0.0, 0.01, 0.5, 1.5, 3.0, 11.0, 59.99, 60.0, 75.0))
        client = rng.choice(("198.51.100.1", "198.51.100.2", "2001:db8::1"))
        cost = rng.choice((1, 1, 1, 2, 6))
        for call in ("hit", "test"):
            got = await getattr(ours, call)(QUOTA, "public", client, cost=cost)
            want = await getattr(theirs, call)(QUOTA, "public", client, cost=cost)
            assert got == want, (call, now[0], client, cost)
        assert await ours.get_window_stats(QUOTA, "public", client) == pytest.approx(
            await theirs.get_window_stats(QUOTA, "public", client)
        )


async def test_a_burst_at_a_window_edge_is_weighted() -> None:
    now = [600.0 - 0.5]
    window = MemorySlidingWindow(lambda: now[0])
    assert [await window.hit(QUOTA, "public", "a") for _ in range(6)] == [True] * 5 + [False]
    now[0] = 600.0 + 30.0  # half of the previous minute's 5 still weighs: floor(2.5) = 2
    assert [await window.hit(QUOTA, "public", "a") for _ in range(4)] == [True] * 3 + [False]
    stats = await window.get_window_stats(QUOTA, "public", "a")
    assert stats.remaining == 0
    assert stats.reset_time == pytest.approx(630.0 + 30.0 % 12.0)  # one of 5 leaves each 12 s
    now[0] = 720.0 + 1.0  # two windows on: nothing of it is left
    assert (await window.get_window_stats(QUOTA, "public", "a")).remaining == 5


async def test_clients_idle_for_two_windows_are_forgotten_as_others_come() -> None:
    now = [6_000.0]
    window = MemorySlidingWindow(lambda: now[0])
    for n in range(10_000):
        await window.hit(QUOTA, "public", f"2001:db8::{n:x}")
    now[0] += 60
    await window.hit(QUOTA, "public", "203.0.113.8")
    assert len(window) == 10_001  # the last window's counts still weigh
    now[0] += 60
    await window.hit(QUOTA, "public", "203.0.113.9")
    assert len(window) == 10_002 - FORGET_PER_HIT  # a few per hit: no stall behind a crowd
    for n in range(10_000 // FORGET_PER_HIT):
        await window.hit(QUOTA, "public", f"2001:db8:1::{n:x}")  # newcomers
    assert len(window) == 2_502  # the idle crowd is gone
    assert (await window.get_window_stats(QUOTA, "public", "2001:db8::1")).remaining == 5


async def test_a_cost_over_the_quota_is_refused_and_not_counted() -> None:
    window = MemorySlidingWindow(lambda: 6_000.0)
    assert not await window.hit(QUOTA, "public", "a", cost=6)
    assert (await window.get_window_stats(QUOTA, "public", "a")).remaining == 5
