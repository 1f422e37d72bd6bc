"""The live side of one server process: bus, sensor directory, ingest, and the event feed that
GraphQL subscriptions read (replay from the records by id, then live, without duplicates)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

from graph.errors import CivicGraphError
from graph.records import Records
from subscriptions.bus import EventBus
from subscriptions.directory import SensorDirectory
from subscriptions.events import Event, Stream
from subscriptions.fanout import Predicate, SubscriberTooSlow, Subscription
from subscriptions.ingest.pipeline import Ingest
from subscriptions.streams import replay

log = logging.getLogger("civicgraph.live")

CLOSE_TOO_SLOW = 4429
"""WebSocket close code for a subscriber that fell too far behind (see docs/api.md)."""


class ResumeTooOld(CivicGraphError):
    """More events were missed since `after` than the replay window holds."""


@dataclass
class Live:
    records: Records
    bus: EventBus
    directory: SensorDirectory
    ingest: Ingest
    queue_size: int = 1024
    replay_window: int = 10_000
    too_slow: int = 0
    """Subscribers cut off so far (for /metrics)."""

    @classmethod
    async def start(
        cls, records: Records, bus: EventBus, directory: SensorDirectory, **limits: Any
    ) -> Live:
        return cls(records, bus, directory, await Ingest.start(records, directory, bus), **limits)

    async def events(
        self,
        stream: Stream,
        *,
        district: str | None,
        accepts: Predicate,
        after: int | None,
        connection: Any = None,
    ) -> AsyncGenerator[Event, None]:
        """Events of `stream` for one subscriber: those missed since `after`, then live ones.

        Live events are queued from the moment of the call, before the replay reads the
        records, and any already replayed are skipped: no gap and no duplicate. A subscriber
        whose queue overflows has its `connection` (a WebSocket) closed with CLOSE_TOO_SLOW.
        """
        subscription = self.bus.subscribe(
            stream, district=district, accepts=accepts, capacity=self.queue_size
        )
        subscription.on_overflow = lambda sub: self._cut_off(sub, connection)
        try:
            last = None
            if after is not None:
                missed = await replay(
                    self.records,
                    self.directory,
                    stream,
                    after,
                    district=district,
                    limit=self.replay_window + 1,
                )
                if len(missed) > self.replay_window:
                    raise ResumeTooOld(
                        f"more than {self.replay_window} {stream.value} events since {after}: "
                        "query the current state, then subscribe without `after`"
                    )
                for event in missed:
                    last = event.id
                    if accepts(event):
                        yield event
            while True:
                event = await subscription.next()
                if last is not None and event.id <= last:
                    continue
                yield event
        except SubscriberTooSlow:
            return
        finally:
            subscription.close()

    def _cut_off(self, subscription: Subscription, connection: Any) -> None:
        self.too_slow += 1
        close = getattr(connection, "close", None)
        if close is None:
            return
        resume = f"resubscribe with after: your last id (server sent {subscription.last_id})"
        reason = f"too slow; {resume}"[:120]
        asyncio.get_running_loop().create_task(self._close(connection, reason))

    @staticmethod
    async def _close(connection: Any, reason: str) -> None:
        """The close frame waits behind what the client has not read; the ASGI server (uvicorn)
        gives up on the closing handshake after its timeout and drops the connection."""
        with contextlib.suppress(Exception):
            await connection.close(code=CLOSE_TOO_SLOW, reason=reason)
