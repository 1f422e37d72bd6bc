"""Live dashboards: which topics changed, pushed to every open dashboard over a websocket.

One `Pulse` per server process watches every bus stream (readings, cases, alerts, polls, the
log) and, at most every `period_s` seconds, tells each connected dashboard which topics changed
since its last message, each with the gu its events were in (empty: events of no gu, such as
log entries): `{"topics": {"cases": ["11680"], "log": []}, "at": …}`. The browser
(assets/live.js) asks the page's router callback for a render only when the page shows one of
those topics for its gu, so a page costs a request only when its figures may have changed. A
burst of 150 readings a second is one message per period, and a slow dashboard only ever owes
its next message: nothing queues up behind it. A public dashboard is told at most every
PUBLIC_INTERVAL_S seconds, so that its renders stay within the public quota of its IP.

The Pulse never queues an event: its subscriptions' predicate notes the event and declines it,
so a fast stream costs one set insertion per event, whatever the number of dashboards.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass, field

from starlette.websockets import WebSocket, WebSocketDisconnect

from graph.records.api_keys import Tier
from subscriptions.bus import EventBus
from subscriptions.events import Event, Stream
from subscriptions.fanout import Subscription

log = logging.getLogger("civicgraph.dashboards.live")

CLOSE_RESTART = 1012
"""RFC 6455 registry "Service Restart": the client reconnects (assets/live.js backs off)."""

TOPICS: dict[Stream, str] = {stream: stream.value for stream in Stream}
"""The live topic each bus stream changes (pages list the topics they show)."""

ANALYST_TOPICS = frozenset({TOPICS[Stream.ANOMALIES]})
"""Topics a dashboard below the analyst tier is never told of: that a model's alarm was just
scored in a gu is itself an output awaiting review (an outbreak alarm notifies no one first)."""


PUBLIC_INTERVAL_S = 5.0
"""Shortest time between two messages to a dashboard without a key: one render each, 12 a
minute, within the default public quota (60 requests a minute per IP)."""


Changes = dict[str, set[str]]
"""Topic → the gu its events were in since the last message."""


@dataclass(eq=False)
class Watcher:
    """One open dashboard: what changed since its last message, and a flag to wake it."""

    websocket: WebSocket
    min_interval_s: float = 0.0
    hidden: frozenset[str] = frozenset()
    """Topics this dashboard is never told of (ANALYST_TOPICS below the analyst tier)."""
    changes: Changes = field(default_factory=dict)
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, changes: Changes) -> None:
        changes = {topic: gu for topic, gu in changes.items() if topic not in self.hidden}
        if not changes:
            return
        for topic, districts in changes.items():
            self.changes.setdefault(topic, set()).update(districts)
        self.wake.set()

    def message(self) -> str:
        """The changes since the last message, as JSON; clears them."""
        topics = {topic: sorted(districts) for topic, districts in sorted(self.changes.items())}
        self.changes = {}
        return json.dumps(
            {"topics": topics, "at": round(time.time() * 1000)}, separators=(",", ":")
        )


@dataclass(eq=False)
class Pulse:
    """Notes bus events and tells the open dashboards every `period_s` seconds (default 0.5)."""

    bus: EventBus
    period_s: float = 0.5
    watchers: set[Watcher] = field(default_factory=set)
    version: int = 0
    """Counts the periods in which something changed (dashboards/renders.py keys on it)."""
    _changed: Changes = field(default_factory=dict)
    _subscriptions: list[Subscription] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    def _note(self, event: Event) -> bool:
        districts = self._changed.setdefault(TOPICS[event.stream], set())
        if event.district is not None:
            districts.add(event.district)
        return False  # noted: never queued

    def start(self) -> None:
        """Subscribe to every stream and start the ticker (idempotent)."""
        if self._task is not None:
            return
        self._subscriptions = [self.bus.subscribe(stream, accepts=self._note) for stream in TOPICS]
        self._task = asyncio.create_task(self._tick(), name="dashboard-pulse")

    async def close_connections(self, code: int = CLOSE_RESTART, reason: str = "") -> None:
        """Close every dashboard's socket (they reconnect, to this or another worker)."""
        for watcher in list(self.watchers):
            with contextlib.suppress(Exception):
                await watcher.websocket.close(code=code, reason=reason)

    async def stop(self) -> None:
        """Close the dashboards' sockets (1012: service restart) and stop watching the bus."""
        await self.close_connections(reason="server restarting")
        for subscription in self._subscriptions:
            subscription.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.period_s)
            if not self._changed:
                continue
            changed, self._changed = self._changed, {}
            self.version += 1
            for watcher in self.watchers:
                watcher.add(changed)

    async def serve(self, websocket: WebSocket) -> None:
        """One dashboard's socket: accept, then send its changes until either side closes.

        Whatever the client sends is read and dropped (the socket only pushes). A caller
        without a key (the door's tier in the scope) is told at most every PUBLIC_INTERVAL_S."""
        await websocket.accept()
        self.start()
        tier = websocket.scope.get("state", {}).get("tier", Tier.PUBLIC)
        hidden = frozenset() if tier.at_least(Tier.ANALYST) else ANALYST_TOPICS
        watcher = Watcher(websocket, PUBLIC_INTERVAL_S if tier is Tier.PUBLIC else 0.0, hidden)
        self.watchers.add(watcher)
        reader = asyncio.create_task(_drain(websocket))
        try:
            while not reader.done():
                waiting = asyncio.create_task(watcher.wake.wait())
                await asyncio.wait({waiting, reader}, return_when=asyncio.FIRST_COMPLETED)
                waiting.cancel()
                if reader.done():
                    break
                watcher.wake.clear()
                await websocket.send_text(watcher.message())
                if watcher.min_interval_s:
                    await asyncio.sleep(watcher.min_interval_s)  # changes gather meanwhile
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            self.watchers.discard(watcher)
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader


CLOSE_UNSUPPORTED = 1003
"""RFC 6455 "Unsupported Data": the socket only pushes; a client that sends is closed."""


async def _drain(websocket: WebSocket) -> None:
    """Wait for the client to close; a client that sends anything is closed (1003): the
    dashboards' socket takes no messages, so none is ever buffered twice."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        message = await websocket.receive()
        if message["type"] != "websocket.disconnect":
            await websocket.close(code=CLOSE_UNSUPPORTED, reason="this socket only pushes")
