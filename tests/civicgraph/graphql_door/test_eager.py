"""`start_eagerly`: a send that need not wait ends in the caller's step; one that must wait is
finished in a task, with what it waited for (a result, an error, a cancellation) passed in."""

from __future__ import annotations

import asyncio
import gc

import pytest

from civicgraph.graphql_door.eager import start_eagerly


class Socket:
    """A stand-in for uvicorn's websocket `send`: writes at once while writable, else waits on
    an `asyncio.Event` as uvicorn does."""

    def __init__(self) -> None:
        self.writable = asyncio.Event()
        self.writable.set()
        self.written: list[str] = []
        self.cleaned_up = False

    async def send(self, text: str) -> None:
        try:
            await self.writable.wait()
            await asyncio.sleep(0)  # a bare yield on the way, as some sends have
            self.written.append(text)
        finally:
            self.cleaned_up = True

    async def fail(self) -> None:
        raise ConnectionResetError("the client went")


async def test_a_send_that_need_not_wait_ends_in_the_callers_step() -> None:
    socket = Socket()

    async def no_wait(text: str) -> None:
        await socket.writable.wait()
        socket.written.append(text)

    assert start_eagerly(no_wait("a")) is None
    assert socket.written == ["a"]  # no task step in between


async def test_a_send_that_waits_is_finished_by_whoever_awaits_the_rest() -> None:
    socket = Socket()
    socket.writable.clear()
    rest = start_eagerly(socket.send("a"))
    assert rest is not None
    assert socket.written == []
    finishing = asyncio.create_task(rest)
    await asyncio.sleep(0.01)
    assert not finishing.done()
    socket.writable.set()
    await asyncio.wait_for(finishing, 1)
    assert socket.written == ["a"]
    assert socket.cleaned_up


async def test_an_error_before_the_first_wait_is_the_callers() -> None:
    with pytest.raises(ConnectionResetError):
        start_eagerly(Socket().fail())


async def test_cancelling_the_rest_is_passed_into_the_send() -> None:
    socket = Socket()
    socket.writable.clear()
    rest = start_eagerly(socket.send("a"))
    assert rest is not None
    finishing = asyncio.create_task(rest)
    await asyncio.sleep(0.01)
    finishing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await finishing
    assert socket.cleaned_up  # the send's own `finally` ran
    assert socket.written == []


async def test_an_error_of_what_it_waited_for_is_raised_inside_the_send() -> None:
    loop = asyncio.get_running_loop()
    future: asyncio.Future[None] = loop.create_future()
    seen: list[BaseException] = []

    async def waits() -> None:
        try:
            await future
        except LookupError as error:
            seen.append(error)

    rest = start_eagerly(waits())
    assert rest is not None
    future.set_exception(LookupError("gone"))
    await rest
    assert [str(error) for error in seen] == ["gone"]


async def test_the_rest_closed_unawaited_ends_the_send_without_a_warning(
    recwarn: pytest.WarningsRecorder,
) -> None:
    socket = Socket()
    socket.writable.clear()
    rest = start_eagerly(socket.send("a"))
    assert rest is not None
    rest.close()
    del rest
    gc.collect()
    assert socket.cleaned_up  # the suspended send was closed: its `finally` ran
    assert socket.written == []
    assert not [w for w in recwarn if "never awaited" in str(w.message)]
