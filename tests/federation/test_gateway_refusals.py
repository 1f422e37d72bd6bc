"""Refusals and tiers through both gateways as on the merged server: a bad key and the failed-key
rate limit refuse the whole request with the same status, body and headers; request errors,
NOT_FOUND and cost refusals keep `extensions.code`; each tier reads what it reads on the merged
server, and a public request reaches no personal field and no small aggregate."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import httpx
import pytest

from graph.records.api_keys import Tier
from tests.federation.conftest import AUTH_FAILURES_PER_MINUTE, Doors
from tests.federation.test_same_answers import DOORS, GATEWAYS, comparable, poll_input
from tests.resolvers.test_cost_analysis import nested_adjacent

ACROSS = '{ district(code: "11680") { code sensors { id } cases(first: 1) { totalCount } } }'
PERSONAL = """{
  citizens(first: 2) { edges { node { id birthYear sex welfareEligible district { code } } } }
}"""
FILED_BY = """{ cases(first: 3, filter: { district: ["11680"] }) { edges { node { id
  filedBy { id birthYear } district { code } } } } }"""
RESIDENTS = """{ district(code: "11680") { residentCount
  dong { code residentCount(bornFrom: 1990, bornTo: 1990) } } }"""
CREATE_POLL = """mutation($input: CreatePollInput!) { createPoll(input: $input) {
  __typename ... on PollError { code field message } } }"""
TIERS = [None, Tier.DEVELOPER, Tier.ANALYST, Tier.OPERATOR]


async def post(
    base: str, query: str, variables: dict[str, Any] | None = None, **headers: str
) -> httpx.Response:
    async with httpx.AsyncClient(timeout=60) as http:
        return await http.post(
            f"{base}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"accept": "application/json", **headers},
        )


def refusal(response: httpx.Response) -> tuple[int, Any, str | None, str | None]:
    """Status, body, and the WWW-Authenticate and Retry-After headers of a door refusal."""
    return (
        response.status_code,
        response.json(),
        response.headers.get("www-authenticate"),
        "present" if response.headers.get("retry-after") else None,
    )


@pytest.mark.parametrize("door", DOORS)
async def test_a_bad_key_is_refused_whole_then_rate_limited_as_on_the_merged_server(
    doors: Doors, door: str
) -> None:
    # given a client address of its own (its failed-key budget is AUTH_FAILURES_PER_MINUTE)
    client = {"x-forwarded-for": f"198.51.100.{DOORS.index(door) + 10}"}
    answers = [
        refusal(await post(getattr(doors, door), ACROSS, **client, **{"x-api-key": "no-such"}))
        for _ in range(AUTH_FAILURES_PER_MINUTE + 1)
    ]

    # then each bad key is a 401 with our body, and the one over the budget a 429
    unauthenticated = {
        "errors": [
            {"message": "unknown or revoked API key", "extensions": {"code": "unauthenticated"}}
        ]
    }
    challenge = 'Bearer realm="civicgraph", ApiKey'
    assert answers[:-1] == [(401, unauthenticated, challenge, None)] * AUTH_FAILURES_PER_MINUTE
    status, body, _, retry_after = answers[-1]
    assert (status, retry_after) == (429, "present")
    assert [e["extensions"]["code"] for e in body["errors"]] == ["rate_limited"]
    assert "data" not in body


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        pytest.param('{ district(code: "11680") { nope } }', {}, "graphql_validation_failed"),
        pytest.param('{ district(code: "11680") { code ', {}, "graphql_parse_failed"),
        pytest.param(
            "query ($c: String!) { district(code: $c) { code } }", {"c": 5}, "bad_user_input"
        ),
        pytest.param(
            "query A { logHead { treeSize } } query B { logHead { treeSize } }",
            {},
            "operation_not_found",
        ),
    ],
    ids=["validation", "parse", "variables", "operation-selection"],
)
async def test_a_request_error_keeps_the_merged_servers_code_and_status(
    doors: Doors, query: str, variables: dict[str, Any], code: str
) -> None:
    for base in (doors.merged, doors.apollo, doors.hive):
        response = await post(base, query, variables)
        assert response.status_code == 200, (base, response.text)
        body = response.json()
        assert [e["extensions"]["code"] for e in body["errors"]] == [code], (base, body)
        assert "data" not in body


HTTP_SHAPES = {
    "get-query": ("GET", {"query": '{ district(code: "11680") { code nameEn } }'}, None, {}),
    "get-variables": (
        "GET",
        {
            "query": "query($c: String!) { district(code: $c) { code } }",
            "variables": '{"c": "11680"}',
        },
        None,
        {},
    ),
    "get-mutation": ("GET", {"query": "mutation { __typename }"}, None, {}),
    "get-no-query": ("GET", {"variables": "{}"}, None, {"accept": "application/json"}),
    "text-plain": ("POST", {}, b'{"query": "{ __typename }"}', {"content-type": "text/plain"}),
    "form": (
        "POST",
        {},
        b"query=%7B__typename%7D",
        {"content-type": "application/x-www-form-urlencoded"},
    ),
    "not-json": ("POST", {}, b'{"query":', {"content-type": "application/json"}),
    "empty": ("POST", {}, b"", {"content-type": "application/json"}),
    "batch": ("POST", {}, b'[{"query": "{ __typename }"}]', {"content-type": "application/json"}),
    "put": ("PUT", {}, b"{}", {"content-type": "application/json"}),
    "post-subscription": (
        "POST",
        {},
        b'{"query": "subscription { alerts { id } }"}',
        {"content-type": "application/json", "accept": "application/json"},
    ),
    "get-subscription": ("GET", {"query": "subscription { alerts { id } }"}, None, {}),
    "persisted-hash-only": (
        "GET",
        {"extensions": '{"persistedQuery": {"version": 1, "sha256Hash": "' + "ab" * 32 + '"}}'},
        None,
        {"accept": "application/json"},
    ),
}
"""HTTP requests of every shape the merged server answers or refuses (GraphQL over HTTP):
method, query string, body, headers."""


@pytest.mark.parametrize("shape", HTTP_SHAPES)
async def test_each_http_request_shape_is_answered_as_on_the_merged_server(
    doors: Doors, shape: str
) -> None:
    # given one request, sent as it is to each door (a browser's GET needs no preflight header)
    method, params, content, headers = HTTP_SHAPES[shape]
    answers = []
    async with httpx.AsyncClient(timeout=60) as http:
        for base in (doors.merged, doors.apollo, doors.hive):
            response = await http.request(
                method, f"{base}/graphql", params=params, content=content, headers=headers
            )
            body = response.json()
            answers.append((response.status_code, comparable(body) if "data" in body else body))

    # then each gateway answers with the merged server's status and body
    assert answers[1:] == [answers[0]] * 2, answers


SENT_TWICE = [
    "x-api-key-twice",
    "bearer-twice",
    "two-bearers",
    "two-x-api-keys",
    "key-and-bearer",
    "empty-and-bearer",
]


@pytest.mark.parametrize("shape", SENT_TWICE)
async def test_a_key_header_sent_twice_means_the_same_through_each_gateway(
    doors: Doors, keys: dict[Tier, str], shape: str
) -> None:
    # given key headers repeated as separate lines (node keeps only the first Authorization),
    # from a client address of its own (a refused key counts against its failed-key budget)
    good, other = keys[Tier.DEVELOPER], keys[Tier.ANALYST]
    client = ("x-forwarded-for", f"198.51.100.{70 + SENT_TWICE.index(shape)}")
    headers = {
        "x-api-key-twice": [("x-api-key", good), ("x-api-key", good)],
        "bearer-twice": [("authorization", f"Bearer {good}"), ("authorization", f"Bearer {good}")],
        "two-bearers": [("authorization", f"Bearer {good}"), ("authorization", f"Bearer {other}")],
        "two-x-api-keys": [("x-api-key", good), ("x-api-key", other)],
        "key-and-bearer": [("x-api-key", good), ("authorization", f"Bearer {other}")],
        "empty-and-bearer": [("x-api-key", ""), ("authorization", f"Bearer {good}")],
    }[shape]
    answers = []
    async with httpx.AsyncClient(timeout=60) as http:
        for base in (doors.merged, doors.apollo, doors.hive):
            response = await http.post(
                f"{base}/graphql",
                json={"query": '{ district(code: "11680") { code } }'},
                headers=[("accept", "application/json"), client, *headers],
            )
            body = response.json()
            answers.append((response.status_code, comparable(body) if "data" in body else body))

    # then each door serves one key sent twice and refuses two different keys, alike
    assert answers[0][0] == (401 if shape.startswith(("two", "key-and", "empty")) else 200)
    assert answers[1:] == [answers[0]] * 2, answers


async def test_not_found_is_the_same_error_through_each_gateway(doors: Doors) -> None:
    query = '{ district(code: "99999") { code sensors { id } } }'
    answers = [comparable((await post(getattr(doors, d), query)).json()) for d in DOORS]
    assert answers[0]["errors"] == [
        {"message": "no district '99999'", "path": ["district"], "code": "not_found"}
    ]
    assert answers[1:] == [answers[0]] * 2


@pytest.mark.parametrize(
    "query",
    [
        nested_adjacent(10),
        "{ districts(level: DONG) { code sensors { id datasets { id publisher { datasets { id"
        " derivedFrom { id } } } } } } }",
    ],
    ids=["one-subgraph", "across-subgraphs"],
)
async def test_a_costly_query_is_refused_query_too_costly_through_each_gateway(
    doors: Doors, query: str
) -> None:
    for base in (doors.merged, doors.apollo, doors.hive):
        body = (await post(base, query)).json()
        assert body.get("data") is None, (base, body)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["query_too_costly"]


@pytest.mark.parametrize("tier", TIERS, ids=lambda t: t.value if t else "public")
@pytest.mark.parametrize(
    "query", [PERSONAL, FILED_BY, RESIDENTS], ids=["citizens", "filedBy", "residentCount"]
)
async def test_each_tier_reads_the_same_through_each_gateway(
    doors: Doors, keys: dict[Tier, str], tier: Tier | None, query: str
) -> None:
    key = {"x-api-key": keys[tier]} if tier else {}
    answers = [comparable((await post(getattr(doors, d), query, **key)).json()) for d in DOORS]
    assert answers[1:] == [answers[0]] * 2


@pytest.mark.parametrize("kind", GATEWAYS)
async def test_a_public_request_through_a_gateway_reaches_no_personal_field(
    doors: Doors, kind: str
) -> None:
    gateway = doors.gateway(kind)
    citizens = (await post(gateway, PERSONAL)).json()
    assert citizens.get("data") is None
    assert [e["extensions"]["code"] for e in citizens["errors"]] == ["forbidden"]
    filed = (await post(gateway, FILED_BY)).json()
    assert {e["extensions"]["code"] for e in filed["errors"]} == {"forbidden"}
    assert all(
        edge["node"]["filedBy"] is None
        for edge in (filed.get("data") or {"cases": {"edges": []}})["cases"]["edges"]
    )
    residents = (await post(gateway, RESIDENTS)).json()["data"]["district"]
    counts = [residents["residentCount"]] + [d["residentCount"] for d in residents["dong"]]
    assert all(count % 5 == 0 for count in counts), counts  # published bands, never exact


@pytest.mark.parametrize("tier", TIERS[:-1], ids=lambda t: t.value if t else "public")
async def test_an_operator_mutation_is_refused_the_same_below_operator(
    doors: Doors, keys: dict[Tier, str], tier: Tier | None
) -> None:
    # (an operator's createPoll succeeds: test_same_answers makes its poll with one)
    key = {"x-api-key": keys[tier]} if tier else {}
    variables = {"input": poll_input()}
    answers = [
        comparable((await post(getattr(doors, d), CREATE_POLL, variables, **key)).json())
        for d in DOORS
    ]
    assert answers[0]["data"]["createPoll"]["code"] == "FORBIDDEN"
    assert answers[1:] == [answers[0]] * 2


async def test_a_persisted_query_hash_runs_nothing_the_check_did_not_price(
    doors: Doors,
) -> None:
    # given a costly query registered by its hash through Apollo's automatic persisted queries
    # with cheap variables (priced 1,028: accepted)
    query = (
        "query W($n: Int!, $m: Int!) { a: districts { boundary adjacent { boundary } } "
        "s: sensors(first: $n) { edges { node { id datasets { id } } } } "
        "c: cases(first: $m) { edges { node { id events { kind } } } } }"
    )
    digest = hashlib.sha256(query.encode()).hexdigest()
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    async with httpx.AsyncClient(timeout=60) as http:
        registered = await http.post(
            f"{doors.apollo}/graphql",
            json={"query": query, "variables": {"n": 1, "m": 1}, "extensions": persisted},
            headers={"accept": "application/json"},
        )
        assert "data" in registered.json(), registered.text

        # when the hash alone is sent with costly variables, by a browser-like Accept
        answers = []
        for base in (doors.merged, doors.apollo, doors.hive):
            response = await http.get(
                f"{base}/graphql",
                params={"extensions": json.dumps(persisted), "variables": '{"n": 100, "m": 40}'},
                headers={"accept": "application/json, text/html"},
            )
            answers.append((response.status_code, response.headers["content-type"]))
            # then nothing runs: the answer is the merged server's explorer page, no data
            assert '"data"' not in response.text, (base, response.text[:300])
    assert answers[1:] == [answers[0]] * 2, answers
    assert answers[0][1].startswith("text/html")


@pytest.mark.parametrize("path", ["/graphql/", "//graphql", "/graphql/check", "/other"])
async def test_only_graphql_is_graphql_through_each_gateway(doors: Doors, path: str) -> None:
    # a form POST of a mutation (no browser preflight) at a path that is not /graphql
    mutation = (
        'mutation { fileCase(input: {serviceCode: "noise", description: "x", lat: 37.5, '
        "lon: 127.0}) { __typename } }"
    )
    async with httpx.AsyncClient(timeout=60) as http:
        for base in (doors.apollo, doors.hive):
            response = await http.post(
                base + path,
                content=f"query={mutation}".encode(),
                headers={"content-type": "application/x-www-form-urlencoded"},
            )
            assert response.status_code == 404, (base, response.text)
            assert response.json() == {"errors": [{"message": f"no route {path}"}]}


async def test_the_explorer_through_each_gateway_is_the_merged_servers(doors: Doors) -> None:
    pages = []
    async with httpx.AsyncClient(timeout=60) as http:
        for base in (doors.merged, doors.apollo, doors.hive):
            page = await http.get(f"{base}/graphql", headers={"accept": "text/html"})
            assets = [
                (await http.get(f"{base}{src}")).status_code
                for src in sorted(
                    set(re.findall(r'(?:src|href)="(/explorer/assets/[^"]+)"', page.text))
                )
            ]
            pages.append(
                (page.status_code, page.text, page.headers.get("content-security-policy"), assets)
            )
    assert pages[0][3], "the explorer page names no asset"
    assert set(pages[0][3]) == {200}, pages[0][3]
    assert pages[1:] == [pages[0]] * 2


async def test_no_gateway_answers_a_cross_site_preflight(doors: Doors) -> None:
    preflight = {
        "origin": "http://evil.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type, x-api-key",
    }
    async with httpx.AsyncClient(timeout=60) as http:
        for base in (doors.merged, doors.apollo, doors.hive):
            response = await http.options(f"{base}/graphql", headers=preflight)
            assert "access-control-allow-origin" not in response.headers, (base, response.headers)
            answer = await http.post(
                f"{base}/graphql",
                json={"query": "{ __typename }"},
                headers={"origin": "http://evil.example"},
            )
            assert "access-control-allow-origin" not in answer.headers, (base, answer.headers)
