"""The whole operation priced once through each gateway, as on the merged server: an operation
whose parts each fit the budget but whose whole does not is refused with the merged server's
status and body before any subgraph runs a part; accepted answers (and subscription events
through Hive Gateway) carry the merged server's `extensions.cost`; a bad key on a subscription
through Hive Gateway closes the socket 4401 with the merged server's reason."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from graph.records.api_keys import Tier
from tests.e2e.websocket_client import TRANSPORT, WAIT_S, next_frame, opened, ws_url
from tests.federation.conftest import Doors
from tests.federation.test_same_answers import CREATE_POLL, GATEWAYS, ask, poll_input

GQL = "application/graphql-response+json"
JSON = "application/json"
PARTS = {
    "city": "{ a: districts { boundary adjacent { boundary } } }",
    "sensing-data": "{ s: sensors(first: 100) { edges { node { id datasets { id } } } } }",
    "services": "{ c: cases(first: 40) { edges { node { id events { kind } } } } }",
}
"""Each under the public budget of 2,000 (1,000, 401 and 881 on the merged schema)."""
WHOLE = "{ " + " ".join(part[2:-2] for part in PARTS.values()) + " }"
"""The three parts in one operation: 2,282, over the public budget."""
PRICED = [
    '{ district(code: "11680") { code sensors { id } cases(first: 2) { totalCount } } }',
    "{ districts { boundary adjacent { boundary } } }",
    "{ cases(first: 5) { edges { node { id district { code nameEn } events { kind } } } } }",
    "{ datasets(first: 3) { edges { node { id publisher { datasets { id } } } } } }",
    '{ district(code: "99999") { code sensors { id } } }',
]
"""Accepted operations, one with an error (not_found): each answer carries the cost."""
_REQUESTS = re.compile(r'^civic_http_requests_total\{[^}]*route="/graphql"[^}]*\} (\S+)$', re.M)


async def post(base: str, query: str, accept: str = JSON, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=60) as http:
        return await http.post(
            f"{base}/graphql", json={"query": query}, headers={"accept": accept, **headers}
        )


async def subgraph_requests(doors: Doors) -> int:
    """Requests every subgraph's `/graphql` has answered (its /metrics; the check is apart)."""
    total = 0.0
    async with httpx.AsyncClient(timeout=30) as http:
        for url in doors.subgraphs.values():
            text = (await http.get(f"{url}/metrics")).text
            total += sum(float(value) for value in _REQUESTS.findall(text))
    return int(total)


@pytest.mark.parametrize("accept", [GQL, JSON])
@pytest.mark.parametrize("kind", GATEWAYS)
async def test_a_whole_over_budget_is_refused_before_any_subgraph_runs_a_part(
    doors: Doors, kind: str, accept: str
) -> None:
    # given parts that each fit the public budget, run by the subgraphs through the gateway
    counted = await subgraph_requests(doors)
    for part in PARTS.values():
        alone = await post(doors.gateway(kind), part, accept)
        assert "errors" not in alone.json(), alone.text
    assert await subgraph_requests(doors) >= counted + len(PARTS)
    merged = await post(doors.merged, WHOLE, accept)
    assert [e["extensions"]["code"] for e in merged.json()["errors"]] == ["query_too_costly"]

    # when the whole is sent through the gateway
    before = await subgraph_requests(doors)
    through = await post(doors.gateway(kind), WHOLE, accept)

    # then it is the merged server's refusal, and no subgraph was asked to run anything
    assert (through.status_code, through.json()) == (merged.status_code, merged.json())
    assert through.headers["content-type"] == merged.headers["content-type"]
    assert await subgraph_requests(doors) == before


@pytest.mark.parametrize("tier", [None, Tier.DEVELOPER], ids=lambda t: t.value if t else "public")
@pytest.mark.parametrize("kind", GATEWAYS)
async def test_an_answer_through_a_gateway_carries_the_merged_servers_cost(
    doors: Doors, keys: dict[Tier, str], kind: str, tier: Tier | None
) -> None:
    key = {"x-api-key": keys[tier]} if tier else {}
    for query in PRICED:
        merged = (await post(doors.merged, query, **key)).json()
        through = (await post(doors.gateway(kind), query, **key)).json()
        assert through["extensions"]["cost"] == merged["extensions"]["cost"], query
        assert through.get("data") == merged.get("data"), query


async def subscribe_until_closed(ws: ClientConnection) -> None:
    """Initialise, and once acknowledged subscribe; read until the server closes the socket
    (ConnectionClosed) or WAIT_S pass (TimeoutError)."""
    async with asyncio.timeout(WAIT_S):
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        while True:
            frame = json.loads(await ws.recv())
            assert frame["type"] == "connection_ack", frame
            # Hive acknowledges: the refusal comes at the first operation
            subscribe = {"query": "subscription { sensorReadings { id } }"}
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))


async def closed_on_subscribe(base: str, headers: dict[str, str]) -> tuple[int, str]:
    """The close code and reason `base` sends a client with `headers` on its upgrade."""
    async with connect(
        ws_url(base),
        subprotocols=[TRANSPORT],  # type: ignore[list-item]
        additional_headers=headers,
    ) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await subscribe_until_closed(ws)
    received = closed.value.rcvd
    assert received is not None
    return received.code, received.reason


async def test_a_bad_key_on_a_subscription_through_hive_closes_4401_with_the_reason(
    doors: Doors,
) -> None:
    headers = {"x-api-key": "no-such-key", "x-forwarded-for": "198.51.100.40"}
    closes = [await closed_on_subscribe(base, headers) for base in (doors.merged, doors.hive)]
    assert closes == [(4401, "unknown or revoked API key")] * 2


async def test_subscription_events_through_hive_carry_the_merged_servers_cost(
    doors: Doors, keys: dict[Tier, str]
) -> None:
    made = await ask(doors.merged, CREATE_POLL, {"input": poll_input()}, keys[Tier.OPERATOR])
    tally = """subscription ($poll: ID!) {
      pollTally(pollId: $poll) { pollId totalBallots tally { option ballots } } }"""
    subscribe = {"query": tally, "variables": {"poll": made["data"]["createPoll"]["id"]}}
    firsts = []
    for base in (doors.merged, doors.hive):
        ws = await opened(ws_url(base), TRANSPORT)
        try:
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
            firsts.append(await next_frame(ws))
        finally:
            await ws.close()
    merged, hive = firsts
    assert (hive["type"], merged["type"]) == ("next", "next"), firsts
    assert hive["payload"]["extensions"]["cost"] == merged["payload"]["extensions"]["cost"]
    assert hive["payload"]["data"] == merged["payload"]["data"]


async def test_a_refused_subscription_through_hive_gets_the_merged_servers_error(
    doors: Doors,
) -> None:
    deep = 'subscription { pollTally(pollId: "x") { ' + "pollId " * 400 + "} }"
    errors = []
    for base in (doors.merged, doors.hive):
        ws = await opened(ws_url(base), TRANSPORT)
        try:
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": deep}}))
            frame = await next_frame(ws)
        finally:
            await ws.close()
        payload = frame["payload"]
        errors.append(payload if isinstance(payload, list) else payload["errors"])
    assert [e["extensions"]["code"] for e in errors[1]] == [
        e["extensions"]["code"] for e in errors[0]
    ]
    assert errors[1][0]["message"] == errors[0][0]["message"]
