"""A gateway client's seat at the door: the websocket at `/graphql/check` on a subgraph server.

A federation gateway that carries subscriptions (Hive Gateway) opens one seat for each websocket
a client opens to it, with the client's key headers and X-Forwarded-For, and holds it exactly as
long as the client's connection. The door (civicgraph/auth.py `TierMiddleware`) treats the seat
as the merged server treats a client's websocket: a bad key closes it 4401, the connection
counts against the caller's quota and holds one of the caller's connection slots
(`CIVIC_WS_CONNECTIONS_PUBLIC` per IP, `CIVIC_WS_CONNECTIONS_PER_KEY` per key), over which it
closes 1013 with the reason. The gateway closes its client's websocket with the same code and
reason, so a client through the gateway meets the merged server's connection limits
(docs/federation.md, "The operation check").

Protocol: the gateway asks for no subprotocol; the seat sends one text message `ADMITTED` once
the door let it in, then waits for the gateway to close it. It takes no message: one closes it
4400.
"""

from __future__ import annotations

from starlette.websockets import WebSocket

ADMITTED = "admitted"
"""The one message a seat sends: the door admitted the connection."""
CLOSE_BAD_REQUEST = 4400


async def connection_seat(websocket: WebSocket) -> None:
    """Websocket endpoint: hold one connection slot until the gateway closes the seat."""
    await websocket.accept()
    await websocket.send_text(ADMITTED)
    message = await websocket.receive()
    if message["type"] == "websocket.receive":
        await websocket.close(CLOSE_BAD_REQUEST, "a connection seat takes no messages")
