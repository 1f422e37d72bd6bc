"""Every id, cursor or integer a client sends that reaches SQL is range-checked first: past the
64 bits SQLite and PostgreSQL hold (or past GraphQL's 32-bit `Int`), negative, or digits that
are not ASCII, it is a typed refusal on every door (HTTP, graphql-transport-ws, legacy
graphql-ws), never "Internal error." (the drivers raise OverflowError).

Rows: (id, document, expected code). Subscriptions run over both websocket protocols; queries
over HTTP and both websocket protocols (legacy graphql-ws runs queries too).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from graph.records.db import MAX_ROW_ID
from tests.e2e.websocket_client import LEGACY, START, TRANSPORT, next_frame, opened, ws_url

STREAMS = {
    "sensorReadings": "sensorReadings(after: $after) { id }",
    "caseUpdates": "caseUpdates(after: $after) { id }",
    "alerts": "alerts(after: $after) { id }",
}
BAD_AFTER = {
    "2^63": str(MAX_ROW_ID + 1),
    "2^64": str(2**64),
    "10^26": "99999999999999999999999999",
    "negative": "-5",
    "superscript-two": "\u00b2",
    "fullwidth-one": "\uff11",
    "exponent": "1e5",
    "spaced": " 1",
    "empty": "",
}
SUBSCRIPTION_ROWS = [
    pytest.param(field, value, id=f"{field}-{name}")
    for field in STREAMS
    for name, value in BAD_AFTER.items()
]

QUERY_ROWS = [
    pytest.param(
        "{ logEntry(index: 2147483648) { index } }", "graphql_validation_failed", id="logEntry-2^31"
    ),
    pytest.param(
        "{ logEntry(index: 99999999999999999999999999) { index } }",
        "graphql_validation_failed",
        id="logEntry-10^26",
    ),
    pytest.param("{ logEntry(index: -1) { index } }", "out_of_range", id="logEntry-negative"),
    pytest.param(
        "{ logEntry(index: 0) { inclusionProof(treeSize: 2147483647) { treeSize } } }",
        "out_of_range",
        id="inclusionProof-treeSize-max-int",
    ),
    pytest.param(
        "{ logEntry(index: 0) { inclusionProof(treeSize: -1) { treeSize } } }",
        "out_of_range",
        id="inclusionProof-treeSize-negative",
    ),
    pytest.param(
        "{ logConsistency(fromSize: 2147483647) { toSize } }",
        "out_of_range",
        id="logConsistency-fromSize-max-int",
    ),
    pytest.param(
        "{ logConsistency(fromSize: 1, toSize: -3) { toSize } }",
        "out_of_range",
        id="logConsistency-toSize-negative",
    ),
]


def codes(frame: dict[str, Any]) -> list[str]:
    payload = frame["payload"]
    errors = payload if isinstance(payload, list) else payload.get("errors", [payload])
    return [e.get("extensions", {}).get("code", e["message"]) for e in errors]


async def run_over(server: str, protocol: str, query: str, variables: dict[str, Any]) -> list[str]:
    ws = await opened(ws_url(server), protocol)
    payload = {"query": query, "variables": variables}
    await ws.send(json.dumps({"type": START[protocol], "id": "1", "payload": payload}))
    frame = await next_frame(ws)
    await ws.close()
    return codes(frame)


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
@pytest.mark.parametrize(("field", "after"), SUBSCRIPTION_ROWS)
async def test_a_subscription_after_outside_the_id_range_is_bad_cursor(
    server: str, protocol: str, field: str, after: str
) -> None:
    query = f"subscription($after: ID) {{ {STREAMS[field]} }}"
    assert await run_over(server, protocol, query, {"after": after}) == ["bad_cursor"]


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
@pytest.mark.parametrize("field", list(STREAMS))
async def test_the_largest_id_is_a_good_after(server: str, protocol: str, field: str) -> None:
    # 2^63 - 1 reaches the records (nothing is newer) and the subscription waits for live events
    ws = await opened(ws_url(server), protocol)
    query = f"subscription($after: ID) {{ {STREAMS[field]} }}"
    payload = {"query": query, "variables": {"after": str(MAX_ROW_ID)}}
    await ws.send(json.dumps({"type": START[protocol], "id": "1", "payload": payload}))
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(1):
            await next_frame(ws)
    await ws.close()


@pytest.mark.parametrize(("query", "code"), QUERY_ROWS)
async def test_an_integer_argument_outside_its_range_is_a_typed_refusal_on_every_door(
    server: str, query: str, code: str
) -> None:
    async with httpx.AsyncClient(base_url=server) as http:
        body = (await http.post("/graphql", json={"query": query})).json()
    assert [e["extensions"]["code"] for e in body["errors"]] == [code]
    for protocol in (TRANSPORT, LEGACY):
        assert await run_over(server, protocol, query, {}) == [code]
