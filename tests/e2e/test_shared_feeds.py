"""Live-only subscribers asking the same share one stream, and each still gets what it would
get on its own: every event in order, in its protocol's own frames, under its own operation id;
a stalled one cut off with 1013 and where to resume, the others untouched; a whole batch for a
fast one; the group gone with its last member (civicgraph/graphql_door/shared_feeds.py).

The clients and kernel buffers are those of test_back_pressure (which covers subscribers
resuming with `after`, who run their own stream); here nobody sends `after` until it resumes.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from websockets.asyncio.client import ClientConnection, connect

from civicgraph.app import create_app
from civicgraph.graphql_door.shared_feeds import SharedFeeds
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from resolvers.core.shared_events import SharedEventExecutor
from subscriptions.live import CLOSE_TOO_SLOW, Live
from tests.e2e.conftest import SendsSeen, serving
from tests.e2e.test_back_pressure import (
    QUERY,
    QUEUE,
    SENSOR,
    WAIT_S,
    arrives_whole,
    collect,
    drain,
    resume_id,
    send_readings,
    subscribe,
)

CLIENTS = 50
EVENTS = 300
ROUNDS = 20


@pytest.fixture
async def server(
    settings: Settings, stores: Stores
) -> AsyncIterator[tuple[str, Live, SharedFeeds]]:
    app: Starlette = create_app(settings.model_copy(update={"subscriber_queue": QUEUE}), stores)
    async with serving(app, lifespan="on", send_buffer=8192) as url:
        yield url.replace("http://", "ws://") + "/graphql", app.state.live, app.state.shared_feeds


async def live_only(url: str, *, legacy: bool = False, op: str = "1") -> ClientConnection:
    """A client subscribed to the gu's readings without `after`, on either protocol."""
    protocol = "graphql-ws" if legacy else "graphql-transport-ws"
    ws = await connect(url, subprotocols=[protocol], compression=None)
    await ws.send(json.dumps({"type": "connection_init"}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    kind = "start" if legacy else "subscribe"
    await ws.send(json.dumps({"id": op, "type": kind, "payload": {"query": QUERY}}))
    return ws


def taken_up(
    live: Live, feeds: SharedFeeds, count: int, members: list[str] | None = None
) -> Callable[[], bool]:
    """`count` subscribers, and every group's stream live (a member waiting for its group's
    stream to start is counted, but gets only what is published once it has started); with
    `members`, the groups' members are the operations of those ids."""
    return lambda: (
        live.subscribers() == count
        and all(group.is_live() for group in feeds.groups.values())
        and (members is None or member_ids(feeds) == members)
    )


def member_ids(feeds: SharedFeeds) -> list[str]:
    """The operation ids of every group's members (from the frame start each member writes)."""
    return [
        json.loads(member.prefix + "null}")["id"]
        for group in feeds.groups.values()
        for member in group.members
    ]


async def until(condition: Callable[[], bool]) -> None:
    """Waits for `condition` (a subscribe has no acknowledgement: the server's count says it
    took the subscriber up)."""
    async with asyncio.timeout(WAIT_S):
        while not condition():  # noqa: ASYNC110 (the count is the server's, no event to await)
            await asyncio.sleep(0.02)


async def test_a_stalled_member_is_cut_off_and_the_others_get_every_event_once_executed(
    server: tuple[str, Live, SharedFeeds],
) -> None:
    url, live, feeds = server
    too_slow = live.too_slow
    stalled = await subscribe_stalled(url)
    others = [await live_only(url) for _ in range(CLIENTS)]
    await until(taken_up(live, feeds, CLIENTS + 1))
    # then: one group, fed by one fan-out subscription
    assert [len(group.members) for group in feeds.groups.values()] == [CLIENTS + 1]
    assert live.bus.fanout.count() == 1
    readers = [asyncio.create_task(collect(ws, EVENTS)) for ws in others]

    executions = SharedEventExecutor.executions
    published = await send_readings(live, EVENTS)
    stalled.transport.resume_reading()
    draining = asyncio.create_task(drain(stalled))

    received = await asyncio.wait_for(asyncio.gather(*readers), WAIT_S)
    assert all(ids == published for ids in received)  # every event, in order
    assert SharedEventExecutor.executions - executions == EVENTS  # once each, not per member

    got, code, reason = await asyncio.wait_for(draining, WAIT_S)
    assert code == CLOSE_TOO_SLOW
    assert live.too_slow == too_slow + 1
    after = resume_id(reason)
    assert got == published[: len(got)]
    assert len(got) < EVENTS
    assert after == (got[-1] if got else published[0] - 1)

    resumed = await subscribe(url, after)  # with `after`: its own stream, then live
    rest = await asyncio.wait_for(collect(resumed, EVENTS - len(got)), WAIT_S)
    assert rest == published[len(got) :]
    for ws in [*others, resumed]:
        await ws.close()
    # when the last member leaves, the group's stream ends and unsubscribes
    await until(lambda: not feeds.groups and live.bus.fanout.count() == 0)
    assert live.subscribers() == 0


async def subscribe_stalled(url: str) -> ClientConnection:
    """A live-only client with a 4 KiB receive buffer that stops reading its socket."""
    host, port = url.removeprefix("ws://").split("/")[0].split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    sock.setblocking(False)
    ws = await connect(url, subprotocols=["graphql-transport-ws"], sock=sock, compression=None)
    await ws.send(json.dumps({"type": "connection_init"}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": QUERY}}))
    ws.transport.pause_reading()
    return ws


async def test_both_protocols_share_a_group_each_in_its_own_frames(
    server: tuple[str, Live, SharedFeeds],
) -> None:
    url, live, feeds = server
    modern = await live_only(url, op="a-uuid-\u00e9")
    legacy = await live_only(url, legacy=True, op="7")
    await until(taken_up(live, feeds, 2))
    assert len(feeds.groups) == 1
    [event_id] = await send_readings(live, 1)

    frame = json.loads(await asyncio.wait_for(modern.recv(), WAIT_S))
    assert frame["type"] == "next"
    assert frame["id"] == "a-uuid-\u00e9"
    assert frame["payload"]["data"]["sensorReadings"]["id"] == str(event_id)
    assert frame["payload"]["data"]["sensorReadings"]["sensorId"] == SENSOR
    old = json.loads(await asyncio.wait_for(legacy.recv(), WAIT_S))
    assert old == {"type": "data", "id": "7", "payload": frame["payload"]}

    # a member that completes its operation leaves; the other still gets the next event
    await modern.send(json.dumps({"id": "a-uuid-\u00e9", "type": "complete"}))
    await until(taken_up(live, feeds, 1))
    [second] = await send_readings(live, 1)
    old = json.loads(await asyncio.wait_for(legacy.recv(), WAIT_S))
    assert old["payload"]["data"]["sensorReadings"]["id"] == str(second)
    await legacy.send(json.dumps({"id": "7", "type": "stop"}))
    assert json.loads(await asyncio.wait_for(legacy.recv(), WAIT_S)) == {
        "type": "complete",
        "id": "7",
    }
    await until(lambda: not feeds.groups and live.bus.fanout.count() == 0)
    await modern.close()
    await legacy.close()


async def test_other_variables_make_another_group(
    server: tuple[str, Live, SharedFeeds],
) -> None:
    url, live, feeds = server
    query = """subscription ($kind: SensorKind) {
      sensorReadings(district: "11650", sensorKind: $kind) { id }
    }"""
    clients = []
    for kind in ("SDOT", None, "SDOT"):
        ws = await connect(url, subprotocols=["graphql-transport-ws"], compression=None)
        await ws.send(json.dumps({"type": "connection_init"}))
        await ws.recv()
        payload = {"query": query, "variables": {"kind": kind} if kind else {}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        clients.append(ws)
    await until(taken_up(live, feeds, 3))
    assert sorted(len(group.members) for group in feeds.groups.values()) == [1, 2]
    [event_id] = await send_readings(live, 1)
    for ws in clients:
        frame = json.loads(await asyncio.wait_for(ws.recv(), WAIT_S))
        assert frame["payload"]["data"]["sensorReadings"]["id"] == str(event_id)
        await ws.close()


async def test_one_legal_batch_reaches_a_fast_member_whole(
    server: tuple[str, Live, SharedFeeds],
) -> None:
    url, live, feeds = server
    fast = await live_only(url)
    await until(taken_up(live, feeds, 1))
    await arrives_whole(fast, live, days_before=28)  # apart from test_back_pressure's
    await fast.ping()
    await fast.close()


async def test_a_resumed_subscriber_joins_the_group_once_caught_up(
    server: tuple[str, Live, SharedFeeds],
) -> None:
    url, live, feeds = server
    anchor = await live_only(url)  # the group's stream runs
    await until(taken_up(live, feeds, 1))
    replayed = await send_readings(live, 5)
    anchor_got = asyncio.create_task(collect(anchor, 5 + 1 + 20))
    resumed = await subscribe(url, replayed[0])  # `after` as a variable: its own stream first
    assert await asyncio.wait_for(collect(resumed, 4), WAIT_S) == replayed[1:]
    assert live.bus.fanout.count() == 2
    # when: the first live event reaches it with nothing else waiting
    first_live = await send_readings(live, 1)
    assert await asyncio.wait_for(collect(resumed, 1), WAIT_S) == first_live
    # then: it is a member of the group (one fan-out subscription left), and misses nothing
    await until(lambda: live.bus.fanout.count() == 1)
    assert [len(group.members) for group in feeds.groups.values()] == [2]
    assert live.subscribers() == 2
    later = await send_readings(live, 20)
    assert await asyncio.wait_for(collect(resumed, 20), WAIT_S) == later
    assert await asyncio.wait_for(anchor_got, WAIT_S) == replayed + first_live + later
    for ws in (anchor, resumed):
        await ws.close()


async def test_the_first_member_leaving_before_the_stream_is_live_ends_nothing_for_the_others(
    server: tuple[str, Live, SharedFeeds],
) -> None:
    # the first subscriber starts the group's stream, a second joins while it starts, and
    # the first leaves at once: the second must stay subscribed (not be sent `complete`)
    url, live, feeds = server
    for round_ in range(ROUNDS):
        first = await live_only(url, op=f"first-{round_}")
        second = await live_only(url, op=f"second-{round_}")
        await asyncio.sleep(round_ % 5 / 1000)  # 0 to 4 ms: before the stream is live
        await first.send(json.dumps({"id": f"first-{round_}", "type": "complete"}))
        # the count alone can be the first's, its `complete` not yet read, the second's
        # subscribe neither: wait until the second is the one member left
        await until(taken_up(live, feeds, 1, members=[f"second-{round_}"]))
        [event_id] = await send_readings(live, 1)
        frame = json.loads(await asyncio.wait_for(second.recv(), WAIT_S))
        assert frame["type"] == "next", frame
        assert frame["payload"]["data"]["sensorReadings"]["id"] == str(event_id)
        for ws in (first, second):
            await ws.close()
        await until(lambda: live.subscribers() == 0 and not feeds.groups)


async def test_members_pushes_skip_the_middleware_that_still_sees_the_rest(
    settings: Settings, stores: Stores
) -> None:
    # given the app with a middleware inside its chain, right after the server's own `send`
    app: Starlette = create_app(settings, stores)
    app.user_middleware.insert(1, Middleware(SendsSeen))
    SendsSeen.sent = []
    async with serving(app, lifespan="on") as base:
        url = base.replace("http://", "ws://") + "/graphql"
        live, feeds = app.state.live, app.state.shared_feeds
        clients = [await live_only(url, op=op) for op in ("a", "b")]
        await until(taken_up(live, feeds, 2))
        # when readings are pushed to the group's two members
        published = await send_readings(live, 3)
        received = await asyncio.wait_for(
            asyncio.gather(*(collect(ws, 3) for ws in clients)), WAIT_S
        )
        for ws in clients:
            await ws.close()
    # then the pushes reached both, past the chain, which saw each connection's acknowledgement
    assert received == [published, published]
    frames = [json.loads(text)["type"] for kind, text in SendsSeen.sent if kind == "websocket.send"]
    assert frames == ["connection_ack"] * 2
