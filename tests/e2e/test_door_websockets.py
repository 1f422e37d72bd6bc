"""Websockets at the door: keys, connection and subscription limits, operations metered.

A real uvicorn serves an app of its own with small limits; clients speak graphql-transport-ws
(and the legacy graphql-ws where it differs) with the `websockets` library.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from civicgraph.auth import DoorPolicy
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from graph.records.api_keys import Tier
from tests.civicgraph.door import door_app
from tests.e2e.conftest import serving

ALERTS = "subscription { alerts { id } }"
WAIT_S = 20


@pytest.fixture
async def small(settings: Settings, stores: Stores) -> AsyncIterator[tuple[str, Starlette]]:
    limits = {
        "ws_connections_public": 2,
        "ws_connections_per_key": 3,
        "subscriptions_public": 2,
        "subscriptions_per_key": 3,
        "rate_limit_public": "1000/day",
    }
    async with door_app(settings, stores, **limits) as app, serving(app) as url:
        yield url.replace("http://", "ws://") + "/graphql", app


async def opened(
    url: str, key: str | None = None, protocol: str = "graphql-transport-ws", **headers: str
) -> ClientConnection:
    if key is not None:
        headers["x-api-key"] = key
    ws = await connect(url, subprotocols=[protocol], additional_headers=headers)  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init"}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    return ws


async def closed_with(ws: ClientConnection) -> tuple[int | None, str]:
    try:
        async with asyncio.timeout(WAIT_S):
            while True:
                await ws.recv()
    except ConnectionClosed as closed:
        frame = closed.rcvd
        return (frame.code, frame.reason) if frame else (None, "")


async def subscribe(ws: ClientConnection, operation: str) -> None:
    payload = {"query": ALERTS}
    await ws.send(json.dumps({"id": operation, "type": "subscribe", "payload": payload}))


async def answer(ws: ClientConnection) -> dict[str, Any]:
    async with asyncio.timeout(WAIT_S):
        message: dict[str, Any] = json.loads(await ws.recv())
        return message


async def settled(door: DoorPolicy, expected: int) -> None:
    """Waits until the slots held in the server equal `expected` (clean-up is asynchronous)."""
    async with asyncio.timeout(WAIT_S):
        while _held(door) != expected:  # noqa: ASYNC110 - the slots offer no event to wait on
            await asyncio.sleep(0.05)


def _held(door: DoorPolicy) -> int:
    pools = (door.connections, door.subscriptions)
    return sum(p.public.total() + p.keyed.total() for p in pools)


async def test_connections_over_the_limit_are_closed_1013_and_freed_on_close(
    small: tuple[str, Starlette],
) -> None:
    url, app = small
    first, second = await opened(url), await opened(url)
    third = await connect(url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    code, reason = await closed_with(third)
    assert code == 1013
    assert "websocket connections" in reason
    await first.close()
    await settled(app.state.door, 1)
    again = await opened(url)  # the closed one's slot is free again
    await again.close()
    await second.close()
    await settled(app.state.door, 0)


async def test_a_key_has_its_own_connection_limit(
    small: tuple[str, Starlette], keys: dict[Tier, str]
) -> None:
    url, app = small
    public = [await opened(url), await opened(url)]
    keyed = [await opened(url, keys[Tier.DEVELOPER]) for _ in range(3)]
    fourth = await connect(
        url,
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        additional_headers={"x-api-key": keys[Tier.DEVELOPER]},
    )
    assert (await closed_with(fourth))[0] == 1013
    for ws in public + keyed:
        await ws.close()
    await settled(app.state.door, 0)


async def test_subscriptions_over_the_limit_get_an_error_and_slots_come_back(
    small: tuple[str, Starlette],
) -> None:
    url, app = small
    ws = await opened(url)
    await subscribe(ws, "a")
    await subscribe(ws, "b")
    await settled(app.state.door, 3)  # the connection and two subscriptions
    await subscribe(ws, "c")
    refused = await answer(ws)
    assert refused["type"] == "error"
    assert refused["id"] == "c"
    assert refused["payload"][0]["extensions"]["code"] == "too_many_subscriptions"
    # completing one gives its slot back; the socket stayed open for the others
    await ws.send(json.dumps({"id": "a", "type": "complete"}))
    await settled(app.state.door, 2)
    await subscribe(ws, "d")
    await settled(app.state.door, 3)
    # closing the socket gives every slot back
    await ws.close()
    await settled(app.state.door, 0)


async def test_many_opened_and_closed_subscriptions_leave_no_slot_held(
    small: tuple[str, Starlette], keys: dict[Tier, str]
) -> None:
    url, app = small
    for round_ in range(15):
        ws = await opened(url, keys[Tier.ANALYST])
        for n in range(3):
            await subscribe(ws, f"{round_}-{n}")
        if round_ % 2:
            await ws.send(json.dumps({"id": f"{round_}-0", "type": "complete"}))
        await ws.close()
    await settled(app.state.door, 0)


async def test_legacy_protocol_subscriptions_are_limited_too(
    small: tuple[str, Starlette],
) -> None:
    url, app = small
    ws = await connect(url, subprotocols=["graphql-ws"])  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init"}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    for operation in ("1", "2", "3"):
        start = {"id": operation, "type": "start", "payload": {"query": ALERTS}}
        await ws.send(json.dumps(start))
    refused = await answer(ws)
    while refused["type"] == "ka":
        refused = await answer(ws)
    assert refused["id"] == "3"
    assert "too_many_subscriptions" in json.dumps(refused["payload"])
    await ws.close()
    await settled(app.state.door, 0)


@pytest.mark.parametrize(
    "headers",
    [
        {"x-api-key": "garbage", "authorization": "Bearer {good}"},
        {"authorization": "Basic dXNlcjpwYXNz"},
        {"x-api-key": "cg_00000000_" + "A" * 43},
    ],
    ids=["conflicting", "basic", "unknown"],
)
async def test_bad_keys_close_4401(
    small: tuple[str, Starlette], keys: dict[Tier, str], headers: dict[str, str]
) -> None:
    url, _ = small
    sent = {name: value.format(good=keys[Tier.DEVELOPER]) for name, value in headers.items()}
    ws = await connect(url, subprotocols=["graphql-transport-ws"], additional_headers=sent)  # type: ignore[list-item]
    assert ws.subprotocol == "graphql-transport-ws"
    code, reason = await closed_with(ws)
    assert code == 4401
    assert reason


async def test_operations_over_a_socket_count_against_the_quota(
    settings: Settings, stores: Stores
) -> None:
    # given a quota of 3: the handshake takes one, two operations are served
    async with door_app(settings, stores, rate_limit_public="3/day") as app, serving(app) as url:
        ws = await opened(url.replace("http://", "ws://") + "/graphql")
        for operation in ("1", "2", "3"):
            query = {"query": "{ districts(level: GU) { code } }"}
            await ws.send(json.dumps({"id": operation, "type": "subscribe", "payload": query}))
        answers = {}
        while len(answers) < 3:
            message = await answer(ws)
            if message["type"] in ("next", "error"):
                answers[message["id"]] = message
        # and a new handshake over the quota is closed 1013
        try:
            late = await connect(url.replace("http://", "ws://") + "/graphql")
        except InvalidStatus as error:  # pragma: no cover - the door accepts, then closes
            pytest.fail(f"the handshake was refused instead of closed: {error}")
        assert (await closed_with(late))[0] == 1013
        await ws.close()
    assert [answers[i]["type"] for i in ("1", "2", "3")] == ["next", "next", "error"]
    assert answers["3"]["payload"][0]["extensions"]["code"] == "rate_limited"
