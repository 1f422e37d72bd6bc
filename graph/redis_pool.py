"""Redis clients whose connection pool is bounded and makes a command wait for a connection,
and the short memory of a Redis that just failed (`Outage`).

redis-py's own pool (redis 8: at most 100 connections, which the `limits` library keeps for a
single Redis) raises `MaxConnectionsError` ("Too many connections") at once when one more
command is in flight than it holds connections. A burst of clients is exactly that: 300
requests arriving together made the rate limits fail open (their counts "unavailable", the
requests served uncounted), the APQ store answer misses, and a publish on the bus fail. A
`BlockingConnectionPool` instead queues the command until a connection is free, for as long as
that takes: a burst is answered more slowly, as any work beyond a server's means is, but
counted in full. A wait with a time limit would hand the burst back its way around the
quotas: under a large enough burst the server's own loop, not Redis, is what keeps a command
waiting, and past the limit the request was served uncounted.

Queueing has its own danger: a Redis that stops answering (a dead host, a partition, a
failover) costs each command redis-py's reply time limit (5 s), so 50 connections pass about
10 commands a second and every request of the worker would wait in line. Callers that go on
without Redis (the rate limits count in memory, the APQ store misses) therefore take their turn
at Redis through an `Outage`: they wait for a turn there rather than in the pool, note a failure
in it, and skip Redis for DOWN_S after it, the ones already waiting for a turn included; then
one of them tries Redis again while the others still go on without it.

Every Redis client of CivicGraph is made here: the event bus, the rate limits' counts and the
APQ store. An operator may size a pool in the URL (`redis://host:6379/0?max_connections=200`,
at least 2: the bus's subscription holds one) or change redis-py's time limits there
(`socket_timeout`, `socket_connect_timeout`, in seconds); a `timeout` there (a time limit on
the wait for a connection) is not taken.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeGuard
from urllib.parse import parse_qs, urlsplit

import redis.asyncio as redis

POOL_SIZE = 50
"""Connections per client and process (redis-py's default for a blocking pool). Redis runs one
command at a time, so more connections than this only queue inside Redis instead of here; and
Redis serves 10,000 clients at most by default (`maxclients`), shared by every worker."""
DOWN_S = 5.0
"""How long callers skip a Redis after a command to it failed (see `Outage`)."""


def is_redis_url(url: str | None) -> TypeGuard[str]:
    """True for a `redis://` or `rediss://` URL (the bus, and with it the counts and the APQ
    store, shared in Redis)."""
    return url is not None and url.startswith(("redis://", "rediss://"))


def bounded_pool(url: str) -> redis.BlockingConnectionPool:
    """A pool of at most POOL_SIZE connections to the Redis at `url` (`redis://` or
    `rediss://`), where a command waits for a free one as long as it takes (redis-py's own time
    limits on connecting and on each reply, 5 s, stay). Raises ValueError for a URL redis-py
    cannot read or one that asks for fewer than 2 connections; connecting happens at the first
    command."""
    pool = redis.BlockingConnectionPool.from_url(url, max_connections=POOL_SIZE)
    pool.timeout = None  # the URL's query string wins over arguments: not over this
    # redis-py reads the URL's first value, and takes 0 for its default of 100
    asked = parse_qs(urlsplit(url).query).get("max_connections", [""])[0]
    size = 0 if asked and int(asked) == 0 else pool.max_connections  # not an int: raised above
    if size < 2:
        raise ValueError(f"a Redis pool needs at least 2 connections, not {size}")
    return pool


def redis_client(url: str) -> redis.Redis:
    """A client of the Redis at `url` over its own `bounded_pool`, closed with the client
    (`await client.aclose()`). Raises ValueError as `bounded_pool`."""
    return redis.Redis.from_pool(bounded_pool(url))


class Outage:
    """When a Redis last failed a command (a connect refused or timed out, no reply within
    redis-py's time limit, a connection broken, an error reply): for DOWN_S after, `down` is
    true and the caller goes on without Redis at once instead of queueing behind connections
    that each wait out the time limit.

    `turn()` is where a caller waits for Redis: at most `at_once` callers (the pool's
    connections) are at Redis together, and one let through after a failure skips Redis too,
    so a backlog waiting when Redis stalls goes on at once instead of 10 a second. After
    DOWN_S one caller tries Redis again (a probe) while the others still go on without it;
    when the probe's command succeeds, all use Redis again. So one request waits out a Redis
    that stays stalled, every DOWN_S."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, *, at_once: int = POOL_SIZE
    ) -> None:
        self._clock = clock
        self._until = 0.0
        self._at_once = at_once
        self._turns: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        self._failures = 0
        self._suspect = False
        """A command failed, and none has succeeded since: the next one is a probe."""
        self._probing = False

    @property
    def down(self) -> bool:
        return self._clock() < self._until

    def failed(self) -> bool:
        """Note a failed command now; True when it starts an outage (Redis was not down), for
        callers that log one line an outage, not one a request."""
        starts = not self.down
        self._until = self._clock() + DOWN_S
        self._failures += 1
        self._suspect = True
        return starts

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[bool]:
        """A turn at Redis: yields True to go to Redis, False to go on without it (it is down,
        went down while this caller waited for its turn, or another caller is probing it).
        A turn left without a `failed()` and without an exception counts as a success."""
        if self.down or (self._suspect and self._probing):
            yield False
            return
        probe = self._suspect
        self._probing = self._probing or probe
        failures = self._failures
        try:
            async with self._semaphore():
                yield not self.down
            if self._failures == failures:
                self._suspect = False
        finally:
            if probe:
                self._probing = False

    def _semaphore(self) -> asyncio.Semaphore:
        """The turns of the running loop (an asyncio primitive serves the loop it first
        waited on: a second loop, as tests and reloads make, gets turns of its own)."""
        loop = asyncio.get_running_loop()
        if self._turns is None or self._turns[0] is not loop:
            self._turns = (loop, asyncio.Semaphore(self._at_once))
        return self._turns[1]
