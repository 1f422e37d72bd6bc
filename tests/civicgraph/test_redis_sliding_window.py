"""The tiers' sliding window counter in Redis counts as `limits`' own does over the same keys, and
reads its window in the same round trip (civicgraph/redis_sliding_window.py)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from limits import parse
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from redis.asyncio import Redis
from redis.exceptions import RedisError

from civicgraph.rate_limits import AUTH_POLICY, RateLimits
from civicgraph.redis_sliding_window import RedisSlidingWindow


def both(url: str) -> tuple[RedisSlidingWindow, SlidingWindowCounterRateLimiter]:
    storage = storage_from_string(f"async+{url}", implementation="redispy", wrap_exceptions=True)
    ours = RedisSlidingWindow(Redis.from_url(url), (RedisError,))
    return ours, SlidingWindowCounterRateLimiter(storage)  # type: ignore[arg-type]


@pytest.mark.services
async def test_it_counts_in_limits_keys_as_limits_does(redis_url: str) -> None:
    """Counts made by either are seen by the other; each verdict, and each window's remaining
    and reset, agree."""
    quota = parse("10/day")
    ours, theirs = both(redis_url)
    client = uuid.uuid4().hex  # the counts outlive the test: a fresh client
    verdicts = []
    for n in range(14):
        counter = ours if n % 2 else theirs
        assert await ours.test(quota, "t", client) == await theirs.test(quota, "t", client)
        verdicts.append(await counter.hit(quota, "t", client))
        mine, its = (
            await ours.get_window_stats(quota, "t", client),
            await theirs.get_window_stats(quota, "t", client),
        )
        assert mine.remaining == its.remaining == max(0, 10 - (n + 1))
        # read a few ms apart: a counter's TTL at a whole period (a count set in the same ms)
        # is reset "now" in `limits`' arithmetic, a ms later one period on
        apart = abs(mine.reset_time - its.reset_time)
        assert min(apart, abs(apart - quota.get_expiry())) < 1.0
    assert verdicts == [True] * 10 + [False] * 4
    counted, stats = await ours.standing(quota, "t", client, count=True)
    assert (counted, stats.remaining) == (False, 0)


@pytest.mark.services
async def test_the_previous_window_still_weighs(redis_url: str) -> None:
    """A second on from the first count the window rolls over (in both): of 4 counted, 3 still
    weigh for a while (4 × the previous counter's 0.75-1 s left, rounded down), so one more."""
    quota = parse("4/second")
    ours, theirs = both(redis_url)
    client = uuid.uuid4().hex
    assert [await ours.hit(quota, "t", client) for _ in range(5)] == [True] * 4 + [False]
    await asyncio.sleep(1.05)
    assert await ours.hit(quota, "t", client)
    assert not await theirs.hit(quota, "t", client)
    assert not await ours.hit(quota, "t", client)
    assert (await theirs.get_window_stats(quota, "t", client)).remaining == 0


@pytest.mark.services
async def test_a_fresh_windows_first_count_resets_a_period_on(redis_url: str) -> None:
    """Its counter is set for exactly two periods in the same ms it is read: `limits` took the
    remainder 0 as "resets now" (RateLimit `t=1`, a client retrying into a 429)."""
    limits = RateLimits.from_quotas({"public": "10/minute"}, redis_url)
    verdict = await limits.hit("public", uuid.uuid4().hex)
    assert (verdict.allowed, verdict.remaining, verdict.reset_s) == (True, 9, 60)


async def test_a_redis_that_fails_is_a_storage_error() -> None:
    ours = RedisSlidingWindow(Redis(host="127.0.0.1", port=1), (RedisError,))
    with pytest.raises(StorageError):
        await ours.standing(parse("1/day"), "t", "a", count=True)


def test_the_tiers_count_in_one_round_trip_and_the_guard_in_limits_moving_window() -> None:
    limits = RateLimits.from_quotas(
        {"public": "10/day", AUTH_POLICY: "6/minute"}, "redis://127.0.0.1:6379/15"
    )
    assert isinstance(limits.shared["public"], RedisSlidingWindow)
    assert not isinstance(limits.shared[AUTH_POLICY], RedisSlidingWindow)
