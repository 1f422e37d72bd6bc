"""API keys and tiers: personal fields, listing people, bad and revoked keys (resident counts
per tier: test_privacy.py)."""

from __future__ import annotations

import httpx

from civicgraph.stores import Stores
from graph.records import api_keys
from graph.records.api_keys import Tier
from tests.helpers import error_codes, graphql

CITIZEN = """
{ citizens(first: 1) { edges { node { id district { code } birthYear sex welfareEligible } } } }
"""
LISTING = "{ citizens(first: 1) { totalCount edges { node { id district { code } } } } }"


async def test_personal_fields_and_listing_people_are_forbidden_below_analyst(
    client: httpx.AsyncClient, keys: dict[Tier, str]
) -> None:
    for key in (None, keys[Tier.DEVELOPER]):
        for query in (CITIZEN, LISTING):
            body = await graphql(client, query, key=key)
            assert set(error_codes(body)) == {"forbidden"}
            assert body["data"] is None  # citizens is non-null: the refusal nulls the whole answer


async def test_analysts_and_operators_see_personal_fields(
    client: httpx.AsyncClient, keys: dict[Tier, str]
) -> None:
    for tier in (Tier.ANALYST, Tier.OPERATOR):
        body = await graphql(client, CITIZEN, key=keys[tier])
        assert "errors" not in body, body
        node = body["data"]["citizens"]["edges"][0]["node"]  # type: ignore[index]
        assert isinstance(node["birthYear"], int)
        assert node["sex"] in {"F", "M"}


async def test_unknown_key_gets_401(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ districts { code } }"}, headers={"X-API-Key": "cg_nope"}
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "unauthenticated"


async def test_revoked_key_gets_401_and_bearer_header_works(
    client: httpx.AsyncClient, stores: Stores
) -> None:
    issued = await api_keys.create_key(stores.records, "short-lived", Tier.DEVELOPER)
    ok = await client.post(
        "/graphql",
        json={"query": "{ districts { code } }"},
        headers={"Authorization": f"Bearer {issued.secret}"},
    )
    assert ok.status_code == 200
    await api_keys.revoke_key(stores.records, issued.prefix)
    refused = await client.post(
        "/graphql", json={"query": "{ districts { code } }"}, headers={"X-API-Key": issued.secret}
    )
    assert refused.status_code == 401


async def test_keys_are_stored_hashed(stores: Stores) -> None:
    issued = await api_keys.create_key(stores.records, "hash check", Tier.ANALYST)
    stored = next(k for k in await api_keys.list_keys(stores.records) if k.prefix == issued.prefix)
    assert issued.secret not in (stored.hash, stored.name, stored.prefix)
    assert stored.hash == api_keys.hash_key(issued.secret)
