"""Text the stores cannot hold is refused at every door, in the door's own typed error, on
every backend: U+0000 (NUL), which PostgreSQL's `text` refuses while SQLite keeps it, so an
unchecked NUL was a server fault on one backend and stored on the other. Nothing runs, so
nothing is written (graph.storable_text)."""

from __future__ import annotations

import httpx
import pytest

from graph.records.api_keys import Tier
from resolvers.core.pagination import encode_cursor
from tests.contract.conftest import Backend

NUL = "Dark\x00corner"
COEX = {"lat": 37.5115, "lon": 127.0595}  # inside Gangnam-gu
FILE_CASE = """mutation ($input: FileCaseInput!) {
  fileCase(input: $input) { ... on FileCaseSuccess { case { id } } } }"""
REJECT = """mutation ($id: ID!, $note: String!) {
  rejectReview(input: {id: $id, note: $note}) { __typename } }"""
CASE = "query ($id: ID!) { case(id: $id) { id } }"


@pytest.mark.parametrize(
    ("query", "variables", "tier"),
    [
        (
            FILE_CASE,
            {"input": {"serviceCode": "streetlight-out", "description": NUL, **COEX}},
            None,
        ),
        (REJECT, {"id": "review-1", "note": NUL}, Tier.ANALYST),
        (CASE, {"id": NUL}, None),
    ],
    ids=["mutation-input-field", "mutation-argument", "query-argument"],
)
async def test_a_nul_in_a_variable_is_bad_user_input_and_nothing_runs(
    backend: Backend,
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, object],
    tier: Tier | None,
) -> None:
    headers = {"X-API-Key": backend.keys[tier]} if tier else {}
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"accept": "application/graphql-response+json", **headers},
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "bad_user_input"
    assert "NUL character (U+0000)" in error["message"]


@pytest.mark.parametrize(
    "query",
    [
        '{ case(id: "case-\\u0000") { id } }',
        '{ case(id: "case-\\u{0}") { id } }',
        'query ($id: ID! = "case-\\u0000") { case(id: $id) { id } }',
        'mutation { fileCase(input: {serviceCode: "noise", description: """a\x00b""",'
        " lat: 37.5115, lon: 127.0595}) { __typename } }",
    ],
    ids=["escape", "braced-escape", "default-value", "block-string"],
)
async def test_a_nul_in_a_literal_fails_validation_and_nothing_runs(
    client: httpx.AsyncClient, query: str
) -> None:
    response = await client.post(
        "/graphql", json={"query": query}, headers={"accept": "application/graphql-response+json"}
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert "data" not in body
    assert {e["extensions"]["code"] for e in body["errors"]} == {"graphql_validation_failed"}


async def test_open311_refuses_a_nul_in_a_field_or_parameter_with_400(
    client: httpx.AsyncClient,
) -> None:
    fields = {"service_code": "noise", "description": NUL, "lat": 37.5115, "long": 127.0595}
    answers = [
        await client.post("/open311/v2/requests.json", json=fields),
        await client.post("/open311/v2/requests.json", data={k: str(v) for k, v in fields.items()}),
        await client.get("/open311/v2/requests.json", params={"service_code": "noise\x00"}),
    ]
    for answer in answers:
        assert answer.status_code == 400, answer.text
        [problem] = answer.json()
        assert problem["code"] == 400
        assert "NUL character (U+0000)" in problem["description"]


async def test_ingest_refuses_a_nul_in_a_sensor_id_or_data_type(
    backend: Backend, client: httpx.AsyncClient
) -> None:
    at = "2026-11-25T09:00:00+09:00"
    for reading in (
        {"sensor_id": "sdot-\x00", "measured_at": at, "values": {"pm25": 1.0}},
        {"sensor_id": "sdot-11680-0000", "measured_at": at, "values": {"pm\x0025": 1.0}},
    ):
        response = await client.post(
            "/ingest/readings",
            json={"readings": [reading]},
            headers={"X-API-Key": backend.keys[Tier.OPERATOR]},
        )
        assert response.status_code == 422, response.text
        assert "NUL character (U+0000)" in response.text


async def test_a_certificate_proof_of_a_nul_id_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get("/certificates/cert-%00/proof")
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("query", "tier"),
    [
        ("query ($a: String) { cases(first: 1, after: $a) { edges { cursor } } }", None),
        (
            "query ($a: String) { reviewQueue(first: 1, after: $a) { edges { cursor } } }",
            Tier.ANALYST,
        ),
        (
            "query ($a: String) { predictions(kind: WATER_ANOMALY, first: 1, after: $a)"
            " { edges { cursor } } }",
            Tier.ANALYST,
        ),
    ],
    ids=["graph-cursor", "records-cursor", "prediction-cursor"],
)
async def test_a_cursor_holding_a_nul_is_a_bad_cursor(
    backend: Backend, client: httpx.AsyncClient, query: str, tier: Tier | None
) -> None:
    headers = {"X-API-Key": backend.keys[tier]} if tier else {}
    cursor = encode_cursor("case-00000001\x00")
    response = await client.post(
        "/graphql", json={"query": query, "variables": {"a": cursor}}, headers=headers
    )
    [error] = response.json()["errors"]
    assert (error["extensions"]["code"], error["extensions"]["field"]) == ("bad_cursor", "after")
