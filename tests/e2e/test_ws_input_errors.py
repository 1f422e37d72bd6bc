"""Bad input over both websocket protocols gets the protocol's answer (close 4400, an `error`
message for the operation, `connection_error`), never a silent drop; legacy graphql-ws runs
queries and mutations too."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from websockets.asyncio.client import ClientConnection

from civicgraph.graphql_door.websockets import MAX_OPERATION_ID_CHARS
from tests.e2e.websocket_client import (
    LEGACY,
    TRANSPORT,
    closed_with,
    next_frame,
    opened,
    ws_url,
)


@asynccontextmanager
async def session(server: str, protocol: str) -> AsyncIterator[ClientConnection]:
    ws = await opened(ws_url(server), protocol)
    try:
        yield ws
    finally:
        await ws.close()


QUERY = '{ district(code: "11680") { code } }'

CLOSING = [
    ("not-json", "{not json"),
    ("not-an-object", "5"),
    ("unknown-type", json.dumps({"type": "bogus"})),
    ("subscribe-without-payload", json.dumps({"type": "subscribe", "id": "1"})),
    ("subscribe-payload-a-string", json.dumps({"type": "subscribe", "id": "1", "payload": "x"})),
    (
        "subscribe-without-id",
        json.dumps({"type": "subscribe", "payload": {"query": "{ districts { code } }"}}),
    ),
    ("unparsable", json.dumps({"type": "subscribe", "id": "1", "payload": {"query": "{"}})),
    (
        "id-too-long",  # echoed in every push: each would cost what the id does
        json.dumps({"type": "subscribe", "id": "i" * 129, "payload": {"query": QUERY}}),
    ),
    (
        "unknown-operation-name",
        json.dumps(
            {
                "type": "subscribe",
                "id": "1",
                "payload": {
                    "query": "subscription A { alerts { id } }",
                    "operationName": "Z" * 300,
                },
            }
        ),
    ),
    (
        "huge-frame",
        json.dumps({"type": "subscribe", "id": "1", "payload": {"query": "#" * 2_000_000}}),
    ),
]


@pytest.mark.parametrize("frame", [row[1] for row in CLOSING], ids=[row[0] for row in CLOSING])
async def test_transport_ws_closes_4400_on_a_bad_message(server: str, frame: str) -> None:
    async with session(server, TRANSPORT) as ws:
        await ws.send(frame)
        assert await closed_with(ws) == 4400


OPERATION_ERRORS = [
    ("validation", {"query": "subscription { nope }"}, "graphql_validation_failed"),
    (
        "variable-type",
        {
            "query": "subscription($d: String) { alerts(district: $d) { id } }",
            "variables": {"d": 5},
        },
        "bad_user_input",
    ),
    (
        "empty-district",  # an empty gu is no gu, never "every gu"
        {"query": 'subscription { alerts(district: "") { id } }'},
        "not_found",
    ),
    (
        "empty-district-cases",
        {"query": 'subscription { caseUpdates(district: "") { id } }'},
        "not_found",
    ),
    (
        "poll-not-found",
        {"query": 'subscription { pollTally(pollId: "nope") { totalBallots } }'},
        "not_found",
    ),
]


@pytest.mark.parametrize(
    ("payload", "code"),
    [row[1:] for row in OPERATION_ERRORS],
    ids=[row[0] for row in OPERATION_ERRORS],
)
async def test_operation_errors_are_error_messages_on_both_protocols(
    server: str, payload: dict[str, object], code: str
) -> None:
    async with session(server, TRANSPORT) as ws:
        await ws.send(json.dumps({"type": "subscribe", "id": "op", "payload": payload}))
        frame = await next_frame(ws)
        assert (frame["type"], frame["id"]) == ("error", "op")
        assert [e["extensions"]["code"] for e in frame["payload"]] == [code]
    async with session(server, LEGACY) as ws:
        await ws.send(json.dumps({"type": "start", "id": "op", "payload": payload}))
        frame = await next_frame(ws)
        assert (frame["type"], frame["id"]) == ("error", "op")
        assert frame["payload"]["extensions"]["code"] == code


async def test_legacy_ws_runs_a_query(server: str) -> None:
    async with session(server, LEGACY) as ws:
        query = '{ district(code: "11680") { code } }'
        await ws.send(json.dumps({"type": "start", "id": "q", "payload": {"query": query}}))
        data = await next_frame(ws)
        assert (data["type"], data["id"]) == ("data", "q")
        assert data["payload"]["data"] == {"district": {"code": "11680"}}
        assert await next_frame(ws) == {"type": "complete", "id": "q"}


LEGACY_BAD = [
    ("start-without-payload", json.dumps({"type": "start", "id": "s"}), "error"),
    (
        "start-payload-without-query",
        json.dumps({"type": "start", "id": "s", "payload": {}}),
        "error",
    ),
    ("unknown-type", json.dumps({"type": "bogus", "id": "s"}), "error"),
    ("not-an-object", "[1]", "error"),
    ("not-json", "{not json", "connection_error"),
    ("unparsable", json.dumps({"type": "start", "id": "s", "payload": {"query": "{"}}), "error"),
    (
        "start-id-too-long",
        json.dumps({"type": "start", "id": "s" * 129, "payload": {"query": QUERY}}),
        "error",
    ),
    ("stop-id-too-long", json.dumps({"type": "stop", "id": "s" * 129}), "error"),
]


@pytest.mark.parametrize(
    ("frame", "answer"), [r[1:] for r in LEGACY_BAD], ids=[r[0] for r in LEGACY_BAD]
)
async def test_legacy_ws_answers_a_bad_message_and_stays_open(
    server: str, frame: str, answer: str
) -> None:
    async with session(server, LEGACY) as ws:
        await ws.send(frame)
        answered = await next_frame(ws)
        assert answered["type"] == answer
        assert len(answered.get("id", "")) <= MAX_OPERATION_ID_CHARS  # a long one is not echoed
        # the socket still serves
        query = '{ district(code: "11680") { code } }'
        await ws.send(json.dumps({"type": "start", "id": "q", "payload": {"query": query}}))
        assert (await next_frame(ws))["type"] == "data"


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
async def test_an_id_of_the_longest_length_runs_and_comes_back(server: str, protocol: str) -> None:
    longest = "i" * MAX_OPERATION_ID_CHARS
    kind = "subscribe" if protocol == TRANSPORT else "start"
    async with session(server, protocol) as ws:
        await ws.send(json.dumps({"type": kind, "id": longest, "payload": {"query": QUERY}}))
        answered = await next_frame(ws)
        assert answered["type"] in ("next", "data")
        assert answered["id"] == longest
