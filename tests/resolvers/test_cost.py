"""Query cost through the server: refusals before any store call, `extensions.cost`, tiers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import websockets

from civicgraph.app import create_app
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from graph.records.api_keys import Tier
from resolvers.city.types import parsed_geometry
from resolvers.core.cost import analysis
from resolvers.core.cost.budgets import CostBudgets
from resolvers.core.cost.weights import FIELD_COSTS, FieldCost
from tests.e2e.conftest import serving
from tests.resolvers.test_cost_analysis import ALIAS_BOMB, DONG_BOUNDARIES, nested_adjacent

BUDGETS = CostBudgets()
README_QUERY = """
{
  district(code: "11680") {
    nameEn adjacent { code nameEn }
    sensors { id kind latestReading { measuredAt value(dataType: PM25) } }
  }
  sensors(filter: { near: { lat: 37.5115, lon: 127.0595, radiusM: 2000 } }, first: 10) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id kind districtCode } }
  }
}
"""


async def post(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    key: str | None = None,
) -> dict[str, Any]:
    headers = {"X-API-Key": key} if key else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code < 500, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    "query", [nested_adjacent(10), ALIAS_BOMB], ids=["nested-adjacent", "alias-bomb"]
)
async def test_costly_query_is_refused_for_public_before_any_store_call(
    client: httpx.AsyncClient, stores: Stores, query: str
) -> None:
    # given
    before = stores.calls()
    # when
    body = await post(client, query)
    # then
    [error] = body["errors"]
    assert error["extensions"]["code"] == "query_too_costly"
    assert error["extensions"]["budget"] == BUDGETS.public
    assert error["extensions"]["cost"] > BUDGETS.public
    assert body.get("data") is None
    assert stores.calls() == before


async def test_small_nested_query_is_answered_with_its_cost(client: httpx.AsyncClient) -> None:
    body = await post(client, nested_adjacent(2))
    assert "errors" not in body
    assert body["data"]["district"]["adjacent"]
    assert body["extensions"]["cost"] == {
        "requested": 1 + 7 * (1 + 7),
        "budget": BUDGETS.public,
        "tier": "public",
    }


async def test_variables_change_the_cost(client: httpx.AsyncClient) -> None:
    query = "query ($n: Int) { sensors(first: $n) { edges { node { id } } } }"
    small = await post(client, query, {"n": 2})
    large = await post(client, query, {"n": 40})
    assert small["extensions"]["cost"]["requested"] == 1 + 2 * 2
    assert large["extensions"]["cost"]["requested"] == 1 + 40 * 2


async def test_higher_tier_gets_a_bigger_budget(
    client: httpx.AsyncClient, keys: dict[Tier, str]
) -> None:
    # given: every dong's boundary costs more than public's budget, less than developer's
    public = await post(client, DONG_BOUNDARIES)
    developer = await post(client, DONG_BOUNDARIES, key=keys[Tier.DEVELOPER])
    # then
    assert public["errors"][0]["extensions"]["code"] == "query_too_costly"
    assert "errors" not in developer
    assert developer["data"]["districts"]
    assert developer["extensions"]["cost"]["budget"] == BUDGETS.developer
    assert developer["extensions"]["cost"]["tier"] == "developer"
    operator = await post(client, ALIAS_BOMB, key=keys[Tier.OPERATOR])
    assert operator["errors"][0]["extensions"]["budget"] == BUDGETS.operator


async def test_readme_query_is_answered_for_public(client: httpx.AsyncClient) -> None:
    body = await post(client, README_QUERY)
    assert "errors" not in body, body.get("errors")
    assert body["extensions"]["cost"]["requested"] <= BUDGETS.public


async def test_costly_mutation_is_refused_before_it_runs(
    client: httpx.AsyncClient, stores: Stores
) -> None:
    # given: 30 ballots in one request (each a BBS proof check, weight 100)
    ballots = " ".join(f"b{i}: castBallot(ballot: {{}}) {{ __typename }}" for i in range(30))
    before = stores.calls()
    body = await post(client, f"mutation {{ {ballots} }}")
    assert body["errors"][0]["extensions"]["code"] == "query_too_costly"
    assert stores.calls() == before


@pytest.fixture
async def frugal_server(
    settings: Settings, stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[str]:
    """A server where one pushed reading (weighted 20 here) is over public's budget (10).

    Every event of today's schema costs 1 (one object of values), so the weight is set here:
    what is tested is the websocket door, not the table.
    """
    monkeypatch.setitem(FIELD_COSTS, "Subscription.sensorReadings", FieldCost(weight=20))
    analysis._shape.cache_clear()
    frugal = settings.model_copy(update={"cost_budget_public": 10})
    app = create_app(frugal, stores)
    try:
        async with app.router.lifespan_context(app), serving(app) as url:
            yield url.replace("http://", "ws://") + "/graphql"
    finally:
        monkeypatch.undo()
        analysis._shape.cache_clear()


SUBSCRIBE = 'subscription { sensorReadings(district: "11680") { id values { value } } }'
CHEAP = 'subscription { alerts(district: "11680") { id } }'


async def subscribe(url: str, query: str) -> dict[str, Any]:
    """The first message after a graphql-transport-ws subscribe (or "waiting" for none)."""
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
        await socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        try:
            message: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), 2))
        except TimeoutError:
            return {"type": "waiting"}
        return message


async def test_costly_subscription_is_refused_at_subscribe(frugal_server: str) -> None:
    refused = await subscribe(frugal_server, SUBSCRIBE)
    assert refused["type"] == "error"
    [error] = refused["payload"]
    assert error["extensions"] == {"code": "query_too_costly", "cost": 21, "budget": 10}
    cheap = await subscribe(frugal_server, CHEAP)
    assert cheap["type"] == "waiting"  # accepted: no error; events come when alerts do


async def test_boundaries_are_parsed_once_per_process_not_per_answer(
    client: httpx.AsyncClient,
) -> None:
    # given
    parsed_geometry.cache_clear()
    await post(client, "{ districts { boundary } }")
    first = parsed_geometry.cache_info()
    # when the same boundaries are asked twice more
    body = await post(client, "{ a: districts { boundary } b: districts { boundary } }")
    # then nothing is parsed again
    again = parsed_geometry.cache_info()
    assert len(body["data"]["a"]) == 25
    assert first.misses == again.misses == 25
    assert again.hits == first.hits + 50
