"""Open the event bus a URL names."""

from __future__ import annotations

from graph.errors import StoreUnavailable
from graph.redis_pool import is_redis_url
from subscriptions.bus import EventBus, MemoryBus
from subscriptions.redis_bus import RedisBus


async def open_bus(url: str | None) -> EventBus:
    """None or `memory://`: in-process. `redis://host:port/db`: shared by every worker."""
    bus: EventBus
    if url is None or url == "memory://":
        bus = MemoryBus()
    elif is_redis_url(url):
        bus = RedisBus(url)
    else:
        raise StoreUnavailable(f"no bus for {url!r} (supported: memory://, redis://HOST:PORT/DB)")
    await bus.start()
    return bus
