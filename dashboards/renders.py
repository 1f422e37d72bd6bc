"""One render of a view shared by everyone looking at it, until something changes.

A view is (page, language, gu, tier, the page's query parameters). Fifty dashboards showing the
overview to the mayor's office, or a thousand residents on the public page, see the same
figures: when the bus tells them all at once that a case was filed, the first request renders
the view and the others wait for that render instead of running the page's GraphQL documents
again. A finished render is reused while the Pulse's change counter (dashboards/live.py) is the
one it was made at and it is younger than `max_age_s` (figures such as "readings in the last
minute" age without any event). This bounds the work of a page to one render per view per
change, whoever asks, which also keeps a flood of public requests (each within its IP's
quota) from stalling the server.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

Content = list[Any]


@dataclass
class SharedRenders:
    """Renders by view key; at most `max_entries` finished ones kept (least recently used
    dropped)."""

    max_age_s: float = 5.0
    max_entries: int = 512
    _done: OrderedDict[Hashable, tuple[int, float, Content]] = field(default_factory=OrderedDict)
    _running: dict[tuple[Hashable, int], asyncio.Task[Content]] = field(default_factory=dict)

    async def render(
        self, key: Hashable, version: int, compute: Callable[[], Awaitable[Content]]
    ) -> Content:
        """The content of view `key` at change `version`: a fresh enough finished render, the
        one running, or a new one. The render runs as a task of its own, so that a viewer who
        goes away does not cancel it for the others."""
        now = time.monotonic()
        done = self._done.get(key)
        if done is not None and done[0] == version and now - done[1] < self.max_age_s:
            self._done.move_to_end(key)
            return done[2]
        running = self._running.get((key, version))
        if running is None:
            running = asyncio.ensure_future(self._compute(key, version, compute))
            self._running[(key, version)] = running
        return await asyncio.shield(running)

    async def _compute(
        self, key: Hashable, version: int, compute: Callable[[], Awaitable[Content]]
    ) -> Content:
        started = time.monotonic()
        try:
            content = await compute()
        finally:
            del self._running[(key, version)]
        self._done[key] = (version, started, content)
        self._done.move_to_end(key)
        while len(self._done) > self.max_entries:
            self._done.popitem(last=False)
        return content
