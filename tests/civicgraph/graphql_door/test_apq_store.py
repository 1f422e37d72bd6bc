"""The APQ store's bounds: entries, bytes and idle time, least recently used first; the same
cases in this process's memory and in Redis (shared by workers)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import pytest

from civicgraph.graphql_door.apq_store import (
    CacheBounds,
    MemoryDocuments,
    RedisDocuments,
    document_cache,
)
from graph.redis_pool import DOWN_S, POOL_SIZE, Outage
from tests.stalled_redis import stalled_redis

REDIS_URL = os.environ.get("CIVIC_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def redis_store(redis_url: str) -> AsyncIterator[RedisDocuments]:
    store = RedisDocuments(
        REDIS_URL,
        CacheBounds(max_entries=3, max_bytes=100, ttl_seconds=60),
        prefix=f"test:apq:{uuid.uuid4().hex}",
    )
    try:
        yield store
    finally:
        await store.client.delete(*store.keys)
        await store.close()


async def test_memory_store_evicts_least_recently_used_past_max_entries() -> None:
    # given a store of three entries, the first one used again
    store = MemoryDocuments(CacheBounds(max_entries=3, max_bytes=10_000, ttl_seconds=60))
    for name in "abc":
        await store.put(name, f"doc {name}")
    assert await store.get("a") == "doc a"
    # when a fourth comes
    await store.put("d", "doc d")
    # then the least recently used (b) went
    assert len(store) == 3
    assert await store.get("b") is None
    assert [await store.get(n) for n in "acd"] == ["doc a", "doc c", "doc d"]


async def test_memory_store_stays_within_max_bytes() -> None:
    store = MemoryDocuments(CacheBounds(max_entries=100, max_bytes=100, ttl_seconds=60))
    for i in range(10):
        await store.put(str(i), "x" * 30)
    assert store.bytes <= 100
    assert len(store) == 3
    await store.put("huge", "y" * 101)  # larger than the whole store: not kept
    assert await store.get("huge") is None


async def test_memory_store_counts_utf8_bytes() -> None:
    store = MemoryDocuments(CacheBounds(max_entries=100, max_bytes=100, ttl_seconds=60))
    await store.put("k", "가" * 30)  # 90 bytes in UTF-8
    assert store.bytes == 90


async def test_memory_store_forgets_documents_idle_past_the_ttl() -> None:
    clock = Clock()
    store = MemoryDocuments(CacheBounds(max_entries=10, max_bytes=1000, ttl_seconds=60), clock)
    await store.put("a", "doc a")
    clock.now += 59
    assert await store.get("a") == "doc a"  # a use renews it
    clock.now += 59
    assert await store.get("a") == "doc a"
    clock.now += 61
    assert await store.get("a") is None
    assert store.bytes == 0


async def test_redis_store_evicts_least_recently_used_past_max_entries(
    redis_store: RedisDocuments,
) -> None:
    for name in "abc":
        await redis_store.put(name, f"doc {name}")
    assert await redis_store.get("a") == "doc a"
    await redis_store.put("d", "doc d")
    assert await redis_store.entries() == 3
    assert await redis_store.get("b") is None
    assert [await redis_store.get(n) for n in "acd"] == ["doc a", "doc c", "doc d"]


async def test_redis_store_stays_within_max_bytes(redis_store: RedisDocuments) -> None:
    for i in range(10):
        await redis_store.put(str(i), "가" * 10)  # 30 bytes each
    assert await redis_store.stored_bytes() <= 100
    assert await redis_store.entries() == 3
    await redis_store.put("same", "x" * 40)
    await redis_store.put("same", "x" * 40)  # stored again: counted once
    assert await redis_store.stored_bytes() <= 100
    assert await redis_store.get("same") == "x" * 40


async def test_redis_store_forgets_documents_idle_past_the_ttl(redis_url: str) -> None:
    clock = Clock()
    store = RedisDocuments(
        REDIS_URL,
        CacheBounds(max_entries=10, max_bytes=1000, ttl_seconds=60),
        prefix=f"test:apq:{uuid.uuid4().hex}",
        clock=clock,
    )
    try:
        await store.put("a", "doc a")
        clock.now += 59
        assert await store.get("a") == "doc a"  # a use renews it
        clock.now += 59
        assert await store.get("a") == "doc a"
        clock.now += 61
        assert await store.get("a") is None
        await store.put("b", "doc b")  # the next write drops what expired
        assert await store.entries() == 1
        assert await store.stored_bytes() == len("doc b")
    finally:
        await store.client.delete(*store.keys)
        await store.close()


async def test_redis_store_is_shared_between_workers(redis_store: RedisDocuments) -> None:
    # given a second worker's store on the same Redis and prefix
    other = RedisDocuments(REDIS_URL, redis_store.bounds)
    other.keys = redis_store.keys
    try:
        # when one worker stores a document
        await redis_store.put("shared", "query { x }")
        # then the other finds it
        assert await other.get("shared") == "query { x }"
    finally:
        await other.close()


async def test_redis_store_down_is_a_miss_not_an_error() -> None:
    store = RedisDocuments("redis://127.0.0.1:9/0", CacheBounds())
    try:
        await store.put("a", "doc a")
        assert await store.get("a") is None
    finally:
        await store.close()


def test_document_cache_is_redis_when_the_bus_is_redis() -> None:
    assert isinstance(document_cache(None, CacheBounds()), MemoryDocuments)
    assert isinstance(document_cache("memory://", CacheBounds()), MemoryDocuments)
    assert isinstance(document_cache(REDIS_URL, CacheBounds()), RedisDocuments)


async def test_a_burst_of_lookups_beyond_the_redis_pool_all_find_the_document(
    redis_store: RedisDocuments,
) -> None:
    """Three times as many lookups at once as the client holds connections (redis-py's own
    pool raised "Too many connections" past 100, and the hash looked unknown)."""
    await redis_store.put("h", "{ districts { code } }")
    found = await asyncio.gather(*(redis_store.get("h") for _ in range(3 * POOL_SIZE)))
    assert found == ["{ districts { code } }"] * (3 * POOL_SIZE)


async def test_a_redis_that_stops_answering_is_skipped_for_a_while_not_queued_behind() -> None:
    now = [1000.0]
    async with stalled_redis() as (url, heard):
        store = RedisDocuments(url, CacheBounds(max_entries=3, max_bytes=100, ttl_seconds=60))
        store.outage = Outage(lambda: now[0])
        try:
            assert await store.get("h") is None  # waited out the time limit: unknown
            tried = heard.bytes
            assert tried > 0
            await store.put("h", "{ districts { code } }")
            assert await asyncio.gather(*(store.get("h") for _ in range(100))) == [None] * 100
            assert heard.bytes == tried  # not tried for DOWN_S
            now[0] += DOWN_S
            assert await store.get("h") is None
            assert heard.bytes > tried  # tried again after
        finally:
            await store.close()


async def test_lookups_waiting_when_redis_stalls_skip_it_too() -> None:
    now = [1000.0]
    async with stalled_redis(reply_s=0.05) as (url, heard):
        bounds = CacheBounds(max_entries=3, max_bytes=100, ttl_seconds=60)
        store = RedisDocuments(f"{url}&max_connections=2", bounds)
        store.outage = Outage(lambda: now[0], at_once=2)
        try:
            assert await asyncio.gather(*(store.get("h") for _ in range(100))) == [None] * 100
        finally:
            await store.close()
    assert heard.connections <= 2  # two waited out the time limit; the others went on
