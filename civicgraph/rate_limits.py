"""Request quotas per tier, counted with the `limits` library, and their IETF RateLimit fields.

Each tier has one quota policy ("public" per client IP, "developer", "analyst", "operator" per
API key), plus "auth" for failed key checks per IP. The tiers' quotas use the sliding window
counter (two numbers per client, no double burst at window edges; at an edge its rounding may
let one request past the quota). The "auth" quota, a guard against guessing keys, uses the
moving window instead: exact in any 60 s, at the cost of one timestamp per counted failure
(in memory, civicgraph/moving_window.py rather than `limits`' own, whose sweeps cost a core
with many clients; the counter in memory is civicgraph/sliding_window.py for the same reason).
A key check under way is held against the quota too (`checking`), so a burst of guesses sent
at once is held to it as one sent in turn; a burst of good keys waits in turn, and is never
refused.
Counts are kept in Redis when the event bus is Redis (every worker shares them) and in this
process otherwise, or while that Redis fails. Header
syntax follows draft-ietf-httpapi-ratelimit-headers-11 §3 and §4 (structured-field lists,
RFC 9651):
`RateLimit-Policy: "public";q=60;w=60` and `RateLimit: "public";r=12;t=40`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import redis.asyncio as redis
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.util import WindowStats

from civicgraph.moving_window import MemoryMovingWindow
from civicgraph.redis_sliding_window import RedisSlidingWindow
from civicgraph.sliding_window import MemorySlidingWindow
from graph.records.api_keys import Tier
from graph.redis_pool import DOWN_S, POOL_SIZE, Outage, bounded_pool, is_redis_url

log = logging.getLogger("civicgraph.rate_limits")

NAMESPACE = "civicgraph"
AUTH_POLICY = "auth"
"""The policy counting failed key checks per IP (unknown, revoked or malformed keys)."""
PUBLIC_DASHBOARD_POLICY = "public_dashboard"
"""The policy counting a public caller's requests to the dashboards (`/dashboard…`) per IP: a
page load is about eight requests (the page, its layout and callbacks, the live socket), and
the public page's figures are one shared render per view whoever asks (dashboards/renders.py),
so they get a quota of their own rather than spending the API's."""


def parse_quota(text: str) -> RateLimitItem:
    """A quota in the `limits` notation ("60/minute", "600 per 1 minute").

    Raises ValueError for text `limits` cannot parse or a zero amount.
    """
    item = parse(text)
    if item.amount < 1:
        raise ValueError(f"a quota needs at least one request: {text!r}")
    return item


class SharedStorage(NamedTuple):
    """Where every worker's counts are kept: `limits`' storage, how many requests may be at it
    together (its pool's connections), and a client over the same pool for the tiers' counters
    (RedisSlidingWindow), or None in memory."""

    storage: Storage
    at_once: int
    client: redis.Redis | None


def storage_for(bus_url: str | None) -> SharedStorage:
    """Redis (shared by every worker) when the bus is Redis, over a bounded pool where a
    burst of requests waits for a connection (graph/redis_pool.py) instead of failing; else
    this process's memory."""
    if is_redis_url(bus_url):
        pool = bounded_pool(bus_url)
        shared = storage_from_string(
            f"async+{bus_url}",
            implementation="redispy",
            wrap_exceptions=True,
            # limits hands it to redis-py (`use_basic`); its annotation is narrower
            connection_pool=pool,  # type: ignore[arg-type]
        )
        assert isinstance(shared, Storage)  # the async+ scheme gives the asyncio storage
        return SharedStorage(shared, pool.max_connections, redis.Redis(connection_pool=pool))
    return SharedStorage(MemoryStorage(), POOL_SIZE, None)


class Limiter(Protocol):
    """What RateLimits asks of a limiter (`limits`' strategies, MemoryMovingWindow)."""

    async def hit(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool: ...

    async def test(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool: ...

    async def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats: ...


def _limiter(policy: str, storage: Storage, client: redis.Redis | None = None) -> Limiter:
    """The moving window (exact) for the guessing guard, the sliding window counter else; in
    this process's memory, our own O(1) ones rather than `limits`' (whose storage sweeps every
    client after each counted request); in Redis, the counter that reads its window in the same
    round trip (RedisSlidingWindow) when given the `client` of that Redis."""
    if isinstance(storage, MemoryStorage):
        return MemoryMovingWindow() if policy == AUTH_POLICY else MemorySlidingWindow()
    if policy == AUTH_POLICY:
        return MovingWindowRateLimiter(storage)
    if client is not None:
        return RedisSlidingWindow(client, storage.base_exceptions)
    return SlidingWindowCounterRateLimiter(storage)


@dataclass(frozen=True)
class Verdict:
    """One client's standing under one policy, after counting (or testing) a request."""

    policy: str
    quota: int
    window_s: int
    remaining: int
    reset_s: int
    allowed: bool

    def headers(self) -> list[tuple[bytes, bytes]]:
        """`RateLimit-Policy` and `RateLimit` (and `Retry-After` when refused)."""
        fields = [
            (b"ratelimit-policy", f'"{self.policy}";q={self.quota};w={self.window_s}'.encode()),
            (b"ratelimit", f'"{self.policy}";r={self.remaining};t={self.reset_s}'.encode()),
        ]
        if not self.allowed:
            fields.append((b"retry-after", str(self.reset_s).encode()))
        return fields


class RateLimits:
    """The quotas of every tier over one storage.

    `policies` maps a policy name (a tier's value, or AUTH_POLICY) to its quota. While the
    shared storage (Redis) is down, and for DOWN_S after each failure of it (`outage`), requests
    are counted in this process's memory instead: each worker then holds a client to the quota
    on its own (N workers: at most N × the quota), never to none.
    """

    def __init__(
        self,
        policies: dict[str, RateLimitItem],
        storage: Storage,
        *,
        at_once: int = POOL_SIZE,
        client: redis.Redis | None = None,
    ) -> None:
        self.policies = policies
        self.storage = storage
        self.outage = Outage(at_once=at_once)
        local = MemoryStorage()
        self.shared = {name: _limiter(name, storage, client) for name in policies}
        self.local = {name: _limiter(name, local) for name in policies}
        """The counts while the shared storage is down (the same limiters in memory)."""
        self._checks: dict[tuple[str, str], int] = {}
        """Checks under way per (policy, client), in this worker (`checking`)."""
        self._check_ended: dict[tuple[str, str], asyncio.Event] = {}
        """Set when one of those ends, for the checks waiting on them."""

    @classmethod
    def from_quotas(cls, quotas: dict[str, str], bus_url: str | None) -> RateLimits:
        """From quota texts per policy name (see `parse_quota`)."""
        storage, at_once, client = storage_for(bus_url)
        policies = {name: parse_quota(text) for name, text in quotas.items()}
        return cls(policies, storage, at_once=at_once, client=client)

    @staticmethod
    def policy_for(tier: Tier, path: str = "") -> str:
        """The policy a request of `tier` to `path` is counted under."""
        if tier is Tier.PUBLIC and path.startswith("/dashboard"):
            return PUBLIC_DASHBOARD_POLICY
        return tier.value

    async def hit(self, policy: str, client: str) -> Verdict:
        """Count one request of `client` (an IP or a key's prefix) under `policy`."""
        return await self._standing(policy, client, count=True)

    async def test(self, policy: str, client: str) -> Verdict:
        """The standing of `client` under `policy` without counting a request."""
        return await self._standing(policy, client, count=False)

    @contextlib.asynccontextmanager
    async def checking(self, policy: str, client: str) -> AsyncIterator[Verdict]:
        """The standing of `client` under `policy` for one more check whose failure is counted
        (`hit`) only after it; an allowed check is under way until the block ends. Checks of
        `client` under way in this worker are held against the quota too: one that finds as
        many under way as the quota has left waits for one of them to end, then asks again, so
        a burst of guesses sent at once gets as many lookups as the quota leaves and 429 for the
        rest, while a burst of good keys (none counted) is only queued, never refused. (With N
        workers, a burst may pass N times the quota.)"""
        key = (policy, client)
        while True:
            verdict = await self.test(policy, client)
            under_way = self._checks.get(key, 0)
            if not verdict.allowed or under_way == 0 or under_way < verdict.remaining:
                break
            ended = self._check_ended.get(key)
            if ended is None:
                ended = self._check_ended[key] = asyncio.Event()
            await ended.wait()
        if not verdict.allowed:
            yield verdict
            return
        self._checks[key] = under_way + 1
        try:
            yield verdict
        finally:
            left = self._checks.pop(key) - 1
            if left:
                self._checks[key] = left
            ended = self._check_ended.pop(key, None)
            if ended is not None:  # the waiters ask again
                ended.set()

    async def _standing(self, policy: str, client: str, *, count: bool) -> Verdict:
        """In the shared storage unless it failed a moment ago (then not queued behind) or
        fails now; else in this worker's memory."""
        item, shared, local = self.policies[policy], self.shared[policy], self.local[policy]
        async with self.outage.turn() as up:
            if up:
                try:
                    if isinstance(shared, RedisSlidingWindow):  # one round trip
                        allowed, stats = await shared.standing(
                            item, NAMESPACE, policy, client, count=count
                        )
                        return _verdict(policy, item, allowed, stats)
                    allowed = await (shared.hit if count else shared.test)(
                        item, NAMESPACE, policy, client
                    )
                except StorageError as error:
                    self._failed(error)
                else:
                    try:
                        return await self._stats(shared, policy, item, client, allowed)
                    except StorageError as error:  # counted there, its standing unknown
                        self._failed(error)
                        return await self._stats(local, policy, item, client, allowed)
        allowed = await (local.hit if count else local.test)(item, NAMESPACE, policy, client)
        return await self._stats(local, policy, item, client, allowed)

    def _failed(self, error: StorageError) -> None:
        if self.outage.failed():
            log.warning(
                "rate limit storage unavailable, counting in this worker's memory for %.0f s: %s",
                DOWN_S,
                error,
            )

    @staticmethod
    async def _stats(
        limiter: Limiter,
        policy: str,
        item: RateLimitItem,
        client: str,
        allowed: bool,
    ) -> Verdict:
        stats = await limiter.get_window_stats(item, NAMESPACE, policy, client)
        return _verdict(policy, item, allowed, stats)


def _verdict(policy: str, item: RateLimitItem, allowed: bool, stats: WindowStats) -> Verdict:
    """The verdict of a request under `policy`'s quota `item`, from its window's `stats`."""
    reset = max(1, math.ceil(stats.reset_time - time.time()))
    window = int(item.get_expiry())
    return Verdict(policy, item.amount, window, stats.remaining, min(reset, window), allowed)
