"""The sliding window counter in Redis, for the tiers' quotas when the bus is Redis
(rate_limits.py): `limits`' `SlidingWindowCounterRateLimiter` over its Redis storage (5.8), the
same keys and the same Lua arithmetic, with one call more, `standing`: a request counted (or
tested) and its client's window read in one round trip.

`limits` answers a hit with a yes or a no only, so the RateLimit fields of every response took a
second script call (`get_window_stats`): two round trips a request, 0.11-0.17 ms of the server's
CPU a request between them (bench/README.md, "Rate limits in one round trip"). Here one script
rolls the window forward as `limits`' does (the current window's counts become the previous one's
once less than a period of its key's life is left), counts the request when the weighted count
allows it, and returns the four numbers `limits`' `get_window_stats` reads; the verdict and the
stats are worked out from them as `limits` works them out. The two may share keys: a count made
by one is seen by the other (tests/civicgraph/test_redis_sliding_window.py).
"""

from __future__ import annotations

from time import time
from typing import Any

import redis.asyncio as redis
from limits import RateLimitItem
from limits.errors import StorageError
from limits.util import WindowStats

from civicgraph.sliding_window import window_stats

KEY_PREFIX = "LIMITS"
"""`limits`' Redis key prefix (its `RedisStorage.PREFIX`): both count in the same keys."""

STANDING = """
-- KEYS[1]: the previous window's counter, KEYS[2]: the current one's.
-- ARGV: quota, period (s), cost, 1 to count the request or 0 to test it.
-- Returns {counted or allowed (1/0), previous count, its TTL (ms), current count, its TTL (ms)}:
-- `limits`' acquire_sliding_window.lua and sliding_window.lua (5.8) in one script.
local limit = tonumber(ARGV[1])
local expiry = tonumber(ARGV[2]) * 1000
local amount = tonumber(ARGV[3])
local count = ARGV[4] == '1'

local current_ttl = tonumber(redis.call('pttl', KEYS[2]))
if current_ttl > 0 and current_ttl < expiry then
    -- the current window is over: it becomes the previous one
    redis.call('rename', KEYS[2], KEYS[1])
    redis.call('set', KEYS[2], 0, 'PX', current_ttl + expiry)
end

local previous_count = tonumber(redis.call('get', KEYS[1])) or 0
local previous_ttl = math.max(0, tonumber(redis.call('pttl', KEYS[1])))
local current_count = tonumber(redis.call('get', KEYS[2])) or 0
current_ttl = math.max(0, tonumber(redis.call('pttl', KEYS[2])))

local weighted = math.floor(previous_count * previous_ttl / expiry) + current_count
local allowed = amount <= limit and weighted + amount <= limit
if allowed and count then
    if redis.call('exists', KEYS[2]) == 1 then
        current_count = redis.call('incrby', KEYS[2], amount)
    else
        redis.call('set', KEYS[2], amount, 'PX', expiry * 2)
        current_count = amount
        current_ttl = expiry * 2
    end
end
return {allowed and 1 or 0, previous_count, previous_ttl, current_count, current_ttl}
"""


class RedisSlidingWindow:
    """The sliding window counter's `hit`, `test` and `get_window_stats` (as `limits`'
    `SlidingWindowCounterRateLimiter`'s over Redis), and `standing`, both at once.

    `client` is a redis-py asyncio client; `failures` the exception classes that mean the
    storage failed (`limits`' `Storage.base_exceptions`): each is raised as `limits`'
    StorageError, as `limits` raises it with `wrap_exceptions`."""

    def __init__(
        self,
        client: redis.Redis,
        failures: type[Exception] | tuple[type[Exception], ...],
        key_prefix: str = KEY_PREFIX,
    ) -> None:
        self.client = client
        self.failures = failures
        self.key_prefix = key_prefix
        self._script = client.register_script(STANDING)

    async def standing(
        self, item: RateLimitItem, *identifiers: str, count: bool, cost: int = 1
    ) -> tuple[bool, WindowStats]:
        """Whether a request of `cost` is counted (`count`) or would be (`test`), and the
        window's stats after it (reset time in epoch seconds, requests remaining). Raises
        StorageError when Redis fails."""
        key = f"{self.key_prefix}:{{{item.key_for(*identifiers)}}}"
        keys = [f"{key}/-1", key]
        period = item.get_expiry()
        try:
            reply: list[Any] = await self._script(
                keys=keys, args=[item.amount, period, cost, 1 if count else 0]
            )
        except self.failures as error:
            raise StorageError(error) from error
        allowed, previous, previous_ms, current, current_ms = (int(n) for n in reply)
        stats = window_stats(item, time(), previous, previous_ms / 1000, current, current_ms / 1000)
        return bool(allowed), stats

    async def hit(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        """Count `cost` requests unless the weighted count would pass the quota."""
        allowed, _ = await self.standing(item, *identifiers, count=True, cost=cost)
        return allowed

    async def test(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        """Whether `cost` more requests would be counted."""
        allowed, _ = await self.standing(item, *identifiers, count=False, cost=cost)
        return allowed

    async def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        """The reset time (epoch seconds) and the requests remaining."""
        _, stats = await self.standing(item, *identifiers, count=False)
        return stats
