"""A variable given as null where its usage needs a value (a non-null argument with a default,
which GraphQL lets a nullable variable fill) is `bad_user_input` before anything runs, named,
in an operation or inside a fragment; left out, the default applies."""

from __future__ import annotations

import httpx
import pytest

from graph.records.api_keys import Tier

HISTORY = """query ($h: Int) {
  predictionHistory(kind: WATER_ANOMALY, subject: "wq-han-03", hours: $h) { score } }"""
IN_FRAGMENT = """query ($a: Boolean) { ...P }
fragment P on Query { predictions(kind: WATER_ANOMALY, alarmsOnly: $a) { totalCount } }"""


@pytest.mark.parametrize(
    ("query", "variable"), [(HISTORY, "h"), (IN_FRAGMENT, "a")], ids=["argument", "in-fragment"]
)
async def test_a_null_where_a_value_is_needed_is_bad_user_input(
    client: httpx.AsyncClient, keys: dict[Tier, str], query: str, variable: str
) -> None:
    analyst = {"X-API-Key": keys[Tier.ANALYST], "accept": "application/graphql-response+json"}
    refused = await client.post(
        "/graphql", json={"query": query, "variables": {variable: None}}, headers=analyst
    )
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "bad_user_input"
    assert f"${variable} is null where a value is required" in error["message"]
    # and left out, the argument's default is used
    ran = await client.post("/graphql", json={"query": query}, headers=analyst)
    assert ran.status_code == 200, ran.text
    assert "errors" not in ran.json()


async def test_a_nul_in_a_variable_names_the_variable_s_path(client: httpx.AsyncClient) -> None:
    query = """mutation ($input: FileCaseInput!) { fileCase(input: $input) { __typename } }"""
    variables = {
        "input": {"serviceCode": "noise", "description": "a\x00b", "lat": 37.5, "lon": 127.0}
    }
    body = (await client.post("/graphql", json={"query": query, "variables": variables})).json()
    [error] = body["errors"]
    assert error["message"].startswith("Variable $input.description holds a NUL character")
