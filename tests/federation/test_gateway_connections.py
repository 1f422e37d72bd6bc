"""A client's websockets through Hive Gateway meet the merged server's connection rules: each
holds a seat at a subgraph's door (civicgraph/graphql_door/seat.py, gateway/scripts/seat.mjs),
so a bad key closes it 4401 at connect and one over the caller's connection limit closes 1013
with the merged server's reason, and a closed connection gives its seat back."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from civicgraph.auth import DoorPolicy
from civicgraph.graphql_door.websockets import MAX_OPERATION_ID_CHARS
from civicgraph.settings import Settings
from tests.e2e.websocket_client import TRANSPORT, WAIT_S, next_frame, opened, ws_url
from tests.federation.conftest import CHECKER, Doors

LIMIT = 2
CLIENT = {"x-forwarded-for": "198.51.100.62"}


@contextlib.contextmanager
def public_connections(doors: Doors, limit: int) -> Iterator[None]:
    """At most `limit` public websockets per client IP on the merged server and at CHECKER
    (whose door seats Hive's clients) for the block, then as before."""
    policies: list[DoorPolicy] = [doors.policies["merged"], doors.policies[CHECKER]]
    before = [policy.connections.public.limit for policy in policies]
    for policy in policies:
        policy.connections.public.limit = limit
    try:
        yield
    finally:
        for policy, was in zip(policies, before, strict=True):
            policy.connections.public.limit = was


@contextlib.asynccontextmanager
async def upgraded(base: str, headers: dict[str, str]) -> AsyncIterator[ClientConnection]:
    """A websocket to `base`'s /graphql with `headers` on its upgrade, not yet initialised."""
    async with connect(
        ws_url(base),
        subprotocols=[TRANSPORT],  # type: ignore[list-item]
        additional_headers=headers,
    ) as ws:
        yield ws


async def close_of(ws: ClientConnection) -> tuple[int, str] | None:
    """The close code and reason the server sent (None: it did not close within WAIT_S)."""
    try:
        async with asyncio.timeout(WAIT_S):
            while True:
                await ws.recv()
    except TimeoutError:
        return None
    except ConnectionClosed as closed:
        return (closed.rcvd.code, closed.rcvd.reason) if closed.rcvd else None


async def close_after(base: str, message: str) -> tuple[int, str] | None:
    """The close code and reason `base`'s /graphql sends after `message` on an initialised
    graphql-transport-ws socket (None: it did not close within WAIT_S)."""
    ws = await opened(ws_url(base), TRANSPORT)
    try:
        await ws.send(message)
        return await close_of(ws)
    finally:
        await ws.close()


@pytest.mark.parametrize("door", ["merged", "hive"])
async def test_a_websocket_over_the_connection_limit_closes_1013_with_the_reason(
    doors: Doors, door: str
) -> None:
    client = {"x-forwarded-for": f"198.51.100.{60 + (door == 'hive')}"}
    base = getattr(doors, door)
    with public_connections(doors, LIMIT):
        async with contextlib.AsyncExitStack() as held:
            # given a client holding its LIMIT connections, each acknowledged
            for _ in range(LIMIT):
                ws = await held.enter_async_context(upgraded(base, client))
                await ws.send('{"type": "connection_init", "payload": {}}')
                assert '"connection_ack"' in str(await ws.recv())

            # when it opens one more, that one is closed with the merged server's code and reason
            async with upgraded(base, client) as extra:
                assert await close_of(extra) == (
                    1013,
                    f"at most {LIMIT} concurrent websocket connections per client",
                )

            # and another client is not affected
            other = await opened(ws_url(base), TRANSPORT)
            await other.close()

        # then once its connections are closed, the client connects again
        again = await opened(ws_url(base), TRANSPORT)
        await again.close()


async def test_a_bad_key_closes_a_websocket_through_hive_4401_at_connect(doors: Doors) -> None:
    closes = []
    for base in (doors.merged, doors.hive):
        # from a client address of its own (a bad key counts against its failed-key budget)
        async with upgraded(base, {"x-api-key": "no-such-key", **CLIENT}) as ws:
            closes.append(await close_of(ws))
    assert closes == [(4401, "unknown or revoked API key")] * 2


async def test_an_unknown_subprotocol_is_refused_through_hive_as_on_the_merged_server(
    doors: Doors,
) -> None:
    outcomes = []
    for base in (doors.merged, doors.hive):
        try:
            async with connect(
                ws_url(base),
                subprotocols=["not-graphql"],  # type: ignore[list-item]
                additional_headers={"x-forwarded-for": "198.51.100.63"},
            ) as ws:
                outcomes.append(("open", ws.subprotocol, await close_of(ws)))
        except InvalidHandshake as refused:
            outcomes.append(("refused", type(refused).__name__, None))
    assert outcomes[1] == outcomes[0], outcomes


@pytest.mark.parametrize("door", ["merged", "hive"])
async def test_a_websocket_message_over_the_limit_closes_the_socket_unread(
    doors: Doors, settings: Settings, door: str
) -> None:
    # given a connection_init of one byte over the merged server's message limit
    over = settings.graphql_max_ws_message_bytes + 1
    padding = " " * (over - len('{"type": "connection_init", "payload": {}}'))
    message = '{"type": "connection_init", "payload": {}' + padding + "}"
    base = getattr(doors, door)
    async with upgraded(base, {"x-forwarded-for": "198.51.100.64"}) as ws:
        await ws.send(message)
        # then the socket is closed: 4400 by the merged server, 1009 (message too big) by the
        # websocket library under Hive Gateway, before the message is read whole
        assert (await close_of(ws) or (0, ""))[0] == (4400 if door == "merged" else 1009)
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{base}/healthz")).status_code == 200


@pytest.mark.parametrize("door", ["merged", "hive"])
async def test_a_websocket_message_nesting_too_deep_closes_4400(
    doors: Doors, settings: Settings, door: str
) -> None:
    # given a subscribe whose variables nest 5,000 levels, well under the size limit
    deep = "[" * 5000 + "]" * 5000
    subscribe = (
        '{"id": "1", "type": "subscribe", "payload": {"query": "subscription { alerts { id } }", '
        f'"variables": {{"a": {deep}}}}}}}'
    )
    assert len(subscribe) < settings.graphql_max_ws_message_bytes
    closed = await close_after(getattr(doors, door), subscribe)
    # then the socket is closed 4400, as a client's mistake, never an internal error
    assert closed is not None
    assert closed[0] == 4400, closed


@pytest.mark.parametrize("door", ["merged", "hive"])
async def test_a_subscribe_with_an_over_long_id_closes_4400(doors: Doors, door: str) -> None:
    # given a subscribe whose id is one character over the limit (every push would repeat it)
    long_id = "i" * (MAX_OPERATION_ID_CHARS + 1)
    subscribe = (
        f'{{"id": "{long_id}", "type": "subscribe",'
        ' "payload": {"query": "subscription { alerts { id } }"}}'
    )
    closed = await close_after(getattr(doors, door), subscribe)
    # then the socket is closed 4400 with the merged server's reason, through Hive as well
    assert closed == (4400, f"a subscribe's `id` is at most {MAX_OPERATION_ID_CHARS} characters")


@pytest.mark.parametrize("door", ["merged", "hive"])
async def test_an_id_of_the_longest_length_in_emoji_runs_through_both(
    doors: Doors, door: str
) -> None:
    # given an id of exactly the limit in characters, each an emoji (two UTF-16 units in the
    # gateway's JavaScript, one character to the merged server)
    longest = "\N{GRINNING FACE}" * MAX_OPERATION_ID_CHARS
    ws = await opened(ws_url(getattr(doors, door)), TRANSPORT)
    try:
        await ws.send(
            json.dumps({"id": longest, "type": "subscribe", "payload": {"query": "{ __typename }"}})
        )
        answered = await next_frame(ws)
    finally:
        await ws.close()
    # then it runs and its answer comes back under that id, through Hive as on the merged server
    assert answered["type"] == "next", answered
    assert answered["id"] == longest
