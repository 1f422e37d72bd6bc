"""Subscriptions through Hive Gateway deliver the same events, in order, as the same subscription
directly on the subgraph that owns it (sensing's `sensorReadings`, identity's `pollTally`)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection

from civicgraph.stores import Stores
from graph.records.api_keys import Tier
from subscriptions.ingest.payloads import ReadingIn
from tests.conftest import SEED_UNTIL
from tests.e2e.websocket_client import TRANSPORT, next_frame, opened, ws_url
from tests.federation.conftest import Doors
from tests.federation.test_same_answers import CAST, CREATE_POLL, ask, ballot_for, poll_input

SENSOR = "sdot-11500-0000"
READINGS = """subscription ($after: ID) {
  sensorReadings(district: "11500", after: $after) {
    id sensorId districtCode measuredAt values { dataType value unit }
  }
}"""
TALLY = """subscription ($poll: ID!) {
  pollTally(pollId: $poll) { pollId totalBallots tally { option ballots } }
}"""
_minutes = iter(range(1, 100_000))


async def publish_reading(doors: Doors, pm25: float) -> int:
    """Ingest one reading of SENSOR through the sensing subgraph's live side; its event id.
    Each is measured at a time of its own, weeks before the seed's end (no latest reading
    moves)."""
    at = SEED_UNTIL - timedelta(days=15) + timedelta(minutes=2 * next(_minutes))
    reading = ReadingIn(sensor_id=SENSOR, measured_at=at, values={"pm25": pm25})
    result = await doors.live["sensing"].ingest.accept([reading], "test")
    return int(result.events[0].id)


async def subscribed(base: str, query: str, variables: dict[str, Any]) -> ClientConnection:
    ws = await opened(ws_url(base), TRANSPORT)
    subscribe = {"query": query, "variables": variables}
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
    return ws


async def payloads(ws: ClientConnection, count: int) -> list[Any]:
    """The next `count` frames' payloads, each a `next` without errors, as `{"data": ...}` (the
    subgraph adds `extensions.cost`, which a gateway does not pass on: docs/federation.md)."""
    got = []
    for _ in range(count):
        frame = await next_frame(ws)
        assert frame["type"] == "next", frame
        assert "errors" not in frame["payload"], frame
        got.append({"data": frame["payload"]["data"]})
    return got


async def test_sensor_readings_through_hive_are_the_subgraphs_in_order(doors: Doors) -> None:
    # given a reading before both subscriptions, which resume after it
    start = await publish_reading(doors, 1.0)
    sockets = [
        await subscribed(base, READINGS, {"after": str(start)})
        for base in (doors.hive, doors.subgraphs["sensing"])
    ]
    try:
        # when readings are ingested (a subscription that registers late replays them)
        sent = [await publish_reading(doors, float(value)) for value in (11.5, 12.5, 13.5)]

        # then both deliver the same events, in the order they were ingested
        through_hive, direct = [
            await asyncio.wait_for(payloads(ws, len(sent)), 30) for ws in sockets
        ]
    finally:
        for ws in sockets:
            await ws.close()
    assert through_hive == direct
    assert [int(p["data"]["sensorReadings"]["id"]) for p in direct] == sent
    assert [p["data"]["sensorReadings"]["values"][0]["value"] for p in direct] == [
        11.5,
        12.5,
        13.5,
    ]


async def test_poll_tally_through_hive_is_the_subgraphs_in_order(
    doors: Doors, stores: Stores, keys: dict[Tier, str]
) -> None:
    # given a new poll, subscribed to through Hive and on the identity subgraph
    operator = keys[Tier.OPERATOR]
    made = await ask(doors.merged, CREATE_POLL, {"input": poll_input()}, operator)
    poll = made["data"]["createPoll"]["id"]
    sockets = [
        await subscribed(base, TALLY, {"poll": poll})
        for base in (doors.hive, doors.subgraphs["identity"])
    ]
    try:
        # each first sends the current tally: from then on both are registered
        firsts = [await asyncio.wait_for(payloads(ws, 1), 30) for ws in sockets]

        # when two ballots are cast through the gateway (the identity subgraph counts them)
        for _ in range(2):
            ballot = await ballot_for(doors.hive, stores, operator, poll)
            cast = await ask(doors.hive, CAST, {"ballot": ballot.to_json()})
            assert cast["data"]["castBallot"]["__typename"] == "BallotReceipt", cast

        # then both deliver the same tallies, in order
        rest = [await asyncio.wait_for(payloads(ws, 2), 30) for ws in sockets]
    finally:
        for ws in sockets:
            await ws.close()
    through_hive, direct = firsts[0] + rest[0], firsts[1] + rest[1]
    assert through_hive == direct
    assert [p["data"]["pollTally"]["totalBallots"] for p in direct] == [0, 1, 2]


@pytest.mark.parametrize(
    ("subscription", "code"),
    [
        ('subscription { pollTally(pollId: "nope") { pollId } }', "not_found"),
        ('subscription { sensorReadings(district: "99999") { id } }', "not_found"),
        ('subscription { caseUpdates(after: "not-an-id") { id } }', "bad_cursor"),
    ],
    ids=["unknown-poll", "unknown-district", "bad-cursor"],
)
async def test_a_subscription_the_subgraph_refuses_keeps_its_code_through_hive(
    doors: Doors, subscription: str, code: str
) -> None:
    errors = []
    for base in (doors.merged, doors.hive):
        ws = await opened(ws_url(base), TRANSPORT)
        try:
            subscribe = {"id": "1", "type": "subscribe", "payload": {"query": subscription}}
            await ws.send(json.dumps(subscribe))
            frame = await next_frame(ws)
        finally:
            await ws.close()
        # the merged server sends `error`; Hive Gateway `next` with the errors (docs/federation.md)
        payload = frame["payload"]
        errors.append(payload if isinstance(payload, list) else payload["errors"])
    merged, hive = errors
    assert [(e["message"], e["extensions"]["code"]) for e in hive] == [
        (e["message"], e["extensions"]["code"]) for e in merged
    ]
    assert merged[0]["extensions"]["code"] == code
