"""Local fan-out: each subscriber has a bounded queue, and a publisher never waits for one.

Subscribers are indexed by stream and gu, so a reading of a sensor in Gangnam-gu is offered
only to those who asked for Gangnam-gu (or for every gu); their remaining filter (sensor kind,
data type, status, severity) is a predicate checked before the event is queued.

Each `deliver` call is one batch (one publish: an HTTP ingest batch of up to 5,000 readings, a
simulator tick, one MQTT reading). A batch is always queued whole, so a client that reads
everything is never dropped by a burst; a subscriber is too slow when, as a new batch arrives,
it still holds more than `capacity` events from earlier batches. Its queue is then dropped and
it is told so (`SubscriberTooSlow`), with the id of the first event it missed, so that it can
resume from just before it. A subscriber holds at most `capacity` + one batch of events.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from graph.errors import CivicGraphError
from subscriptions.events import Event, Stream

Predicate = Callable[[Event], bool]
DEFAULT_CAPACITY = 5_000
"""Events from earlier batches a subscriber may hold: one largest ingest batch (MAX_BATCH)."""


class SubscriberTooSlow(CivicGraphError):
    """The subscriber fell behind; `first_missed` is the id of the first event it lost."""

    def __init__(self, stream: Stream, first_missed: int) -> None:
        self.stream = stream
        self.first_missed = first_missed
        super().__init__(
            f"too slow for the {stream.value} stream: resubscribe with after: {first_missed - 1}"
        )


_OVERFLOW = object()


@dataclass
class BatchAllowance:
    """The too-slow rule of one subscriber's queue: a batch (one publish) is always queued
    whole; the subscriber is too slow when, as a new batch comes, it still holds more than
    `capacity` events from earlier ones."""

    capacity: int
    _batch: int = -1
    _carried: int = 0

    def admits(self, batch: int, held: int) -> bool:
        """Whether an event of `batch` may be queued behind the `held` ones."""
        if batch != self._batch:
            self._batch, self._carried = batch, held
        return self._carried <= self.capacity


@dataclass(eq=False)
class Subscription:
    """One subscriber's view of a stream: iterate it to receive events in id order."""

    stream: Stream
    district: str | None
    accepts: Predicate
    capacity: int
    _fanout: Fanout
    _queue: asyncio.Queue[object] = field(init=False)
    last_id: int | None = None
    """The last event taken from the queue."""
    overflowed: bool = False
    first_missed: int | None = None
    """Once overflowed: the id of the oldest event dropped."""
    batch: int = -1
    """The delivery batch of the last event taken from the queue."""
    on_overflow: Callable[[Subscription], None] | None = None
    """Called once, from the publisher, when the queue overflows (e.g. to close the socket)."""

    def __post_init__(self) -> None:
        self._queue = asyncio.Queue()  # bounded by `offer`: capacity + one batch
        self._allowance = BatchAllowance(self.capacity)

    def offer(self, event: Event, batch: int = 0) -> None:
        """Queue `event` of delivery `batch` if it matches; never blocks. Called by the fan-out."""
        if self.overflowed or not self.accepts(event):
            return
        if not self._allowance.admits(batch, self._queue.qsize()):
            self._overflow(event)
            return
        self._queue.put_nowait((batch, event))

    def _overflow(self, event: Event) -> None:
        first = event.id
        while not self._queue.empty():
            item = self._queue.get_nowait()
            if isinstance(item, tuple):
                first = min(first, item[1].id)
        self.overflowed, self.first_missed = True, first
        self._queue.put_nowait(_OVERFLOW)
        if self.on_overflow is not None:
            self.on_overflow(self)

    async def next(self) -> Event:
        item = await self._queue.get()
        if item is _OVERFLOW:
            assert self.first_missed is not None
            raise SubscriberTooSlow(self.stream, self.first_missed)
        assert isinstance(item, tuple)
        self.batch, event = item
        assert isinstance(event, Event)
        self.last_id = event.id
        return event

    def pending(self) -> int:
        return self._queue.qsize()

    def close(self) -> None:
        self._fanout.remove(self)

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._events()

    async def _events(self) -> AsyncIterator[Event]:
        try:
            while True:
                yield await self.next()
        finally:
            self.close()


class Fanout:
    """The subscribers of one process, by (stream, gu); None as gu means every gu."""

    def __init__(self) -> None:
        self._subscribers: dict[tuple[Stream, str | None], set[Subscription]] = {}
        self._batches = 0

    def add(
        self,
        stream: Stream,
        *,
        district: str | None = None,
        accepts: Predicate = lambda _event: True,
        capacity: int = DEFAULT_CAPACITY,
    ) -> Subscription:
        subscription = Subscription(stream, district, accepts, capacity, self)
        self._subscribers.setdefault((stream, district), set()).add(subscription)
        return subscription

    def remove(self, subscription: Subscription) -> None:
        group = self._subscribers.get((subscription.stream, subscription.district))
        if group is not None:
            group.discard(subscription)
            if not group:
                del self._subscribers[(subscription.stream, subscription.district)]

    def deliver(self, events: list[Event]) -> None:
        """Offer one batch of events (one publish) to their subscribers."""
        self._batches += 1
        for event in events:
            for key in {(event.stream, None), (event.stream, event.district)}:
                for subscription in tuple(self._subscribers.get(key, ())):
                    subscription.offer(event, self._batches)

    def count(self) -> int:
        return sum(len(group) for group in self._subscribers.values())
