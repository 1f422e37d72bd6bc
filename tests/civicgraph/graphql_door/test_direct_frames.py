"""A push's frame written straight to uvicorn's socket arrives as the text sent through ASGI
would; where every frame may not be the same bytes (per-message compression), or the socket
cannot take it now, the writer declines and ASGI's `send` is used
(civicgraph/graphql_door/direct_frames.py). Real uvicorn, real `websockets` client."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import connect
from websockets.frames import Frame

from civicgraph.graphql_door.direct_frames import OutgoingText, frame_writer

TEXT = '{"type":"next","id":"1","payload":{"data":{"gu":"강남구","µg/m³":41.3}}}'


class App:
    """Accepts a websocket, then writes TEXT directly if it can, else through `send`."""

    def __init__(self) -> None:
        self.written_directly: list[bool] = []
        self.pause = False

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        await receive()
        await send({"type": "websocket.accept"})
        write = frame_writer(send)
        assert write is not None  # uvicorn's own protocol
        outgoing = OutgoingText(TEXT)
        if self.pause:
            send.__self__.pause_writing()  # the transport's buffer over its high mark
        written = write(outgoing.frame())
        self.written_directly.append(written)
        if self.pause:
            send.__self__.resume_writing()
        if not written:
            await send(outgoing.message)
        await receive()  # the client leaves


@asynccontextmanager
async def served(app: App) -> AsyncIterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()  # a client's connection waits in the backlog until the server is up
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield f"ws://127.0.0.1:{sock.getsockname()[1]}/"
    finally:
        server.should_exit = True
        await task


@pytest.mark.parametrize(
    ("compression", "pause", "direct"),
    [(None, False, True), ("deflate", False, False), (None, True, False)],
    ids=["plain", "compressed", "socket full"],
)
async def test_the_client_reads_the_same_text_either_way(
    compression: str | None, pause: bool, direct: bool
) -> None:
    app = App()
    app.pause = pause
    async with served(app) as url, connect(url, compression=compression) as client:
        assert await asyncio.wait_for(client.recv(), 5) == TEXT
    assert app.written_directly == [direct]


def test_a_frame_is_the_text_whole_and_unmasked_built_once() -> None:
    outgoing = OutgoingText(TEXT)
    frame = outgoing.frame()
    assert outgoing.frame() is frame  # one per push, whatever the members
    parsing = Frame.parse(_reader(frame), mask=False)
    with pytest.raises(StopIteration) as ended:
        next(parsing)
    parsed = ended.value.value
    assert (parsed.fin, parsed.data.decode()) == (True, TEXT)


def test_another_servers_send_has_no_writer() -> None:
    async def send(message: dict[str, Any]) -> None:
        pass

    assert frame_writer(send) is None


def _reader(data: bytes) -> Any:
    """A `read_exact` generator over `data`, as websockets' parser asks for bytes."""

    def read_exact(n: int) -> Any:
        nonlocal data
        chunk, data = data[:n], data[n:]
        return chunk
        yield  # a generator, as the parser expects

    return read_exact
