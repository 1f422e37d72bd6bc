"""The live side of one server process: bus, sensor directory, ingest, and the event feed that
GraphQL subscriptions read (replay from the records by id, then live, without duplicates)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from typing import Any

from graph.errors import CivicGraphError
from graph.records import Records
from graph.records.api_keys import Tier
from subscriptions.bus import EventBus
from subscriptions.directory import SensorDirectory
from subscriptions.events import Event, Stream
from subscriptions.fanout import DEFAULT_CAPACITY, Predicate, SubscriberTooSlow, Subscription
from subscriptions.ingest.pipeline import Ingest
from subscriptions.ingest.window import ReadingWindow
from subscriptions.streams import replay_exceeds, replay_page

log = logging.getLogger("civicgraph.live")

REPLAY_PAGE = 500
"""Rows read per replay query: a page is a few hundred KB, and the loop serves others between
pages (the query runs off the loop) and between events."""

CLOSE_TOO_SLOW = 1013
"""WebSocket close code for a subscriber that fell too far behind: RFC 6455's registered
"Try Again Later", which the graphql-ws client retries (its `isFatalInternalCloseCode` treats
1013 as non-fatal, while 4429, 4400, 4401, 4406, 4409, 4500 and other 1xxx codes are fatal).
See docs/api.md."""


def too_slow_reason(resume_after: int) -> str:
    """The close reason of a subscriber cut off as too slow: where it resumes without a gap."""
    return f"too slow; resubscribe with after: {resume_after}"


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
    """Most events replayed to a caller with a key (`CIVIC_REPLAY_WINDOW`)."""
    replay_window_public: int = 1_000
    """Most events replayed to a caller without a key (`CIVIC_REPLAY_WINDOW_PUBLIC`)."""
    too_slow: int = 0
    """Subscribers cut off so far (for /metrics)."""
    shared_streams: int = 0
    """Fan-out subscriptions that feed a group of subscribers (a door's shared stream)."""
    shared_members: int = 0
    """Subscribers delivered by a shared stream instead of a subscription of their own."""

    def subscribers(self) -> int:
        """Live subscribers in this process, each counted once (for /metrics)."""
        return self.bus.fanout.count() - self.shared_streams + self.shared_members

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

    def replay_window_for(self, tier: Tier) -> int:
        """Most events replayed to a subscriber of `tier` resuming with `after`."""
        return self.replay_window_public if tier is Tier.PUBLIC else self.replay_window

    async def events(
        self,
        stream: Stream,
        *,
        district: str | None,
        accepts: Predicate,
        after: int | None,
        connection: Any = None,
        replay_window: int | None = None,
        on_live: Callable[[Subscription], None] | None = None,
    ) -> AsyncGenerator[Event, None]:
        """Events of `stream` for one subscriber: those missed since `after`, then live ones.

        Live events are queued from the moment of the call, before the replay reads the
        records, and any already replayed are skipped: no gap and no duplicate. The replay is
        refused with ResumeTooOld, before any row is loaded, when more than `replay_window`
        (default: this Live's `replay_window`) events were missed; otherwise it is read
        REPLAY_PAGE rows at a time. The loop serves others after every event handed over. A
        subscriber whose queue overflows has its `connection` (a WebSocket) closed with
        CLOSE_TOO_SLOW, or, when the connection has a `cut_off(resume_after)` (a shared
        stream), that called with where to resume. `on_live` is called with the subscription
        once the replay is over (live events have been queued since the call; its `pending()`
        says how many wait, its `batch` which delivery an event came in).
        """
        window = self.replay_window if replay_window is None else replay_window
        subscription = self.bus.subscribe(
            stream, district=district, accepts=accepts, capacity=self.queue_size
        )
        cursor = Cursor(after)
        subscription.on_overflow = lambda sub: self._cut_off(sub, connection, cursor)
        try:
            last = None
            if after is not None:
                if await replay_exceeds(
                    self.records, self.directory, stream, after, district=district, window=window
                ):
                    raise ResumeTooOld(
                        f"more than {window} {stream.value} events since {after}: "
                        "query the current state, then subscribe without `after`"
                    )
                async for event in self._replay(stream, after, district, window):
                    last = event.id
                    cursor.sent = event.id
                    if accepts(event):
                        yield event
                        await asyncio.sleep(0)
            if on_live is not None:
                on_live(subscription)
            while True:
                event = await subscription.next()
                if last is not None and event.id <= last:
                    continue
                cursor.sent = event.id
                yield event
                await asyncio.sleep(0)
        except SubscriberTooSlow:
            return
        finally:
            subscription.close()

    async def _replay(
        self, stream: Stream, after: int, district: str | None, window: int
    ) -> AsyncGenerator[Event, None]:
        """The events above `after`, page by page, at most `window` of them."""
        left, next_after = window, after
        while left > 0:
            size = min(REPLAY_PAGE, left)
            page = await replay_page(
                self.records, self.directory, stream, next_after, district=district, limit=size
            )
            for event in page.events:
                yield event
            if page.next_after is None:
                return
            left -= size
            next_after = page.next_after

    def _cut_off(self, subscription: Subscription, connection: Any, cursor: Cursor) -> None:
        resume = cursor.resume_after(subscription)
        cut_off = getattr(connection, "cut_off", None)
        if cut_off is not None:  # a shared stream: it cuts off (and counts) its subscribers
            cut_off(resume)
            return
        self.too_slow += 1
        close = getattr(connection, "close", None)
        if close is None:
            return
        reason = too_slow_reason(resume)
        asyncio.get_running_loop().create_task(self._close(connection, reason))

    @staticmethod
    async def _close(connection: Any, reason: str) -> None:
        """The close frame waits behind what the client has not read; the ASGI server (uvicorn)
        gives up on the closing handshake after its timeout and drops the connection."""
        with contextlib.suppress(Exception):
            await connection.close(code=CLOSE_TOO_SLOW, reason=reason)
