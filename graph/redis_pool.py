"""Redis clients whose connection pool is bounded and makes a command wait for a connection.

redis-py's own pool (redis 8: at most 100 connections; the `limits` library asks for 1,000)
raises `MaxConnectionsError` ("Too many connections") at once when one more command is in
flight than it holds connections. A burst of clients is exactly that: 2,000 websocket connects
or 300 requests arriving together made the rate limits fail open (their counts "unavailable",
the requests served uncounted), the APQ store answer misses, and a publish on the bus fail. A
`BlockingConnectionPool` instead queues the command until a connection is free, for as long as
that takes: a burst is answered more slowly, as any work beyond a server's means is, but
counted in full. A wait with a time limit would hand the burst back its way around the
quotas: under a large enough burst the server's own loop, not Redis, is what keeps a command
waiting, and past the limit the request was served uncounted.

Every Redis client of CivicGraph is made here: the event bus, the rate limits' counts and the
APQ store. An operator may size a pool in the URL (`redis://host:6379/0?max_connections=200`):
redis-py lets the query string win over the arguments given here.
"""

from __future__ import annotations

import redis.asyncio as redis

POOL_SIZE = 50
"""Connections per client and process (redis-py's default for a blocking pool). Redis runs one
command at a time, so more connections than this only queue inside Redis instead of here; and
Redis serves 10,000 clients at most by default (`maxclients`), shared by every worker."""
CONNECT_S = 5.0
"""Longest a new connection waits for Redis to accept it before the command fails as Redis
being down (`redis.exceptions.ConnectionError`, which each caller handles): an unreachable host
would otherwise hold each request for the system's two minutes of TCP retries. Replies have
no limit: the bus's subscription waits for messages as long as none come."""


def bounded_pool(url: str) -> redis.BlockingConnectionPool:
    """A pool of at most POOL_SIZE connections to the Redis at `url` (`redis://` or
    `rediss://`), where a command waits for a free one as long as it takes and a connect up to
    CONNECT_S. Raises ValueError for a URL redis-py cannot read; connecting happens at the
    first command."""
    return redis.BlockingConnectionPool.from_url(
        url, max_connections=POOL_SIZE, timeout=None, socket_connect_timeout=CONNECT_S
    )


def redis_client(url: str) -> redis.Redis:
    """A client of the Redis at `url` over its own `bounded_pool`, closed with the client
    (`await client.aclose()`). Raises ValueError as `bounded_pool`."""
    return redis.Redis.from_pool(bounded_pool(url))
