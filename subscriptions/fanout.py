"""Local fan-out: each subscriber has a bounded queue, and a publisher never waits for one.

Subscribers are indexed by stream and gu, so a reading of a sensor in Gangnam-gu is offered
only to those who asked for Gangnam-gu (or for every gu); their remaining filter (sensor kind,
data type, status, severity) is a predicate checked before the event is queued.

A subscriber whose queue is full has fallen too far behind: its queue is dropped and it is told
so (`SubscriberTooSlow`) with the last id it was given, so that it can resume from there.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from graph.errors import CivicGraphError
from subscriptions.events import Event, Stream

Predicate = Callable[[Event], bool]
DEFAULT_CAPACITY = 1024


class SubscriberTooSlow(CivicGraphError):
    """The subscriber's queue overflowed; `last_id` is the last event it received."""

    def __init__(self, stream: Stream, last_id: int | None) -> None:
        self.stream = stream
        self.last_id = last_id
        resume = f"resubscribe with after: {last_id}" if last_id is not None else "resubscribe"
        super().__init__(f"too slow for the {stream.value} stream: {resume}")


_OVERFLOW = object()


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
    overflowed: bool = False
    on_overflow: Callable[[Subscription], None] | None = None
    """Called once, from the publisher, when the queue overflows (e.g. to close the socket)."""

    def __post_init__(self) -> None:
        self._queue = asyncio.Queue(self.capacity + 1)  # one slot kept for the overflow mark

    def offer(self, event: Event) -> None:
        """Queue `event` if it matches; never blocks. Called by the fan-out."""
        if self.overflowed or not self.accepts(event):
            return
        if self._queue.qsize() >= self.capacity:
            self.overflowed = True
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queue.put_nowait(_OVERFLOW)
            if self.on_overflow is not None:
                self.on_overflow(self)
            return
        self._queue.put_nowait(event)

    async def next(self) -> Event:
        item = await self._queue.get()
        if item is _OVERFLOW:
            raise SubscriberTooSlow(self.stream, self.last_id)
        assert isinstance(item, Event)
        self.last_id = item.id
        return item

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
        for event in events:
            for key in {(event.stream, None), (event.stream, event.district)}:
                for subscription in tuple(self._subscribers.get(key, ())):
                    subscription.offer(event)

    def count(self) -> int:
        return sum(len(group) for group in self._subscribers.values())
