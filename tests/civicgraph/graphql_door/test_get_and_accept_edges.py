"""Edges of the GraphQL door's HTTP parameters: an empty GET parameter counts as absent (as
docs/api.md says), and an `Accept` q-value outside RFC 9110's grammar is ignored (weight 1)
rather than turning the range off."""

from __future__ import annotations

import httpx
import pytest

from civicgraph.graphql_door.negotiation import negotiate, weight

GQL = "application/graphql-response+json"
JSON = "application/json"


@pytest.mark.parametrize(
    ("params", "accept", "status"),
    [
        ({"query": ""}, GQL, 422),
        ({"query": ""}, JSON, 400),
        ({"query": "", "operationName": ""}, GQL, 422),
    ],
)
async def test_get_empty_query_is_absent_bad_request(
    client: httpx.AsyncClient, params: dict[str, str], accept: str, status: int
) -> None:
    response = await client.get("/graphql", params=params, headers={"accept": accept})
    assert response.status_code == status, response.text
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["bad_request"]


async def test_get_empty_operation_name_is_absent(client: httpx.AsyncClient) -> None:
    params = {"query": "{ districts { code } }", "operationName": ""}
    response = await client.get("/graphql", params=params, headers={"accept": GQL})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("application/json;q=2", JSON),
        ("application/json;q=-1", JSON),
        ("application/json;q=nan", JSON),
        ("application/json;q=0.5555", JSON),
        ("application/json;q=1_0", JSON),
        (f"{GQL};q=1.5, {JSON};q=0.9", GQL),
        ("application/json;q=0", None),
        ("application/json;q=0.000", None),
        (f"{GQL};q=0.001, {JSON};q=0.002", JSON),
    ],
)
def test_negotiate_ignores_invalid_q_values(accept: str, chosen: str | None) -> None:
    assert negotiate(accept) == chosen


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0.0), ("0.5", 0.5), ("0.125", 0.125), ("1", 1.0), ("1.000", 1.0), ("1.001", 1.0)],
)
def test_weight_reads_rfc9110_qvalues(text: str, expected: float) -> None:
    assert weight(text) == expected


async def test_accept_with_q_2_is_served_not_406(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql", params={"query": "{ districts { code } }"}, headers={"accept": f"{JSON};q=2"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(JSON)


@pytest.mark.parametrize("length", [b"\xb2", b"\xb9\xb2", b"1_0", b"-1", b"0x10"])
async def test_post_content_length_not_ascii_digits_is_json_invalid(
    client: httpx.AsyncClient, length: bytes
) -> None:
    request = client.build_request(
        "POST", "/graphql", json={"query": "{ districts { code } }"}, headers={"accept": GQL}
    )
    # raw bytes: a server reads header bytes as Latin-1, where 0xB2 is "²" (`str.isdigit` says yes)
    request.headers = httpx.Headers(
        [(k, v) for k, v in request.headers.raw if k.lower() != b"content-length"]
        + [(b"content-length", length)]
    )
    response = await client.send(request)
    assert response.status_code == 400, response.text
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["json_invalid"]


@pytest.mark.parametrize("name", ["variables", "extensions"])
async def test_a_get_parameter_that_is_not_json_is_named_not_called_the_body(
    client: httpx.AsyncClient, name: str
) -> None:
    response = await client.get(
        "/graphql",
        params={"query": "{ districts { code } }", name: "{oops"},
        headers={"accept": GQL},
    )
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "json_invalid"
    assert error["message"].startswith(f"{name}: not JSON"), error["message"]


async def test_a_post_body_that_is_not_json_says_the_body(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", content=b"{oops", headers={"accept": GQL, "content-type": JSON}
    )
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["message"].startswith("the body: not JSON")
