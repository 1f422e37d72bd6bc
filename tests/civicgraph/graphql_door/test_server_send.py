"""Shared feeds' frames go out with the server's own `send`; everything else passes the chain."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket
from websockets.asyncio.client import connect

from civicgraph.graphql_door.server_send import ServerSendMiddleware, frame_send
from tests.e2e.conftest import SendsSeen, serving


async def writes_a_frame(websocket: WebSocket) -> None:
    await websocket.accept()
    await frame_send(websocket)({"type": "websocket.send", "text": "a push"})
    await websocket.close()


def app_with(*middleware: Middleware) -> Starlette:
    return Starlette(routes=[WebSocketRoute("/ws", writes_a_frame)], middleware=list(middleware))


async def one_message(app: Starlette) -> str | bytes:
    async with serving(app) as base, connect(base.replace("http", "ws", 1) + "/ws") as websocket:
        return await websocket.recv()


async def test_a_frame_skips_the_chain_that_still_sees_the_accept_and_the_close() -> None:
    SendsSeen.sent = []
    app = app_with(Middleware(ServerSendMiddleware), Middleware(SendsSeen))
    assert await one_message(app) == "a push"
    assert [kind for kind, _ in SendsSeen.sent] == ["websocket.accept", "websocket.close"]


async def test_without_the_middleware_a_frame_goes_through_the_websocket_s_checked_send() -> None:
    SendsSeen.sent = []
    assert await one_message(app_with(Middleware(SendsSeen))) == "a push"
    assert [kind for kind, _ in SendsSeen.sent] == [
        "websocket.accept",
        "websocket.send",
        "websocket.close",
    ]


def test_the_app_keeps_the_server_s_send_first_of_its_middleware(app: Starlette) -> None:
    # outermost: every wrapper of `send` the app has is between it and the websocket
    assert app.user_middleware[0].cls is ServerSendMiddleware  # type: ignore[comparison-overlap]
