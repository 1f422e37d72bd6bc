"""Real servers for end-to-end tests: uvicorn on a free loopback port, in the test's loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import ClassVar

import pytest
import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from civicgraph.serving import KEEP_ALIVE_S


class SendsSeen:
    """A middleware to place inside an app's chain: every websocket message sent through it, as
    (type, text) in `SendsSeen.sent` (text "" but for a text frame). Reset `sent` per test."""

    sent: ClassVar[list[tuple[str, str]]] = []

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            SendsSeen.sent.append((message["type"], message.get("text") or ""))
            await send(message)

        await self.app(scope, receive, sending)


@contextlib.asynccontextmanager
async def serving(
    app: object, lifespan: str = "off", send_buffer: int | None = None
) -> AsyncIterator[str]:
    """Serve `app` until the block ends; yields its http:// base URL.

    `send_buffer` fixes the kernel send buffer of every accepted connection (they inherit it
    from the listening socket), so that a client that stops reading backs up quickly.
    """
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if send_buffer is not None:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
    listener.bind(("127.0.0.1", 0))
    port = int(listener.getsockname()[1])
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        lifespan=lifespan,
        log_level="warning",
        timeout_keep_alive=KEEP_ALIVE_S,  # as `civicgraph serve`: the gateways close first
    )
    running = uvicorn.Server(config)
    task = asyncio.create_task(running.serve(sockets=[listener]))
    while not running.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        await task


@pytest.fixture
async def server(app: object) -> AsyncIterator[str]:
    """The session's app (seeded embedded stores, simulator off) behind a real uvicorn."""
    async with serving(app) as url:
        yield url
