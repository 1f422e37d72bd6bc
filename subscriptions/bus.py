"""The `EventBus` protocol: publish events once, every worker's subscribers receive them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from subscriptions.events import Event, Stream
from subscriptions.fanout import DEFAULT_CAPACITY, Fanout, Predicate, Subscription


class EventBus(Protocol):
    backend: str
    fanout: Fanout

    async def start(self) -> None:
        """Connect (and start listening); idempotent."""

    async def close(self) -> None: ...

    async def publish(self, events: Sequence[Event]) -> None:
        """Hand events (in id order) to every subscriber of every worker. Never waits for one.

        Returns once this worker's own subscribers have been handed them, so a subscription
        opened after `publish` returns never receives them.
        """

    def subscribe(
        self,
        stream: Stream,
        *,
        district: str | None = None,
        accepts: Predicate = ...,
        capacity: int = DEFAULT_CAPACITY,
    ) -> Subscription:
        """Start receiving `stream` now (events published from here on), filtered server-side."""


class LocalSubscribers:
    """Every bus hands events to the subscribers of its own process through a `Fanout`."""

    def __init__(self) -> None:
        self.fanout = Fanout()

    def subscribe(
        self,
        stream: Stream,
        *,
        district: str | None = None,
        accepts: Predicate = lambda _event: True,
        capacity: int = DEFAULT_CAPACITY,
    ) -> Subscription:
        return self.fanout.add(stream, district=district, accepts=accepts, capacity=capacity)


class MemoryBus(LocalSubscribers):
    """The bus of one process: publishing is handing events to the local fan-out."""

    backend = "memory"

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def publish(self, events: Sequence[Event]) -> None:
        self.fanout.deliver(list(events))
