"""The few steps of a graphql-ws client the websocket e2e tests share: open and be acknowledged,
read the next frame that is not a keep-alive, read the close code the server sent."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

WAIT_S = 10
TRANSPORT = "graphql-transport-ws"
LEGACY = "graphql-ws"
START = {TRANSPORT: "subscribe", LEGACY: "start"}
"""The message that starts an operation, per protocol."""


def ws_url(http_url: str) -> str:
    """The `/graphql` websocket address of a server at `http_url`."""
    return http_url.replace("http://", "ws://") + "/graphql"


async def opened(url: str, protocol: str, key: str | None = None) -> ClientConnection:
    """A socket to `url` (ws://…/graphql) speaking `protocol`, initialised and acknowledged."""
    headers = {"x-api-key": key} if key else {}
    ws = await connect(url, subprotocols=[protocol], additional_headers=headers, max_size=None)  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    return ws


async def next_frame(ws: ClientConnection) -> dict[str, Any]:
    """The next frame other than a legacy keep-alive, within WAIT_S."""
    async with asyncio.timeout(WAIT_S):
        while True:
            frame: dict[str, Any] = json.loads(await ws.recv(decode=True))
            if frame["type"] != "ka":
                return frame


async def closed_with(ws: ClientConnection) -> int | None:
    """The close code the server sent (None: the socket dropped without one)."""
    try:
        async with asyncio.timeout(WAIT_S):
            while True:
                await ws.recv()
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
