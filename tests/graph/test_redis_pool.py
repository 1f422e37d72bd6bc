"""The bounded Redis pool every CivicGraph client uses: its size, its waits, and the URL's say.

The bursts themselves (more commands at once than the pool holds, all answered) run against a
real Redis in the clients' own tests: tests/contract/test_bus.py,
tests/civicgraph/graphql_door/test_apq_store.py and tests/civicgraph/test_door_rate_limits.py.
"""

from __future__ import annotations

import redis.asyncio as redis

from graph.redis_pool import CONNECT_S, POOL_SIZE, bounded_pool, redis_client


def test_a_pool_holds_at_most_pool_size_connections_and_makes_commands_wait() -> None:
    pool = bounded_pool("redis://127.0.0.1:6379/0")
    assert isinstance(pool, redis.BlockingConnectionPool)
    assert pool.max_connections == POOL_SIZE
    assert pool.timeout is None  # a burst waits as long as it takes: never served uncounted
    assert pool.connection_kwargs["socket_connect_timeout"] == CONNECT_S
    assert "socket_timeout" not in pool.connection_kwargs  # the bus's subscription waits


def test_an_operator_sizes_the_pool_in_the_url() -> None:
    pool = bounded_pool("redis://127.0.0.1:6379/0?max_connections=200")
    assert pool.max_connections == 200


async def test_a_client_owns_its_pool() -> None:
    client = redis_client("redis://127.0.0.1:6379/0")
    assert isinstance(client.connection_pool, redis.BlockingConnectionPool)
    assert client.auto_close_connection_pool  # closed with the client
    await client.aclose()
