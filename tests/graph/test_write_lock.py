"""The graph write lock: one writer at a time, and a composed write never waits for itself."""

from __future__ import annotations

import asyncio

from graph.write_lock import WriteLock


async def test_writers_take_turns() -> None:
    # given
    lock, inside, most = WriteLock(), 0, 0

    async def write() -> None:
        nonlocal inside, most
        async with lock.hold():
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.001)
            inside -= 1

    # when
    await asyncio.gather(*(write() for _ in range(20)))

    # then
    assert most == 1
    assert not lock.held


async def test_a_composed_write_takes_the_lock_again_without_waiting_for_itself() -> None:
    # given a write of several statements, each of which takes the lock
    lock, statements = WriteLock(), []

    async def statement(n: int) -> None:
        async with lock.hold():
            statements.append(n)

    async def composed() -> None:
        async with lock.hold():
            for n in range(3):
                await statement(n)

    # when another writer is waiting too
    async def other() -> None:
        async with lock.hold():
            statements.append(-1)

    await asyncio.wait_for(asyncio.gather(composed(), other()), timeout=5)

    # then the composed write ran whole before the other one
    assert statements == [0, 1, 2, -1]
    assert not lock.held
