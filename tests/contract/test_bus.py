"""The bus contract, on the in-process bus and on Redis: order, routing, filters, back-pressure."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from graph.errors import StoreUnavailable
from graph.redis_pool import POOL_SIZE
from subscriptions.bus import EventBus
from subscriptions.events import Event, Stream
from subscriptions.fanout import SubscriberTooSlow, Subscription
from subscriptions.ingest.payloads import MAX_BATCH
from subscriptions.open import open_bus
from subscriptions.redis_bus import RECONNECT_S

pytestmark = pytest.mark.services

REDIS_URL = os.environ.get("CIVIC_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
WAIT_S = 10.0


async def _open(kind: str) -> EventBus:
    if kind == "memory":
        return await open_bus(None)
    try:
        return await open_bus(REDIS_URL)
    except StoreUnavailable as error:
        pytest.skip(f"Redis is not running (tools/services/services.sh): {error}")


@pytest.fixture(params=["memory", "redis"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[EventBus]:
    opened = await _open(request.param)
    yield opened
    await opened.close()


def reading(key: int, gu: str = "11680", kind: str = "sdot") -> Event:
    return Event(Stream.READINGS, key, {"district_code": gu, "sensor_kind": kind})


async def receive(subscription: Subscription, count: int) -> list[int]:
    return [(await asyncio.wait_for(subscription.next(), WAIT_S)).id for _ in range(count)]


async def test_subscribers_receive_what_is_published_after_they_subscribe_in_order(
    bus: EventBus,
) -> None:
    await bus.publish([reading(1)])
    subscription = bus.subscribe(Stream.READINGS)
    await bus.publish([reading(2), reading(3)])
    await bus.publish([reading(4)])
    assert await receive(subscription, 3) == [2, 3, 4]
    subscription.close()


async def test_a_subscription_never_receives_what_was_published_before_it(
    bus: EventBus,
) -> None:
    """The Redis bus's echo of a publish must not still be in flight when `publish` returns."""
    bulky = {"district_code": "11680", "sensor_kind": "sdot", "note": "x" * 200_000}
    for key in range(1, 21):
        await bus.publish([Event(Stream.READINGS, key, bulky)])
        subscription = bus.subscribe(Stream.READINGS)
        await bus.publish([reading(1000 + key)])
        assert await receive(subscription, 1) == [1000 + key]
        subscription.close()


async def test_routing_by_gu_and_server_side_filters(bus: EventBus) -> None:
    gangnam = bus.subscribe(Stream.READINGS, district="11680")
    water = bus.subscribe(Stream.READINGS, accepts=lambda e: e.data["sensor_kind"] == "water")
    alerts = bus.subscribe(Stream.ALERTS)
    everything = bus.subscribe(Stream.READINGS)
    await bus.publish(
        [reading(1, "11110"), reading(2, "11680", "water"), reading(3, "11680"), reading(4)]
    )
    await bus.publish([Event(Stream.ALERTS, 1, {"district_code": "11110"})])
    assert await receive(everything, 4) == [1, 2, 3, 4]
    assert await receive(gangnam, 3) == [2, 3, 4]
    assert await receive(water, 1) == [2]
    assert await receive(alerts, 1) == [1]
    for subscription in (gangnam, water, alerts, everything):
        assert subscription.pending() == 0
        subscription.close()
    assert bus.fanout.count() == 0


async def test_a_slow_subscriber_is_cut_off_and_never_holds_back_the_others(
    bus: EventBus,
) -> None:
    stalled = bus.subscribe(Stream.READINGS, capacity=10)
    others = [bus.subscribe(Stream.READINGS, capacity=1000) for _ in range(100)]
    first = bus.subscribe(Stream.READINGS, capacity=10)
    await bus.publish([reading(1)])
    assert await receive(first, 1) == [1]  # `first` read one event, then stalled too
    published = list(range(2, 302))
    for key in published:
        await bus.publish([reading(key)])
    for subscription in others:
        assert await receive(subscription, 301) == [1, *published]  # counted, every one
    with pytest.raises(SubscriberTooSlow) as stalled_error:
        await asyncio.wait_for(stalled.next(), WAIT_S)
    assert stalled_error.value.first_missed == 1  # it received nothing: resume after 0
    assert "after: 0" in str(stalled_error.value)
    with pytest.raises(SubscriberTooSlow) as first_error:
        await asyncio.wait_for(first.next(), WAIT_S)
    assert first_error.value.first_missed == 2
    assert "after: 1" in str(first_error.value)


async def test_one_whole_batch_reaches_a_subscriber_that_keeps_up(bus: EventBus) -> None:
    # given: a queue far smaller than the largest legal ingest batch
    fast = bus.subscribe(Stream.READINGS, district="11680", capacity=16)
    # when: two such batches of one gu, one after the other
    first = [reading(key, "11680") for key in range(1, MAX_BATCH + 1)]
    await bus.publish(first)
    got = await receive(fast, MAX_BATCH)
    await bus.publish([reading(key, "11680") for key in range(MAX_BATCH + 1, MAX_BATCH + 1101)])
    got += await receive(fast, 1100)
    # then: every event, in order, and no cut-off
    assert got == list(range(1, MAX_BATCH + 1101))
    assert not fast.overflowed
    fast.close()


async def test_a_subscriber_still_holding_a_batch_when_the_next_comes_is_cut_off(
    bus: EventBus,
) -> None:
    slow = bus.subscribe(Stream.READINGS, capacity=16)
    await bus.publish([reading(key) for key in range(1, 18)])  # 17 > 16 held
    await bus.publish([reading(18)])
    with pytest.raises(SubscriberTooSlow) as error:
        await asyncio.wait_for(slow.next(), WAIT_S)
    assert error.value.first_missed == 1


async def test_iterating_closes_the_subscription_when_the_consumer_stops(bus: EventBus) -> None:
    subscription = bus.subscribe(Stream.CASES)
    await bus.publish([Event(Stream.CASES, 7, {"district_code": "11110"})])
    received: list[int] = []
    async with (
        asyncio.timeout(WAIT_S),
        contextlib.aclosing(aiter(subscription)) as events,  # as Strawberry does
    ):
        async for event in events:
            received.append(event.id)
            break
    assert received == [7]  # the loop ran: an iterator that yields nothing fails here
    assert bus.fanout.count() == 0


async def test_a_burst_of_publishes_beyond_the_redis_pool_all_arrive(bus: EventBus) -> None:
    """Three times as many publishes at once as a Redis client holds connections
    (graph/redis_pool.py): each waits for a connection rather than failing."""
    subscription = bus.subscribe(Stream.READINGS, capacity=1000)
    keys = range(1, 3 * POOL_SIZE + 1)
    await asyncio.gather(*(bus.publish([reading(key)]) for key in keys))
    assert sorted(await receive(subscription, len(keys))) == list(keys)  # none lost, no error
    subscription.close()


async def test_a_publish_on_one_redis_bus_reaches_another() -> None:
    """Two buses on one Redis stand for two workers (tests/e2e runs two real processes)."""
    one, two = await _open("redis"), await _open("redis")
    try:
        listener = two.subscribe(Stream.ALERTS)
        await one.publish([Event(Stream.ALERTS, 41, {"district_code": "11680"})])
        assert await receive(listener, 1) == [41]
    finally:
        await one.close()
        await two.close()


async def test_a_publish_after_redis_dropped_its_connections_is_sent_again() -> None:
    """A Redis restart leaves the pool's connections dead: the next publish failed with a
    ConnectionError (an ingest answered 500, a review found). Now it is sent again on a new
    connection; here Redis drops only this bus's connections (named), not other tests'."""
    name = f"bus-{uuid.uuid4().hex[:8]}"
    try:
        bus = await open_bus(f"{REDIS_URL}?client_name={name}")
    except StoreUnavailable as error:
        pytest.skip(f"Redis is not running (tools/services/services.sh): {error}")
    try:
        listener = bus.subscribe(Stream.ALERTS)
        await bus.publish([Event(Stream.ALERTS, 1, {"district_code": "11680"})])
        assert await receive(listener, 1) == [1]
        async with Redis.from_url(REDIS_URL) as admin:
            for client in await admin.client_list():
                if client["name"] == name:
                    await admin.client_kill_filter(_id=client["id"])
        await bus.publish([Event(Stream.ALERTS, 2, {"district_code": "11680"})])  # no raise
        await asyncio.sleep(RECONNECT_S + 0.5)  # its listener is back
        await bus.publish([Event(Stream.ALERTS, 3, {"district_code": "11680"})])
        assert (await receive(listener, 1))[-1] in (2, 3)
    finally:
        await bus.close()


async def test_an_unknown_bus_url_is_refused() -> None:
    with pytest.raises(StoreUnavailable, match="no bus"):
        await open_bus("kafka://127.0.0.1:9092")
    with pytest.raises(StoreUnavailable, match="cannot reach the bus"):
        await open_bus("redis://127.0.0.1:9/0")
