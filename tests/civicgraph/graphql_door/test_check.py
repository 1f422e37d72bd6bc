"""`/graphql/check` on a subgraph server answers what the merged server's `/graphql` answers for
a refusal (status, body, `extensions.cost`), prices the whole operation on the merged schema,
and executes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from civicgraph.graphql_door.check import TRANSPORT_HEADER, WEBSOCKET
from civicgraph.stores import Stores
from graph.records.api_keys import Tier
from resolvers.core.civic_schema import MAX_ALIASES, MAX_DEPTH
from resolvers.core.document_limits import MAX_SELECTIONS

GQL = "application/graphql-response+json"
JSON = "application/json"
CHECK = "/graphql/check"

ACROSS_PARTS = """{
  a: districts { boundary adjacent { boundary } }
  s: sensors(first: 100) { edges { node { id datasets { id } } } }
  c: cases(first: 40) { edges { node { id events { kind } } } }
}"""
"""Costs 2,282 on the merged schema, over the public budget of 2,000; the part each subgraph
would price (city 1,000, sensing and data about 400, services about 880) is under it."""
CASE = {"serviceCode": "noise", "description": "Night works", "lat": 37.5115, "lon": 127.0595}
TWO_WRITES = """mutation($i: FileCaseInput!) {
  a: fileCase(input: $i) { __typename } b: fileCase(input: $i) { __typename } }"""


def nested(levels: int) -> str:
    return '{ district(code: "11680") { ' + "adjacent { " * levels + "code" + " }" * levels + " } }"


REFUSED: list[Any] = [
    pytest.param({"json": {"query": ACROSS_PARTS}}, id="whole-cost"),
    pytest.param(
        {"json": {"query": TWO_WRITES, "variables": {"i": CASE}}}, id="writes-per-operation"
    ),
    pytest.param({"json": {"query": nested(MAX_DEPTH + 1)}}, id="depth"),
    pytest.param(
        {
            "json": {
                "query": "{"
                + " ".join(f"a{i}: logHead {{ treeSize }}" for i in range(MAX_ALIASES + 1))
                + "}"
            }
        },
        id="aliases",
    ),
    pytest.param(
        {"json": {"query": '{ district(code: "11680") { ' + "code " * MAX_SELECTIONS + "} }"}},
        id="selections",
    ),
    pytest.param(
        {
            "json": {
                "query": "query($c: [String!]) { districts { code } }",
                "variables": {"c": ["x"] * 101},
            }
        },
        id="list-length",
    ),
    pytest.param({"json": {"query": "{ logHead { treeSize } }" + " " * 40_000}}, id="doc-size"),
    pytest.param({"json": {"query": "{ logHead { treeSize "}}, id="parse"),
    pytest.param({"json": {"query": '{ district(code: "11680") { nope } }'}}, id="validation"),
    pytest.param(
        {
            "json": {
                "query": "query($c: String!) { district(code: $c) { code } }",
                "variables": {"c": 5},
            }
        },
        id="variables",
    ),
    pytest.param(
        {"json": {"query": "query A { logHead { treeSize } } query B { logHead { treeSize } }"}},
        id="operation-selection",
    ),
    pytest.param(
        {"content": b"{ logHead { treeSize } }", "headers": {"content-type": "text/plain"}},
        id="media-type",
    ),
    pytest.param({"content": b'{"query": 5}', "headers": {"content-type": JSON}}, id="bad-request"),
    pytest.param(
        {"json": {"query": "{ logHead { treeSize } }"}, "headers": {"x-api-key": "no-such-key"}},
        id="bad-key",
    ),
]


async def merged_and_checked(
    client: httpx.AsyncClient, checker: httpx.AsyncClient, accept: str, request: dict[str, Any]
) -> tuple[httpx.Response, httpx.Response]:
    headers = {"accept": accept, **request.get("headers", {})}
    kwargs = {k: v for k, v in request.items() if k != "headers"}
    merged = await client.post("/graphql", headers=headers, **kwargs)
    checked = await checker.post(CHECK, headers=headers, **kwargs)
    return merged, checked


@pytest.mark.parametrize("accept", [GQL, JSON])
@pytest.mark.parametrize("request_", REFUSED)
async def test_a_refusal_is_the_merged_servers_status_and_body(
    client: httpx.AsyncClient, subgraph_client: Any, accept: str, request_: dict[str, Any]
) -> None:
    async with subgraph_client("sensing") as checker:
        merged, checked = await merged_and_checked(client, checker, accept, request_)
    assert merged.json().get("errors"), merged.text  # a refusal on the merged server
    assert (checked.status_code, checked.json()) == (merged.status_code, merged.json())
    assert checked.headers["content-type"] == merged.headers["content-type"]


async def test_the_whole_operation_is_priced_against_the_budget(
    client: httpx.AsyncClient, subgraph_client: Any
) -> None:
    async with subgraph_client("city") as checker:
        merged, checked = await merged_and_checked(
            client, checker, GQL, {"json": {"query": ACROSS_PARTS}}
        )
    error = checked.json()["errors"][0]
    assert error["extensions"] == {"code": "query_too_costly", "cost": 2282, "budget": 2000}
    assert checked.json()["extensions"]["cost"] == merged.json()["extensions"]["cost"]


ACCEPTED = [
    '{ district(code: "11680") { code sensors { id } cases(first: 2) { totalCount } } }',
    "{ districts { boundary adjacent { boundary } } }",
    "{ cases(first: 40) { edges { node { id events { kind } } } } }",
    '{ sensors(first: 5) { edges { node { id readings(from: "2026-11-01T00:00:00Z", '
    'to: "2026-11-02T00:00:00Z", bucketMinutes: 60, dataType: CO) { start avg } } } } }',
]


@pytest.mark.parametrize("tier", [None, Tier.DEVELOPER])
@pytest.mark.parametrize("query", ACCEPTED)
async def test_an_accepted_operation_gets_the_merged_servers_cost_and_runs_nothing(
    client: httpx.AsyncClient,
    subgraph_client: Any,
    stores: Stores,
    keys: dict[Tier, str],
    tier: Tier | None,
    query: str,
) -> None:
    headers = {"accept": GQL, **({"x-api-key": keys[tier]} if tier else {})}
    merged = await client.post("/graphql", json={"query": query}, headers=headers)
    assert "errors" not in merged.json(), merged.text
    async with subgraph_client("trust") as checker:
        await checker.post(CHECK, json={"query": query}, headers=headers)  # keys cached
        before = stores.calls()
        checked = await checker.post(CHECK, json={"query": query}, headers=headers)
        after = stores.calls()
    # nothing executed: the one records call of a keyed request is the door's key lookup
    # (the tests' key cache is off)
    assert after == {"graph": before["graph"], "records": before["records"] + (1 if tier else 0)}
    assert checked.status_code == 200
    assert checked.json() == {"data": None, "extensions": merged.json()["extensions"]}
    assert checked.json()["extensions"]["cost"]["tier"] == (tier or Tier.PUBLIC).value


async def test_a_subscription_from_a_websocket_is_priced_as_at_subscribe(
    subgraph_client: Any,
) -> None:
    query = 'subscription { sensorReadings(district: "11680") { sensorId } }'
    from_websocket = {"accept": GQL, TRANSPORT_HEADER: WEBSOCKET}
    async with subgraph_client("identity") as checker:
        checked = await checker.post(CHECK, json={"query": query}, headers=from_websocket)
    assert checked.status_code == 200, checked.text
    assert checked.json()["extensions"]["cost"]["tier"] == "public"


async def test_a_subscription_over_http_is_refused_as_by_the_merged_server(
    subgraph_client: Any, client: httpx.AsyncClient
) -> None:
    query = {"query": 'subscription { sensorReadings(district: "11680") { sensorId } }'}
    merged = await client.post("/graphql", json=query, headers={"accept": JSON})
    async with subgraph_client("identity") as checker:
        checked = await checker.post(CHECK, json=query, headers={"accept": JSON})
    assert (checked.status_code, checked.json()) == (merged.status_code, merged.json())
    assert merged.json()["errors"][0]["extensions"]["code"] == "operation_not_supported"


async def test_the_merged_server_has_no_check_route(client: httpx.AsyncClient) -> None:
    response = await client.post(CHECK, json={"query": "{ logHead { treeSize } }"})
    assert response.status_code == 404
