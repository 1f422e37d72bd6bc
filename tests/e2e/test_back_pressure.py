"""A client that stops reading never holds back the others, and is cut off with 1013.

100 websocket clients and one that stops reading its socket subscribe to one gu. Small kernel
buffers (8 KiB to send on the server's side, 4 KiB to receive on the stalled client's) make the
stalled connection back up after about a hundred events instead of after megabytes. Every one
of N readings must reach all 100 (counted, not timed); the stalled client's queue overflows, it
is closed with code 1013 (graphql-ws clients retry it) and a reason naming the id to resume
after, and it gets exactly what it missed when it resubscribes `after` that id. A client that
reads everything gets one whole legal ingest batch, far larger than its queue, without a cut.
Clients turn permessage-deflate off: these near-identical messages would
otherwise compress to a few dozen bytes each and never fill a buffer.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from civicgraph.app import create_app
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from resolvers.core.shared_events import SharedEventExecutor
from subscriptions.ingest.payloads import MAX_BATCH, ReadingIn
from subscriptions.live import CLOSE_TOO_SLOW, Live
from tests.conftest import SEED_UNTIL
from tests.e2e.conftest import serving

CLIENTS = 100
BATCH = 1_100
EVENTS = 300
QUEUE = 16
SENSOR, GU = "sdot-11650-0000", "11650"
QUERY = """subscription ($after: ID) {
  sensorReadings(district: "11650", after: $after) {
    id sensorId districtCode sensorKind measuredAt values { dataType value unit }
  }
}"""
WAIT_S = 120


@pytest.fixture
async def small_queue_server(settings: Settings, stores: Stores) -> AsyncIterator[tuple[str, Live]]:
    app: Starlette = create_app(settings.model_copy(update={"subscriber_queue": QUEUE}), stores)
    async with serving(app, lifespan="on", send_buffer=8192) as url:
        yield url.replace("http://", "ws://") + "/graphql", app.state.live


async def subscribe(url: str, after: int, *, receive_buffer: int | None = None) -> ClientConnection:
    sock = None
    if receive_buffer is not None:  # set before connecting, so the TCP window stays small
        host, port = url.removeprefix("ws://").split("/")[0].split(":")
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.connect((host, int(port)))
        sock.setblocking(False)
    ws = await connect(url, subprotocols=["graphql-transport-ws"], sock=sock, compression=None)
    await ws.send(json.dumps({"type": "connection_init"}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    message = {"query": QUERY, "variables": {"after": str(after)}}
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": message}))
    return ws


async def collect(ws: ClientConnection, count: int) -> list[int]:
    ids: list[int] = []
    while len(ids) < count:
        message = json.loads(await ws.recv())
        assert message["type"] == "next", message
        assert not message["payload"].get("errors"), message
        ids.append(int(message["payload"]["data"]["sensorReadings"]["id"]))
    return ids


async def drain(ws: ClientConnection) -> tuple[list[int], Any, str]:
    """Everything a stalled client still gets, then how it was closed."""
    ids: list[int] = []
    try:
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == "next":
                ids.append(int(message["payload"]["data"]["sensorReadings"]["id"]))
    except ConnectionClosed as closed:
        frame = closed.rcvd
        return ids, frame.code if frame else None, frame.reason if frame else ""


_ticks = iter(range(1_000_000))


async def send_readings(live: Live, count: int) -> list[int]:
    """`count` readings of one sensor, each at a time of its own; returns their event ids."""
    start = SEED_UNTIL - timedelta(days=20)
    ids = []
    for _ in range(count):
        step = next(_ticks)
        values = {name: 10.0 + step % 7 for name in ("pm25", "pm10", "temperature", "humidity")}
        values |= {"noise": 40.0, "illuminance": 800.0, "uv_index": 1.0, "o3": 0.02}
        reading = ReadingIn(
            sensor_id=SENSOR, measured_at=start + timedelta(minutes=2 * step), values=values
        )
        result = await live.ingest.accept([reading], "test")
        ids += [event.id for event in result.events]
    return ids


def resume_id(reason: str) -> int:
    """The id a close reason says to resume after ("... resubscribe with after: 1234")."""
    match = re.search(r"after: (\d+)", reason)
    assert match is not None, reason
    return int(match.group(1))


async def arrives_whole(fast: ClientConnection, live: Live, days_before: int) -> None:
    """One legal ingest batch of BATCH readings, the first `days_before` days before the
    seed's end, reaches `fast` whole and in order, with nobody cut off. (Tests sharing the
    stores take `days_before` apart: a reading at a time already held is a duplicate.)"""
    base = SEED_UNTIL - timedelta(days=days_before)
    batch = [
        ReadingIn(
            sensor_id=SENSOR, measured_at=base + timedelta(minutes=2 * i), values={"pm25": 9.0}
        )
        for i in range(BATCH)
    ]
    assert BATCH <= MAX_BATCH
    too_slow = live.too_slow
    result = await live.ingest.accept(batch, "test")
    got = await asyncio.wait_for(collect(fast, BATCH), WAIT_S)
    assert got == [event.id for event in result.events]
    assert live.too_slow == too_slow


async def test_one_legal_batch_reaches_a_fast_subscriber_whole(
    small_queue_server: tuple[str, Live],
) -> None:
    # given: a client that reads everything, with a queue of 16
    url, live = small_queue_server
    [start] = await send_readings(live, 1)
    fast = await subscribe(url, start)
    # and its subscription live: a subscribe has no acknowledgement, and one the server took
    # up after the batch below would replay 1,100 events after `start`, past the replay limit
    [mark] = await send_readings(live, 1)
    assert await asyncio.wait_for(collect(fast, 1), WAIT_S) == [mark]
    # when: one ingest batch of 1,100 readings of its gu (the size of S-DoT's whole network)
    # then: every event, in order, and the socket stays open
    await arrives_whole(fast, live, days_before=25)
    await fast.ping()
    await fast.close()


async def test_a_stalled_client_is_cut_off_and_the_others_get_every_event(
    small_queue_server: tuple[str, Live],
) -> None:
    url, live = small_queue_server
    [start] = await send_readings(live, 1)
    stalled = await subscribe(url, start, receive_buffer=4096)
    stalled.transport.pause_reading()  # stops reading its socket: the TCP window closes
    others = [await subscribe(url, start) for _ in range(CLIENTS)]
    readers = [asyncio.create_task(collect(ws, EVENTS)) for ws in others]

    executions = SharedEventExecutor.executions
    published = await send_readings(live, EVENTS)
    assert live.too_slow >= 1
    # read the close frame before the server's closing handshake times out (a loaded machine
    # may take longer than that to serve the 100 others)
    stalled.transport.resume_reading()
    draining = asyncio.create_task(drain(stalled))

    received = await asyncio.wait_for(asyncio.gather(*readers), WAIT_S)
    assert all(ids == published for ids in received)  # all 100, every event, in order
    # the same operation and variables: each event was executed once, not once per client
    assert SharedEventExecutor.executions - executions <= EVENTS

    got, code, reason = await asyncio.wait_for(draining, WAIT_S)
    assert code == CLOSE_TOO_SLOW == 1013  # graphql-ws clients retry it; 4429 is fatal there
    after = resume_id(reason)  # never "None"
    assert got == published[: len(got)]  # what it did get has no gap
    assert len(got) < EVENTS
    assert after == (got[-1] if got else start)  # the last one it was sent

    resumed = await subscribe(url, after)
    rest = await asyncio.wait_for(collect(resumed, EVENTS - len(got)), WAIT_S)
    assert rest == published[len(got) :]  # exactly what it missed
    for ws in [*others, resumed]:
        await ws.close()
