"""The bus shared by workers: Redis pub/sub, one channel per stream, fanned out locally.

Each process holds one Redis subscription for all its clients, so Redis sees one connection
per worker, not per client. Durability is the records' job (events are rows there first):
Redis only carries them, which is what pub/sub is for. A worker that loses its Redis
connection reconnects; its clients resume from the records by id.

`publish` returns once the worker's own listener has handed the batch to its subscribers (it
waits for the echo of its message), as the in-process bus does: a client that subscribes
after a publish on the same worker never receives what was published before it subscribed.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import secrets
from collections.abc import Sequence

import redis.asyncio as redis
from redis.exceptions import RedisError

from graph.errors import StoreUnavailable
from graph.redis_pool import redis_client
from subscriptions.bus import LocalSubscribers
from subscriptions.events import Event, Stream, decode, encode

log = logging.getLogger("civicgraph.bus")
CHANNEL_PREFIX = "civic:events:"
RECONNECT_S = 1.0
READY_S = 10.0
ECHO_S = 2.0
"""Longest a publish waits for its own echo; a listener that is reconnecting is not waited for."""


class RedisBus(LocalSubscribers):
    backend = "redis"

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self._client: redis.Redis | None = None
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._token = secrets.token_hex(8)
        self._sequence = itertools.count()
        self._echoes: dict[str, asyncio.Future[None]] = {}

    async def start(self) -> None:
        if self._client is not None:
            return
        client = redis_client(self.url)
        try:
            await client.ping()
        except (RedisError, OSError) as error:
            await client.aclose()
            raise StoreUnavailable(f"cannot reach the bus at {self.url}: {error}") from None
        self._client = client
        self._listener = asyncio.create_task(self._listen(), name="redis-bus-listener")
        try:
            await asyncio.wait_for(self._ready.wait(), READY_S)
        except TimeoutError:
            await self.close()
            raise StoreUnavailable(f"cannot subscribe on the bus at {self.url}") from None

    async def _listen(self) -> None:
        assert self._client is not None
        channels = [CHANNEL_PREFIX + stream.value for stream in Stream]
        while True:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(*channels)
                self._ready.set()
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        echo, events = decode(message["data"])
                        self.fanout.deliver(events)
                        self._heard(echo)
            except (RedisError, OSError) as error:
                self._ready.clear()
                log.warning("bus connection lost (%s); reconnecting", error)
                await asyncio.sleep(RECONNECT_S)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    def _heard(self, echo: str) -> None:
        waiting = self._echoes.pop(echo, None)
        if waiting is not None and not waiting.done():
            waiting.set_result(None)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        if self._client is not None:
            await self._client.aclose()
        self._client = None

    async def publish(self, events: Sequence[Event]) -> None:
        if not events:
            return
        assert self._client is not None, "start() the bus first"
        by_stream: dict[Stream, list[Event]] = {}
        for event in events:
            by_stream.setdefault(event.stream, []).append(event)
        loop = asyncio.get_running_loop()
        echoes = [f"{self._token}:{next(self._sequence)}" for _ in by_stream]
        waits = [loop.create_future() for _ in echoes]
        self._echoes.update(zip(echoes, waits, strict=True))
        messages = [
            (CHANNEL_PREFIX + stream.value, encode(batch, echo))
            for echo, (stream, batch) in zip(echoes, by_stream.items(), strict=True)
        ]
        try:
            if not await self._sent(messages):
                return
            if self._ready.is_set():
                await asyncio.wait_for(asyncio.gather(*waits), ECHO_S)
        except TimeoutError:
            log.warning("no echo of a publish within %.0f s; subscribers resume by id", ECHO_S)
        finally:
            for echo in echoes:
                self._echoes.pop(echo, None)

    async def _sent(self, messages: Sequence[tuple[str, bytes]]) -> bool:
        """Publishes `messages` (channel, payload) in one round trip; once more on a connection
        that failed (a pooled one Redis dropped when it restarted: redis-py reconnects on the
        next try). False when Redis failed twice: the events are stored, and live subscribers
        resume by id once it is back; the publisher (an ingest, a filing) is not failed for it."""
        assert self._client is not None
        for attempt in (1, 2):
            try:
                async with self._client.pipeline(transaction=False) as pipe:
                    for channel, payload in messages:
                        pipe.publish(channel, payload)
                    await pipe.execute()
                return True
            except (RedisError, OSError) as error:
                if attempt == 2:
                    log.warning("bus unavailable (%s); subscribers resume by id", error)
        return False
