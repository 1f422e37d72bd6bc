"""The seat at `/graphql/check` (a websocket a gateway holds for each client connection) meets
the merged server's websocket door: admitted with one message while the caller has a connection
slot, closed 1013 with the reason over the limit, 4401 for a bad key; it takes no message."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from civicgraph.app import create_app
from civicgraph.graphql_door.seat import ADMITTED
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from tests.civicgraph.door import DEFAULT_LIMITS
from tests.e2e.conftest import serving

WAIT_S = 10


@contextlib.asynccontextmanager
async def seat_server(settings: Settings, stores: Stores) -> AsyncIterator[str]:
    """The `city` subgraph app with the shipped door limits and one public websocket per IP:
    the ws:// URL of its seat."""
    limits = {**DEFAULT_LIMITS, "ws_connections_public": 1}
    app = create_app(settings.model_copy(update=limits), stores, subgraph="city")
    async with app.router.lifespan_context(app), serving(app) as url:
        yield url.replace("http://", "ws://") + "/graphql/check"


@contextlib.asynccontextmanager
async def seat(url: str, headers: dict[str, str] | None = None) -> AsyncIterator[ClientConnection]:
    async with connect(url, additional_headers=headers or {}) as ws:
        yield ws


async def received_until_closed(ws: ClientConnection) -> None:
    async with asyncio.timeout(WAIT_S):
        while True:
            await ws.recv()


async def closed(ws: ClientConnection) -> tuple[int, str]:
    """The close code and reason the seat sent."""
    with pytest.raises(ConnectionClosed) as raised:
        await received_until_closed(ws)
    assert raised.value.rcvd is not None
    return raised.value.rcvd.code, raised.value.rcvd.reason


async def test_a_seat_holds_one_connection_slot_until_it_closes(
    settings: Settings, stores: Stores
) -> None:
    async with seat_server(settings, stores) as url:
        # given a client holding its one websocket slot through a seat
        async with seat(url) as first:
            assert await first.recv() == ADMITTED

            # then a second seat of the same client is closed as the merged server closes it
            async with seat(url) as second:
                assert await closed(second) == (
                    1013,
                    "at most 1 concurrent websocket connections per client",
                )

        # and once the first seat is closed, the client is admitted again
        async with seat(url) as again:
            assert await again.recv() == ADMITTED


async def test_a_seat_refuses_a_bad_key_4401(settings: Settings, stores: Stores) -> None:
    async with seat_server(settings, stores) as url, seat(url, {"x-api-key": "nope"}) as ws:
        assert await closed(ws) == (4401, "unknown or revoked API key")


async def test_a_seat_takes_no_message(settings: Settings, stores: Stores) -> None:
    async with seat_server(settings, stores) as url, seat(url) as ws:
        assert await ws.recv() == ADMITTED
        await ws.send('{"type": "connection_init"}')
        assert await closed(ws) == (4400, "a connection seat takes no messages")
