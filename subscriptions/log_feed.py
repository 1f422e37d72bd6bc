"""The log stream's publisher: each leaf the verifiable log appends, on the bus once committed.

Every writer of the log (certificates, procurement steps, polls and ballots, issuer keys) goes
through `ledger.log.Log.append`, so the server attaches one listener to its log rather than a
publish call to each writer: no path that appends can forget to tell the dashboards.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from graph.records.log_tree import LeafNotice
from ledger.entries import Entry
from ledger.log import Appended, AppendListener, Log
from subscriptions.bus import EventBus
from subscriptions.streams import log_event


def log_publisher(bus: EventBus) -> AppendListener:
    """A `Log` listener that publishes one `Stream.LOG` event per appended leaf on `bus`."""

    async def publish(appended: Appended, entries: Sequence[Entry]) -> None:
        size = appended.head.size
        await bus.publish(
            [
                log_event(LeafNotice(appended.index_of(n), entry.kind, entry.subject, size))
                for n, entry in enumerate(entries)
            ]
        )

    return publish


@contextmanager
def publishing_appends(log: Log, bus: EventBus) -> Iterator[None]:
    """While inside, every append to `log` in this process is published on `bus`."""
    listener = log_publisher(bus)
    log.listeners.append(listener)
    try:
        yield
    finally:
        log.listeners.remove(listener)
