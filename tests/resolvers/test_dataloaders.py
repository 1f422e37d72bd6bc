"""No N+1: a page of 10 and a page of 100 with nested relations cost the same driver calls.

Calls are counted where they reach the drivers: LadybugDB's `AsyncConnection.execute` and the
records client's query methods.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import ladybug
import pytest
from tortoise.backends.sqlite.client import SqliteClient

from civicgraph.app import create_app
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from resolvers.core.pagination import encode_cursor
from tests.helpers import graphql

CASES = """
query ($first: Int!) {
  cases(first: $first) {
    edges { node {
      id
      district { code nameEn adjacent { code } }
      department { id nameEn datasets { id } }
      asset { id kind mountedOn { id } }
      events { kind at }
    } }
  }
}
"""
ASSETS = """
query ($first: Int!, $after: String) {
  assets(first: $first, after: $after, filter: { kind: [CCTV, SMART_POLE, WIFI_AP] }) {
    edges { node {
      id district { code } mountedOn { id } mountedAssets { id }
      sensors { id latestReading { measuredAt } datasets { id publisher { id } } }
    } }
  }
}
"""


@pytest.fixture(scope="module")
async def client(settings: Settings, stores: Stores) -> AsyncIterator[httpx.AsyncClient]:
    """The API with no cost budget in the way: these pages are heavy on purpose (100 cases
    with every relation cost ~63,000); what is measured here is driver calls."""
    budgets = {f"cost_budget_{tier}": 10**9 for tier in ("public", "developer", "analyst")}
    app = create_app(settings.model_copy(update={**budgets, "cost_budget_operator": 10**9}), stores)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://civicgraph.test"
        ) as http:
            yield http


class DriverCalls:
    def __init__(self) -> None:
        self.count = 0


@pytest.fixture
def driver_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[DriverCalls]:
    calls = DriverCalls()

    def counting(original: Any) -> Any:
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls.count += 1
            return await original(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(
        ladybug.AsyncConnection, "execute", counting(ladybug.AsyncConnection.execute)
    )
    for name in ("execute_query", "execute_query_dict"):
        monkeypatch.setattr(SqliteClient, name, counting(getattr(SqliteClient, name)))
    return calls


async def _calls_for(
    client: httpx.AsyncClient, calls: DriverCalls, query: str, first: int, after: str | None = None
) -> int:
    calls.count = 0
    body = await graphql(client, query, {"first": first, "after": after})
    assert "errors" not in body, body
    edges = next(iter(body["data"].values()))["edges"]  # type: ignore[union-attr]
    assert len(edges) == first
    return calls.count


async def test_cases_page_of_100_costs_what_a_page_of_10_costs(
    client: httpx.AsyncClient, driver_calls: DriverCalls
) -> None:
    small = await _calls_for(client, driver_calls, CASES, 10)
    large = await _calls_for(client, driver_calls, CASES, 100)
    assert small == large
    assert small <= 10  # one call per relation level, not per node


async def test_assets_page_of_100_costs_what_a_page_of_10_costs(
    client: httpx.AsyncClient, driver_calls: DriverCalls
) -> None:
    # given a page of 10 that, like the page of 100, reaches the smart poles and their sensors
    first_pole = (await graphql(client, ASSETS, {"first": 100}))["data"]["assets"]["edges"]  # type: ignore[index]
    ids = [e["node"]["id"] for e in first_pole]
    start = ids.index(next(i for i in ids if i.startswith("pole-")))
    after = encode_cursor(ids[start - 1])
    # when both are asked, then they cost the same
    small = await _calls_for(client, driver_calls, ASSETS, 10, after)
    large = await _calls_for(client, driver_calls, ASSETS, 100)
    assert small == large
    assert small <= 10


async def test_an_entity_found_by_a_relationship_is_not_read_again_by_its_owner(
    client: httpx.AsyncClient, driver_calls: DriverCalls
) -> None:
    # services finds a case's asset by CONCERNS and returns its view (an id); the merged
    # server turns it into the city's Asset through the city's loader, which finds the node
    # the request already read: one call for the relationship, none for the owner
    plain = "query ($first: Int!) { cases(first: $first) { edges { node { id } } } }"
    with_asset = (
        "query ($first: Int!) { cases(first: $first) { edges { node { id asset { kind } } } } }"
    )
    assert await _calls_for(client, driver_calls, with_asset, 10) == (
        await _calls_for(client, driver_calls, plain, 10) + 1
    )
