"""A push's frame written straight to uvicorn's socket arrives as the text sent through ASGI
would; where every frame may not be the same bytes (per-message compression), or the socket
cannot take it now, the writer declines and ASGI's `send` is used
(civicgraph/graphql_door/direct_frames.py); once the app closes the socket, its CloseWatch says
so before the close frame goes (server_send.py). Real uvicorn, real `websockets` client."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame

from civicgraph.graphql_door.direct_frames import OutgoingText, direct_transport, write_frame
from civicgraph.graphql_door.server_send import ServerSendMiddleware, close_watch, frame_send

TEXT = '{"type":"next","id":"1","payload":{"data":{"gu":"강남구","µg/m³":41.3}}}'
FILLER = "x" * 16_000_000
"""More than loopback's socket buffers hold: while the client reads nothing, the rest waits in
the transport's buffer."""


class App:
    """Accepts a websocket, then writes TEXT directly if it can, else through `send`."""

    def __init__(self) -> None:
        self.written_directly: list[bool] = []
        self.fill = False

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        await receive()
        await send({"type": "websocket.accept"})
        transport = direct_transport(send)
        outgoing = OutgoingText(TEXT)
        if self.fill:
            await send({"type": "websocket.send", "text": FILLER})
            assert transport is not None
            assert transport.get_write_buffer_size() > 0
        written = transport is not None and write_frame(transport, outgoing.frame())
        self.written_directly.append(written)
        if not written:
            await send(outgoing.message)
        await receive()  # the client leaves


@asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
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
    ("compression", "fill", "direct"),
    [(None, False, True), ("deflate", False, False), (None, True, False)],
    ids=["plain", "compressed", "socket full"],
)
async def test_the_client_reads_the_same_text_either_way(
    compression: str | None, fill: bool, direct: bool
) -> None:
    app = App()
    app.fill = fill
    async with served(app) as url, connect(url, compression=compression, max_size=None) as client:
        if fill:
            assert await asyncio.wait_for(client.recv(), 10) == FILLER
        assert await asyncio.wait_for(client.recv(), 5) == TEXT
    assert app.written_directly == [direct]


async def test_the_close_watch_hears_the_app_close_before_the_close_frame_goes() -> None:
    heard: list[bool] = []  # whether the transport was still open when the watch told

    async def closes(websocket: WebSocket) -> None:
        await websocket.accept()
        transport = direct_transport(frame_send(websocket))
        watch = close_watch(websocket)
        assert transport is not None
        assert watch is not None
        watch.add(lambda: heard.append(write_frame(transport, OutgoingText(TEXT).frame())))
        await websocket.close(4000, "done")
        assert watch.closing
        late: list[str] = []
        watch.add(lambda: late.append("told at once"))
        assert late == ["told at once"]

    app = Starlette(
        routes=[WebSocketRoute("/", closes)], middleware=[Middleware(ServerSendMiddleware)]
    )
    async with served(app) as url, connect(url, compression=None) as client:
        assert await asyncio.wait_for(client.recv(), 5) == TEXT  # written as the watch told
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(client.recv(), 5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4000
    assert heard == [True]


async def test_once_the_client_has_gone_the_writer_declines() -> None:
    declined: list[bool] = []

    async def waits_for_the_client_to_leave(websocket: WebSocket) -> None:
        await websocket.accept()
        transport = direct_transport(frame_send(websocket))
        assert transport is not None
        assert (await websocket.receive())["type"] == "websocket.disconnect"
        declined.append(not write_frame(transport, OutgoingText(TEXT).frame()))

    app = Starlette(
        routes=[WebSocketRoute("/", waits_for_the_client_to_leave)],
        middleware=[Middleware(ServerSendMiddleware)],
    )
    async with served(app) as url:
        async with connect(url, compression=None):
            pass
        for _ in range(50):
            if declined:
                break
            await asyncio.sleep(0.05)
    assert declined == [True]


def test_a_frame_is_the_text_whole_and_unmasked_built_once() -> None:
    outgoing = OutgoingText(TEXT)
    frame = outgoing.frame()
    assert outgoing.frame() is frame  # one per push, whatever the members
    parsing = Frame.parse(_reader(frame), mask=False)
    with pytest.raises(StopIteration) as ended:
        next(parsing)
    parsed = ended.value.value
    assert (parsed.fin, parsed.data.decode()) == (True, TEXT)


def test_another_servers_send_has_no_transport() -> None:
    async def send(message: dict[str, Any]) -> None:
        pass

    assert direct_transport(send) is None


def _reader(data: bytes) -> Any:
    """A `read_exact` generator over `data`, as websockets' parser asks for bytes."""

    def read_exact(n: int) -> Any:
        nonlocal data
        chunk, data = data[:n], data[n:]
        return chunk
        yield  # a generator, as the parser expects

    return read_exact
