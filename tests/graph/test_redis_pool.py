"""The bounded Redis pool every CivicGraph client uses, and the memory of a failed Redis.

The bursts themselves (more commands at once than the pool holds, all answered) run against a
real Redis in the clients' own tests: tests/contract/test_bus.py,
tests/civicgraph/graphql_door/test_apq_store.py and tests/civicgraph/test_door_rate_limits.py;
a Redis that stops answering, in the last two.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest
import redis.asyncio as redis

from graph.redis_pool import DOWN_S, POOL_SIZE, Outage, bounded_pool, redis_client


def test_a_pool_holds_at_most_pool_size_connections_and_makes_commands_wait() -> None:
    pool = bounded_pool("redis://127.0.0.1:6379/0")
    assert isinstance(pool, redis.BlockingConnectionPool)
    assert pool.max_connections == POOL_SIZE
    assert pool.timeout is None  # a burst waits as long as it takes: never served uncounted


def test_an_operator_sizes_the_pool_in_the_url_but_cannot_limit_the_wait() -> None:
    pool = bounded_pool("redis://127.0.0.1:6379/0?max_connections=200&timeout=1")
    assert pool.max_connections == 200
    assert pool.timeout is None
    # 1 would hang the bus; redis-py reads 0 as its default of 100
    for size in ("1", "0", "00", "%200"):
        with pytest.raises(ValueError, match="at least 2 connections"):
            bounded_pool(f"redis://127.0.0.1:6379/0?max_connections={size}")


async def test_a_client_owns_its_pool() -> None:
    client = redis_client("redis://127.0.0.1:6379/0")
    assert isinstance(client.connection_pool, redis.BlockingConnectionPool)
    assert client.auto_close_connection_pool  # closed with the client
    await client.aclose()


def test_an_outage_lasts_down_s_after_the_last_failure() -> None:
    now = [100.0]
    outage = Outage(lambda: now[0])
    assert not outage.down
    outage.failed()
    now[0] += DOWN_S - 0.01
    assert outage.down
    now[0] += 0.02
    assert not outage.down


def outage_just_over() -> tuple[Outage, list[float]]:
    """An outage whose DOWN_S just ran out, and its clock (`now[0]`, seconds)."""
    now = [100.0]
    outage = Outage(lambda: now[0], at_once=4)
    outage.failed()
    now[0] += DOWN_S
    return outage, now


async def test_after_an_outage_one_probe_tries_redis_while_the_others_go_on() -> None:
    outage, _ = outage_just_over()
    async with outage.turn() as probe:
        assert probe  # the first caller after DOWN_S tries Redis
        async with outage.turn() as other:
            assert not other  # the rest do not wait behind it
    # its command succeeded (no failure noted): everyone goes to Redis again
    async with outage.turn() as first, outage.turn() as second:
        assert (first, second) == (True, True)


async def test_a_failed_probe_starts_another_outage() -> None:
    outage, now = outage_just_over()
    async with outage.turn() as probe:
        assert probe
        outage.failed()
    async with outage.turn() as after:
        assert not after
    now[0] += DOWN_S
    with contextlib.suppress(RuntimeError):  # a probe that ends in an exception proved nothing
        async with outage.turn() as probe:
            assert probe
            raise RuntimeError("not a Redis error")
    async with outage.turn() as probe, outage.turn() as other:
        assert (probe, other) == (True, False)


def test_turns_serve_each_event_loop() -> None:
    """An asyncio primitive serves the loop it first waited on; an app run on a second loop
    (tests, a reload) must not get RuntimeError from the first one's turns."""
    outage = Outage(at_once=1)

    async def contended() -> list[bool]:
        async def one() -> bool:
            async with outage.turn() as up:
                await asyncio.sleep(0)
                return up

        return await asyncio.gather(one(), one())

    assert asyncio.run(contended()) == [True, True]
    assert asyncio.run(contended()) == [True, True]
