"""Starting an awaitable in the caller's own step, as Python 3.12's eager tasks do.

A shared feed's member writes each push with the ASGI server's `send`. Uvicorn's `send` for a
websocket only waits while the transport's write buffer is over its high-water mark (its
`pause_writing`); otherwise it frames the message and writes it to the transport without
suspending. Waking a writer task for that costs a task step and the loop's callbacks per push,
for 10,000 subscribers a push each (bench/README.md, fan-out). `start_eagerly` runs the send at
once instead; only one that does suspend is handed back, to be finished in a task.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine, Generator
from typing import Any


def start_eagerly(step: Awaitable[None]) -> Coroutine[Any, Any, None] | None:
    """Runs `step` in the caller's step up to where it first suspends. Returns None when it
    ended there, else a coroutine that runs the rest: await it in a task, or close it if it
    will not be (`step`, suspended, is then closed when collected). Raises what `step` raises
    before it first suspends.

    `step` must suspend only on asyncio futures (as uvicorn's `send` does, on an
    `asyncio.Event`) or on a bare yield (`asyncio.sleep(0)`), as a task requires. Up to there it
    runs as part of the caller's task, in the caller's context: `asyncio.current_task()`, a
    `ContextVar` it sets and a timeout or cancel scope it opens are the caller's. So a `send`
    that does any of those (a wrapper with a timeout, say) is no `step` for this."""
    steps = step.__await__()
    try:
        suspended_on = steps.send(None)
    except StopIteration:
        return None
    return _finish(steps, suspended_on)


async def _finish(steps: Generator[Any, None, None], suspended_on: Any) -> None:
    """Drives `steps`, suspended on `suspended_on`, to its end in the awaiting task: each future
    it suspends on is awaited here, and its outcome (a cancellation too) passed back in."""
    try:
        while True:
            try:
                await _wait_for(suspended_on)
            except BaseException as error:  # the step decides what an error ends, as in a task
                suspended_on = steps.throw(error)
            else:
                suspended_on = steps.send(None)
    except StopIteration:
        return
    finally:
        steps.close()


async def _wait_for(suspended_on: Any) -> None:
    """Awaits what a coroutine suspended on: an asyncio future, or None (a bare yield: one turn
    of the loop)."""
    if suspended_on is None:
        await asyncio.sleep(0)
    else:
        # the future is marked as yielded to a task, which clears the mark on taking it (as
        # `Task.__step` does); here nobody did, and awaiting it again would be refused
        suspended_on._asyncio_future_blocking = False
        await suspended_on
