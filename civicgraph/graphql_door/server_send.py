"""The server's own `send` of a websocket, for the frames of shared feeds.

A member of a shared feed (civicgraph/graphql_door/shared_feeds.py) writes one frame per push.
Through the app's middleware each frame passed three `send` wrappers: the outage door's, Starlette's
exception middleware's and its `WebSocket` state check. None of them acts on a
`websocket.send`: they watch for the accept, the close, or an HTTP response's start. At 10,000
subscribers at 10x the S-DoT rate they took 12 % of the server's CPU (bench/README.md, fan-out).

`ServerSendMiddleware`, the outermost of the app's middleware, keeps the server's `send` in the
scope of each websocket. Members write their `websocket.send` messages with it; the accept, the
close and every other message still pass the whole chain. Uvicorn's `send` keeps its flow control
(it waits while the socket's buffer is full) and refuses a message after the close or the
client's disconnect, as Starlette's check did. A middleware that must see every frame sent
(bytes out, egress limits) has to go before this one in the app's list: inside the chain it sees
no push (tests/e2e/test_shared_feeds.py checks which frames the chain sees).

It also keeps a `CloseWatch` per websocket, told of the app's `websocket.close` as it goes out:
members that write their frames straight to the transport (direct_frames.py) stop there.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket

SERVER_SEND = "civicgraph.server_send"
"""Key in a websocket's scope of the ASGI server's `send`, as the outermost middleware saw it."""
CLOSE_WATCH = "civicgraph.close_watch"
"""Key in a websocket's scope of its `CloseWatch`."""


class CloseWatch:
    """Tells who asked, in the app's own step, that the app is closing one websocket: once its
    close frame is sent no data frame may follow (RFC 6455 §5.5.1), and a member writing frames
    straight to the transport (direct_frames.py) would not see the close go by otherwise."""

    def __init__(self) -> None:
        self.closing = False
        self._listeners: set[Callable[[], None]] = set()

    def add(self, listener: Callable[[], None]) -> None:
        """Calls `listener` once the app sends `websocket.close` (at once if it has)."""
        if self.closing:
            listener()
        else:
            self._listeners.add(listener)

    def discard(self, listener: Callable[[], None]) -> None:
        self._listeners.discard(listener)

    def close(self) -> None:
        self.closing = True
        listeners, self._listeners = self._listeners, set()
        for listener in listeners:
            listener()


class ServerSendMiddleware:
    """Keeps the server's `send` in each websocket's scope under SERVER_SEND, and a CloseWatch
    told of the app's `websocket.close` before the server sends it, under CLOSE_WATCH."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        scope[SERVER_SEND] = send
        watch = scope[CLOSE_WATCH] = CloseWatch()

        async def watched(message: Message) -> None:
            if message["type"] == "websocket.close":
                watch.close()
            await send(message)

        await self.app(scope, receive, watched)


def close_watch(websocket: WebSocket) -> CloseWatch | None:
    """The CloseWatch of `websocket`, when the app runs under ServerSendMiddleware."""
    watch: CloseWatch | None = websocket.scope.get(CLOSE_WATCH)
    return watch


def frame_send(websocket: WebSocket) -> Send:
    """The `send` for `websocket.send` messages of `websocket`: the server's own when the app
    runs under ServerSendMiddleware, else the websocket's (checked) `send`."""
    send: Send | None = websocket.scope.get(SERVER_SEND)
    return send if send is not None else websocket.send
