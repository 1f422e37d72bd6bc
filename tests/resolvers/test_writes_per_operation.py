"""Writes per operation and tier (finding 4 of issue 13: thirty aliased `fileCase` in one
public request made thirty anonymous cases, counted as one request)."""

from __future__ import annotations

import httpx
import pytest
from graphql import FragmentDefinitionNode, parse

from civicgraph.stores import Stores
from graph.records.api_keys import Tier
from resolvers.core.cost.analysis import select_operation
from resolvers.core.cost.writes import WriteLimits, writes
from tests.resolvers.test_cost import post

LIMITS = WriteLimits()
FILE = (
    '{alias}: fileCase(input: {{serviceCode: "noise", description: "{alias}", lat: 37.5115,'
    " lon: 127.0595}}) {{ __typename }}"
)


def filings(count: int) -> str:
    return "mutation { " + " ".join(FILE.format(alias=f"f{i}") for i in range(count)) + " }"


def count(query: str) -> int:
    document = parse(query)
    operation = select_operation(document, None)
    assert operation is not None
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return writes(operation, fragments, lambda node: True)


def test_writes_count_each_response_key_once() -> None:
    assert count(filings(30)) == 30
    assert count("mutation { __typename }") == 0
    assert count("{ districts { code } }") == 0
    # the same field twice merges into one write; fragments count where spread
    one = FILE.format(alias="f")
    assert count(f"mutation {{ {one} {one} }}") == 1
    assert (
        count(
            f"fragment F on Mutation {{ {one} }} "
            "mutation { ...F ...F g: fileCase(input: {}) { __typename } }"
        )
        == 2
    )


async def test_thirty_public_filings_in_one_request_are_refused_before_any_write(
    client: httpx.AsyncClient, stores: Stores
) -> None:
    # given
    before = stores.calls()
    # when
    body = await post(client, filings(30))
    # then
    [error] = body["errors"]
    assert error["extensions"] == {"code": "too_many_writes", "writes": 30, "limit": LIMITS.public}
    assert body.get("data") is None
    assert stores.calls() == before


async def test_one_public_filing_is_made(client: httpx.AsyncClient) -> None:
    body = await post(client, filings(1))
    assert "errors" not in body, body.get("errors")
    assert body["data"]["f0"]["__typename"] == "FileCaseSuccess"


@pytest.mark.parametrize("tier", [Tier.DEVELOPER, Tier.ANALYST])
async def test_keyed_tiers_write_up_to_their_limit(
    client: httpx.AsyncClient, keys: dict[Tier, str], tier: Tier
) -> None:
    limit = LIMITS.for_tier(tier)
    over = await post(client, filings(limit + 1), key=keys[tier])
    assert over["errors"][0]["extensions"]["code"] == "too_many_writes"
    fits = await post(client, filings(limit), key=keys[tier])
    assert "errors" not in fits, fits.get("errors")
