"""One writer at a time per database, re-entrant within the task that holds it.

LadybugDB runs one write transaction at a time per database and refuses a second one at once
("Only one write transaction at a time is allowed") instead of waiting: its adapter queues
writers here. Reads do not take the lock (LadybugDB serves them beside the one writer).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class WriteLock:
    """An asyncio lock that the task holding it may take again (a composed write).

    A write made of several statements holds the lock around all of them, and each statement
    takes it again without waiting for itself. Other tasks, including tasks the holder starts,
    wait: a composed write runs its statements in its own task, one after another.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self._depth = 0

    @property
    def held(self) -> bool:
        return self._lock.locked()

    @contextlib.asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        """Hold the lock for the body; waits, first come first served, while another task has it."""
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        async with self._lock:
            self._owner, self._depth = task, 1
            try:
                yield
            finally:
                self._owner, self._depth = None, 0
