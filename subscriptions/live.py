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
from subscriptions.fanout import DEFAULT_CAPACITY, Predicate, SubscriberTooSlow, Subscription
from subscriptions.ingest.pipeline import Ingest
from subscriptions.ingest.window import ReadingWindow
from subscriptions.streams import replay

log = logging.getLogger("civicgraph.live")

CLOSE_TOO_SLOW = 1013
"""WebSocket close code for a subscriber that fell too far behind: RFC 6455's registered
"Try Again Later", which the graphql-ws client retries (its `isFatalInternalCloseCode` treats
1013 as non-fatal, while 4429, 4400, 4401, 4406, 4409, 4500 and other 1xxx codes are fatal).
See docs/api.md."""


@dataclass
class Cursor:
    """Where one subscriber can resume: the id of the last event handed to its connection
    (ASGI servers buffer a send before they wait for the socket, so a handed event is written
    ahead of the close frame)."""

    sent: int | None = None

    def resume_after(self, subscription: Subscription) -> int:
        """The `after` that loses nothing: the last id handed over (`after` itself before any);
        with none, the id just before the first event dropped."""
        if self.sent is not None:
            return self.sent
        assert subscription.first_missed is not None
        return subscription.first_missed - 1


class ResumeTooOld(CivicGraphError):
    """More events were missed since `after` than the replay window holds."""


@dataclass
class Live:
    records: Records
    bus: EventBus
    directory: SensorDirectory
    ingest: Ingest
    queue_size: int = DEFAULT_CAPACITY
    replay_window: int = 10_000
    too_slow: int = 0
    """Subscribers cut off so far (for /metrics)."""

    @classmethod
    async def start(
        cls,
        records: Records,
        bus: EventBus,
        directory: SensorDirectory,
        window: ReadingWindow | None = None,
        **limits: Any,
    ) -> Live:
        """`window` bounds the readings ingest accepts; `limits` are the fields below."""
        ingest = await Ingest.start(records, directory, bus, window)
        return cls(records, bus, directory, ingest, **limits)

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
        cursor = Cursor(after)
        subscription.on_overflow = lambda sub: self._cut_off(sub, connection, cursor)
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
                    cursor.sent = event.id
                    if accepts(event):
                        yield event
            while True:
                event = await subscription.next()
                if last is not None and event.id <= last:
                    continue
                cursor.sent = event.id
                yield event
        except SubscriberTooSlow:
            return
        finally:
            subscription.close()

    def _cut_off(self, subscription: Subscription, connection: Any, cursor: Cursor) -> None:
        self.too_slow += 1
        close = getattr(connection, "close", None)
        if close is None:
            return
        reason = f"too slow; resubscribe with after: {cursor.resume_after(subscription)}"
        asyncio.get_running_loop().create_task(self._close(connection, reason))

    @staticmethod
    async def _close(connection: Any, reason: str) -> None:
        """The close frame waits behind what the client has not read; the ASGI server (uvicorn)
        gives up on the closing handshake after its timeout and drops the connection."""
        with contextlib.suppress(Exception):
            await connection.close(code=CLOSE_TOO_SLOW, reason=reason)
