"""Keys by request, end to end through HTTP: request, an operator approves, the claim shows the
secret once, the key works, rotates (the old secret is refused at once despite the door's key
cache), changes tier at once, is revoked; every refusal a typed ApiKeyError; the contact never
shown below the operator tier."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from starlette.applications import Starlette

from civicgraph.settings import Settings
from civicgraph.stores import Stores
from graph.records.api_keys import Tier
from tests.civicgraph.door import client, door_app
from tests.helpers import graphql

CONTACT = "kim.dev@example.com"
REQUEST = """
mutation ($input: RequestApiKeyInput!) {
  requestApiKey(input: $input) {
    __typename
    ... on RequestApiKeySuccess { claimToken request { id status tier name purpose } }
    ... on Error { code field message }
  }
}
"""
CLAIM = """
mutation ($token: String!) {
  claimApiKey(input: {token: $token}) {
    __typename
    ... on ClaimApiKeySuccess { status tier reason secret apiKey { prefix name tier } }
    ... on Error { code field message }
  }
}
"""
APPROVE = """
mutation ($id: ID!, $tier: ApiKeyTier) {
  approveApiKeyRequest(input: {id: $id, tier: $tier}) {
    __typename
    ... on DecideApiKeyRequestSuccess { request { id status grantedTier decidedAt } }
    ... on Error { code field message }
  }
}
"""
REJECT = """
mutation ($id: ID!, $reason: String!) {
  rejectApiKeyRequest(input: {id: $id, reason: $reason}) {
    __typename
    ... on DecideApiKeyRequestSuccess { request { id status reason } }
    ... on Error { code field message }
  }
}
"""
REQUESTS = """
query ($status: ApiKeyRequestStatus, $first: Int, $after: String) {
  apiKeyRequests(status: $status, first: $first, after: $after) {
    totalCount
    edges { cursor node { id name status contact } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
ME = "{ apiKey { prefix name tier createdAt rotatedAt revokedAt } }"
ROTATE = """
mutation { rotateApiKey {
  __typename
  ... on RotateApiKeySuccess { secret apiKey { prefix rotatedAt } }
  ... on Error { code field message }
} }
"""
REVOKE = """
mutation ($prefix: String) { revokeApiKey(input: {prefix: $prefix}) {
  __typename
  ... on RevokeApiKeySuccess { apiKey { prefix revokedAt } }
  ... on Error { code field message }
} }
"""
SET_TIER = """
mutation ($prefix: String!, $tier: ApiKeyTier!) {
  setApiKeyTier(input: {prefix: $prefix, tier: $tier}) {
    __typename
    ... on SetApiKeyTierSuccess { apiKey { prefix tier } }
    ... on Error { code field message }
  }
}
"""
OPERATOR_ONLY = "{ districts(level: GU) { code } }"
"""Any query: served at every tier (what the key's answers are checked against)."""


def fresh_ip() -> str:
    """A client IP of this test alone (the pending bound is per IP, the records shared)."""
    n = uuid.uuid4().int
    return f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250 + 1}"


def ask(name: str = "Mapo bus app", tier: str | None = None) -> dict[str, object]:
    given: dict[str, object] = {"name": name, "contact": CONTACT, "purpose": "bus arrivals"}
    if tier is not None:
        given["tier"] = tier
    return {"input": given}


def result(body: dict[str, object], field: str) -> dict[str, object]:
    assert "errors" not in body, body
    found: dict[str, object] = body["data"][field]  # type: ignore[index]
    return found


@pytest.fixture
async def cached_app(settings: Settings, stores: Stores) -> AsyncIterator[Starlette]:
    """An app whose door trusts a key lookup for 300 s: a change must not wait for it."""
    async with door_app(settings, stores, key_cache_seconds=300) as app:
        yield app


@pytest.fixture
async def http(cached_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with client(cached_app, fresh_ip()) as opened:
        yield opened


async def whoami(http: httpx.AsyncClient, secret: str) -> httpx.Response:
    return await http.post("/graphql", json={"query": ME}, headers={"X-API-Key": secret})


async def test_request_approve_claim_use_rotate_retier_revoke(
    http: httpx.AsyncClient, keys: dict[Tier, str]
) -> None:
    operator = keys[Tier.OPERATOR]
    # given a developer's request (no key)
    asked = result(await graphql(http, REQUEST, ask()), "requestApiKey")
    assert asked["__typename"] == "RequestApiKeySuccess", asked
    token = str(asked["claimToken"])
    request = asked["request"]
    assert isinstance(request, dict)
    assert request["status"] == "PENDING"
    # while pending, a claim says so
    pending = result(await graphql(http, CLAIM, {"token": token}), "claimApiKey")
    assert (pending["status"], pending["secret"]) == ("PENDING", None)
    # when an operator lists and approves it (as analyst: another tier than asked for)
    listed = result(await graphql(http, REQUESTS, {}, operator), "apiKeyRequests")
    edges = listed["edges"]
    assert isinstance(edges, list)
    mine = [e["node"] for e in edges if e["node"]["id"] == request["id"]]
    assert mine == [
        {"id": request["id"], "name": "Mapo bus app", "status": "PENDING", "contact": CONTACT}
    ]
    approved = result(
        await graphql(http, APPROVE, {"id": request["id"], "tier": "ANALYST"}, operator),
        "approveApiKeyRequest",
    )
    assert approved["request"]["grantedTier"] == "ANALYST"  # type: ignore[index]
    # then the first claim shows the secret, the second is refused
    claimed = result(await graphql(http, CLAIM, {"token": token}), "claimApiKey")
    assert claimed["status"] == "APPROVED"
    secret = str(claimed["secret"])
    prefix = claimed["apiKey"]["prefix"]  # type: ignore[index]
    assert secret.startswith(f"cg_{prefix}_")
    again = result(await graphql(http, CLAIM, {"token": token}), "claimApiKey")
    assert (again["__typename"], again["code"]) == ("ApiKeyError", "ALREADY_CLAIMED")
    # and the key works, as itself, at the granted tier
    me = (await whoami(http, secret)).json()["data"]["apiKey"]
    assert (me["prefix"], me["name"], me["tier"]) == (prefix, "Mapo bus app", "ANALYST")
    assert (await whoami(http, secret)).headers["ratelimit-policy"].startswith('"analyst"')
    # rotating gives a new secret under the same prefix; the old one is refused at once
    rotated = result(await graphql(http, ROTATE, key=secret), "rotateApiKey")
    new_secret = str(rotated["secret"])
    assert rotated["apiKey"]["prefix"] == prefix  # type: ignore[index]
    assert new_secret != secret
    assert (await whoami(http, secret)).status_code == 401
    assert (await whoami(http, new_secret)).json()["data"]["apiKey"]["rotatedAt"] is not None
    # a tier change takes effect at once despite the 300 s cache
    retiered = result(
        await graphql(http, SET_TIER, {"prefix": prefix, "tier": "DEVELOPER"}, operator),
        "setApiKeyTier",
    )
    assert retiered["apiKey"] == {"prefix": prefix, "tier": "DEVELOPER"}
    assert (await whoami(http, new_secret)).json()["data"]["apiKey"]["tier"] == "DEVELOPER"
    # revoking its own key ends it at once
    revoked = result(await graphql(http, REVOKE, {}, new_secret), "revokeApiKey")
    assert revoked["apiKey"]["revokedAt"] is not None  # type: ignore[index]
    assert (await whoami(http, new_secret)).status_code == 401


async def test_a_rejection_says_why_to_the_claim(
    http: httpx.AsyncClient, keys: dict[Tier, str]
) -> None:
    asked = result(await graphql(http, REQUEST, ask()), "requestApiKey")
    rid = asked["request"]["id"]  # type: ignore[index]
    rejected = result(
        await graphql(http, REJECT, {"id": rid, "reason": "name your app"}, keys[Tier.OPERATOR]),
        "rejectApiKeyRequest",
    )
    assert rejected["request"]["status"] == "REJECTED"  # type: ignore[index]
    claim = result(await graphql(http, CLAIM, {"token": asked["claimToken"]}), "claimApiKey")
    assert (claim["status"], claim["reason"], claim["secret"]) == (
        "REJECTED",
        "name your app",
        None,
    )
    late = result(
        await graphql(http, APPROVE, {"id": rid}, keys[Tier.OPERATOR]), "approveApiKeyRequest"
    )
    assert late["code"] == "ALREADY_DECIDED"


@pytest.mark.parametrize(
    ("variables", "code", "field"),
    [
        ({"input": {"name": " ", "contact": CONTACT, "purpose": "p"}}, "INVALID", "name"),
        (
            {"input": {"name": "n", "contact": "kim at example", "purpose": "p"}},
            "INVALID_CONTACT",
            "contact",
        ),
        ({"input": {"name": "n", "contact": CONTACT, "purpose": "p" * 2001}}, "INVALID", "purpose"),
        (
            {"input": {"name": "n", "contact": CONTACT, "purpose": "p", "tier": "OPERATOR"}},
            "TIER_NOT_GRANTABLE",
            "tier",
        ),
    ],
    ids=["blank-name", "not-an-address", "long-purpose", "operator-tier"],
)
async def test_a_bad_request_is_a_typed_error(
    http: httpx.AsyncClient, variables: dict[str, object], code: str, field: str
) -> None:
    refused = result(await graphql(http, REQUEST, variables), "requestApiKey")
    assert (refused["__typename"], refused["code"], refused["field"]) == (
        "ApiKeyError",
        code,
        field,
    )
    assert "kim" not in str(refused["message"])  # no message quotes a contact


async def test_pending_requests_are_bounded_per_client(settings: Settings, stores: Stores) -> None:
    async with (
        door_app(settings, stores, key_requests_pending_per_ip=2) as app,
        client(app, fresh_ip()) as spammer,
        client(app, fresh_ip()) as neighbour,
    ):
        made = [result(await graphql(spammer, REQUEST, ask()), "requestApiKey") for _ in range(3)]
        other = result(await graphql(neighbour, REQUEST, ask()), "requestApiKey")
    assert [m["__typename"] for m in made[:2]] == ["RequestApiKeySuccess"] * 2
    assert made[2]["code"] == "TOO_MANY_PENDING"
    assert other["__typename"] == "RequestApiKeySuccess"


async def test_the_queue_is_bounded_overall(settings: Settings, stores: Stores) -> None:
    pending = await stores.records.query(
        "SELECT COUNT(*) AS n FROM api_key_request WHERE status = 'pending'"
    )
    limit = int(pending[0]["n"])
    async with (
        door_app(settings, stores, key_requests_pending_max=limit) as app,
        client(app, fresh_ip()) as http,
    ):
        refused = result(await graphql(http, REQUEST, ask()), "requestApiKey")
    assert refused["code"] == "QUEUE_FULL"


@pytest.mark.parametrize("tier", [None, Tier.DEVELOPER, Tier.ANALYST])
async def test_operator_fields_and_mutations_are_refused_below_the_operator_tier(
    http: httpx.AsyncClient, keys: dict[Tier, str], tier: Tier | None
) -> None:
    key = keys[tier] if tier is not None else None
    asked = result(await graphql(http, REQUEST, ask()), "requestApiKey")
    rid = asked["request"]["id"]  # type: ignore[index]
    listing = await graphql(http, REQUESTS, {}, key)
    assert listing["errors"][0]["extensions"]["code"] == "forbidden"  # type: ignore[index]
    assert CONTACT not in str(listing)
    # the requester's own request, read back, does not show the contact either
    contact = await graphql(
        http,
        "mutation ($input: RequestApiKeyInput!) { requestApiKey(input: $input) { "
        "... on RequestApiKeySuccess { request { contact } } } }",
        ask(),
        key,
    )
    assert contact["errors"][0]["extensions"]["code"] == "forbidden"  # type: ignore[index]
    assert CONTACT not in str(contact)
    for document, variables, name in [
        (APPROVE, {"id": rid}, "approveApiKeyRequest"),
        (REJECT, {"id": rid, "reason": "no"}, "rejectApiKeyRequest"),
        (SET_TIER, {"prefix": "ffffffff", "tier": "OPERATOR"}, "setApiKeyTier"),
        (REVOKE, {"prefix": "ffffffff"}, "revokeApiKey"),
    ]:
        refused = result(await graphql(http, document, variables, key), name)
        assert refused["code"] == "FORBIDDEN", (name, refused)
    other = await graphql(http, '{ apiKey(prefix: "ffffffff") { prefix } }', {}, key)
    assert other["errors"][0]["extensions"]["code"] == "forbidden"  # type: ignore[index]


async def test_operator_refusals_have_their_codes(
    http: httpx.AsyncClient, keys: dict[Tier, str]
) -> None:
    operator = keys[Tier.OPERATOR]
    asked = result(await graphql(http, REQUEST, ask()), "requestApiKey")
    rid = asked["request"]["id"]  # type: ignore[index]
    cases = [
        (APPROVE, {"id": "kr-unknown"}, "approveApiKeyRequest", "NOT_FOUND"),
        (REJECT, {"id": "kr-unknown", "reason": "x"}, "rejectApiKeyRequest", "NOT_FOUND"),
        (APPROVE, {"id": rid, "tier": "OPERATOR"}, "approveApiKeyRequest", "TIER_NOT_GRANTABLE"),
        (REJECT, {"id": rid, "reason": ""}, "rejectApiKeyRequest", "INVALID"),
        (SET_TIER, {"prefix": "ffffffff", "tier": "ANALYST"}, "setApiKeyTier", "NOT_FOUND"),
        (REVOKE, {"prefix": "ffffffff"}, "revokeApiKey", "NOT_FOUND"),
        (CLAIM, {"token": "cgr_unknown"}, "claimApiKey", "INVALID_TOKEN"),
    ]
    for document, variables, name, code in cases:
        refused = result(await graphql(http, document, variables, operator), name)
        assert refused["code"] == code, (name, refused)
    bad_cursor = await graphql(http, REQUESTS, {"after": "bm90LW91cnM="}, operator)
    assert bad_cursor["errors"][0]["extensions"]["code"] == "bad_cursor"  # type: ignore[index]


async def test_calling_key_mutations_need_a_key(http: httpx.AsyncClient) -> None:
    rotate = result(await graphql(http, ROTATE), "rotateApiKey")
    revoke = result(await graphql(http, REVOKE, {}), "revokeApiKey")
    assert rotate["code"] == revoke["code"] == "KEY_REQUIRED"
    assert result(await graphql(http, ME), "apiKey") is None


async def test_requests_page_oldest_first(http: httpx.AsyncClient, keys: dict[Tier, str]) -> None:
    operator = keys[Tier.OPERATOR]
    for _ in range(2):
        async with client(http._transport.app, fresh_ip()) as other:  # type: ignore[attr-defined]
            await graphql(other, REQUEST, ask())
    first = result(
        await graphql(http, REQUESTS, {"first": 1, "status": None}, operator), "apiKeyRequests"
    )
    assert first["pageInfo"]["hasNextPage"] is True  # type: ignore[index]
    after = first["pageInfo"]["endCursor"]  # type: ignore[index]
    second = result(
        await graphql(http, REQUESTS, {"first": 1, "after": after, "status": None}, operator),
        "apiKeyRequests",
    )
    assert second["edges"][0]["cursor"] != first["edges"][0]["cursor"]  # type: ignore[index]


async def test_the_data_subgraph_serves_the_keys(
    subgraph_client: Callable[[str], contextlib.AbstractAsyncContextManager[httpx.AsyncClient]],
    keys: dict[Tier, str],
) -> None:
    # given the data subgraph alone (`civicgraph serve --subgraph data`)
    async with subgraph_client("data") as sub:
        # when a request is made, approved and claimed through it
        asked = result(await graphql(sub, REQUEST, ask("subgraph app")), "requestApiKey")
        rid = asked["request"]["id"]  # type: ignore[index]
        await graphql(sub, APPROVE, {"id": rid}, keys[Tier.OPERATOR])
        claimed = result(await graphql(sub, CLAIM, {"token": asked["claimToken"]}), "claimApiKey")
        # then the key it shows works there as itself
        me = result(await graphql(sub, ME, key=str(claimed["secret"])), "apiKey")
    assert (me["name"], me["tier"]) == ("subgraph app", "DEVELOPER")
