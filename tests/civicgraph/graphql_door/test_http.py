"""GraphQL over HTTP at `/graphql`: statuses, media types, operation choice and typed refusals."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

GQL = "application/graphql-response+json"
JSON = "application/json"
DISTRICT = "query($c:String!){ district(code:$c){ nameEn } }"


def codes(response: httpx.Response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json()["errors"]]


REQUEST_ERRORS = [
    # (id, request kwargs, status under graphql-response+json, code)
    (
        "lone-surrogate-variable",
        {"content": b'{"query":"' + DISTRICT.encode() + b'","variables":{"c":"\\ud800"}}'},
        400,
        "json_invalid",
    ),
    ("string-body", {"content": b'"just a string"'}, 422, "bad_request"),
    ("not-utf8", {"content": b'{"query":"{ districts { code } }\xff"}'}, 400, "json_invalid"),
    (
        "variables-100000-deep",
        {
            "content": b'{"query":"'
            + DISTRICT.encode()
            + b'","variables":{"c":'
            + b"[" * 100_000
            + b"]" * 100_000
            + b"}}"
        },
        400,
        "json_invalid",
    ),
    (
        "variables-40-deep",
        {
            "json": {
                "query": DISTRICT,
                "variables": {
                    "c": [
                        [
                            [
                                [
                                    [
                                        [
                                            [
                                                [
                                                    [
                                                        [
                                                            [
                                                                [
                                                                    [
                                                                        [
                                                                            [
                                                                                [
                                                                                    [
                                                                                        [
                                                                                            [
                                                                                                [
                                                                                                    [
                                                                                                        [
                                                                                                            [
                                                                                                                [
                                                                                                                    [
                                                                                                                        [
                                                                                                                            [
                                                                                                                                [
                                                                                                                                    [
                                                                                                                                        [
                                                                                                                                            [
                                                                                                                                                [
                                                                                                                                                    [
                                                                                                                                                        [
                                                                                                                                                            [
                                                                                                                                                                [
                                                                                                                                                                    [
                                                                                                                                                                        [
                                                                                                                                                                            [
                                                                                                                                                                                []
                                                                                                                                                                            ]
                                                                                                                                                                        ]
                                                                                                                                                                    ]
                                                                                                                                                                ]
                                                                                                                                                            ]
                                                                                                                                                        ]
                                                                                                                                                    ]
                                                                                                                                                ]
                                                                                                                                            ]
                                                                                                                                        ]
                                                                                                                                    ]
                                                                                                                                ]
                                                                                                                            ]
                                                                                                                        ]
                                                                                                                    ]
                                                                                                                ]
                                                                                                            ]
                                                                                                        ]
                                                                                                    ]
                                                                                                ]
                                                                                            ]
                                                                                        ]
                                                                                    ]
                                                                                ]
                                                                            ]
                                                                        ]
                                                                    ]
                                                                ]
                                                            ]
                                                        ]
                                                    ]
                                                ]
                                            ]
                                        ]
                                    ]
                                ]
                            ]
                        ]
                    ]
                },
            }
        },
        400,
        "json_invalid",
    ),
    (
        "nan-variable",
        {"content": b'{"query":"' + DISTRICT.encode() + b'","variables":{"c":NaN}}'},
        400,
        "json_invalid",
    ),
    ("no-query", {"json": {"qeury": "{ districts { code } }"}}, 422, "bad_request"),
    ("variables-a-list", {"json": {"query": DISTRICT, "variables": [7]}}, 422, "bad_request"),
    (
        "operation-name-a-number",
        {"json": {"query": DISTRICT, "operationName": 1}},
        422,
        "bad_request",
    ),
    ("parse", {"json": {"query": "{"}}, 400, "graphql_parse_failed"),
    (
        "literal-surrogate",
        {"json": {"query": '{ district(code:"\\ud800"){ nameEn } }'}},
        400,
        "graphql_parse_failed",
    ),
    ("too-many-tokens", {"json": {"query": "{" + " a" * 6000 + "}"}}, 400, "document_too_large"),
    (
        "too-long",
        {"json": {"query": "#" * 40_000 + "\n{ districts { code } }"}},
        400,
        "document_too_large",
    ),
    ("validation", {"json": {"query": "{ nope }"}}, 422, "graphql_validation_failed"),
    (
        "wrong-variable-type",
        {"json": {"query": DISTRICT, "variables": {"c": 5}}},
        422,
        "bad_user_input",
    ),
    (
        "int-2^63",
        {
            "json": {
                "query": "query($f:Int){ sensors(first:$f){ totalCount } }",
                "variables": {"f": 2**63},
            }
        },
        422,
        "bad_user_input",
    ),
    (
        "int-2^31",
        {
            "json": {
                "query": "query($f:Int){ sensors(first:$f){ totalCount } }",
                "variables": {"f": 2**31},
            }
        },
        422,
        "bad_user_input",
    ),
    ("missing-variable", {"json": {"query": DISTRICT}}, 422, "bad_user_input"),
    (
        "two-operations-no-name",
        {"json": {"query": "query A { districts { code } } query B { districts { code } }"}},
        422,
        "operation_not_found",
    ),
    (
        "unknown-operation-name",
        {"json": {"query": "query A { districts { code } }", "operationName": "Z"}},
        422,
        "operation_not_found",
    ),
    (
        "subscription-over-http",
        {"json": {"query": "subscription { alerts { id } }"}},
        422,
        "operation_not_supported",
    ),
]


@pytest.mark.parametrize(
    ("request_kwargs", "status", "code"),
    [row[1:] for row in REQUEST_ERRORS],
    ids=[row[0] for row in REQUEST_ERRORS],
)
async def test_request_errors_are_typed_4xx_without_data(
    client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
    request_kwargs: dict[str, object],
    status: int,
    code: str,
) -> None:
    # given a client that speaks graphql-response+json
    headers = {"accept": GQL, "content-type": JSON}
    caplog.set_level(logging.INFO)
    # when it sends a request that cannot run
    response = await client.post("/graphql", headers=headers, **request_kwargs)  # type: ignore[arg-type]
    # then it gets the spec's status, the code and no data; the server logs no error
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == f"{GQL}; charset=utf-8"
    assert codes(response) == [code]
    assert "data" not in response.json()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    ("request_kwargs", "status", "code"),
    [
        row[1:]
        for row in REQUEST_ERRORS
        if row[2] in (400, 422) and row[3] not in ("json_invalid", "bad_request")
    ],
    ids=[
        row[0]
        for row in REQUEST_ERRORS
        if row[2] in (400, 422) and row[3] not in ("json_invalid", "bad_request")
    ],
)
async def test_legacy_json_clients_get_200_for_well_formed_requests(
    client: httpx.AsyncClient, request_kwargs: dict[str, object], status: int, code: str
) -> None:
    response = await client.post("/graphql", headers={"accept": JSON}, **request_kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{JSON}; charset=utf-8"
    assert codes(response) == [code]


async def test_partial_success_is_294_with_data(subgraph_client: Any) -> None:
    query = (
        '{ _entities(representations: [{__typename: "District", code: "00000"}]) { __typename } }'
    )
    async with subgraph_client("city") as client:  # the door a gateway's subgraph call meets
        response = await client.post("/graphql", json={"query": query}, headers={"accept": GQL})
        assert response.status_code == 294
        assert response.json()["data"] == {"_entities": [None]}
        assert codes(response) == ["not_found"]
        legacy = await client.post("/graphql", json={"query": query}, headers={"accept": JSON})
        assert legacy.status_code == 200


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        (GQL, GQL),
        (f"{GQL}, {JSON};q=0.9", GQL),
        (f"{JSON}, {GQL};q=0.9", JSON),
        (f"{GQL};q=0.5, {JSON}", JSON),
        (f"{GQL}; charset=utf-8", GQL),
        (f"{GQL}; charset=latin-1, {JSON}", JSON),
        (f"text/html, {GQL};q=0.1", GQL),
        ("*/*;q=0.1, application/graphql-response+json", GQL),
    ],
)
async def test_response_media_type_is_negotiated_from_accept(
    client: httpx.AsyncClient, accept: str | None, media: str
) -> None:
    headers = {"accept": accept} if accept is not None else {}
    request = client.build_request("POST", "/graphql", json={"query": "{ districts { code } }"})
    if accept is None:
        del request.headers["accept"]
    request.headers.update(headers)
    response = await client.send(request)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{media}; charset=utf-8"


@pytest.mark.parametrize("accept", ["text/plain", "application/xml", f"{GQL};q=0, {JSON};q=0"])
async def test_an_unacceptable_accept_is_406(client: httpx.AsyncClient, accept: str) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ districts { code } }"}, headers={"accept": accept}
    )
    assert response.status_code == 406
    assert codes(response) == ["not_acceptable"]


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "text/plain", "application/json; charset=latin-1", None],
)
async def test_bodies_that_are_not_utf8_json_are_415(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    request = client.build_request(
        "POST", "/graphql", content=b'{"query":"{ districts { code } }"}'
    )
    request.headers.pop("content-type", None)
    if content_type is not None:
        request.headers["content-type"] = content_type
    response = await client.send(request)
    assert response.status_code == 415
    assert codes(response) == ["unsupported_media_type"]


async def test_a_mutation_by_get_is_405_with_allow_post(client: httpx.AsyncClient) -> None:
    query = (
        'mutation { fileCase(input: {serviceCode: "x", description: "y", lat: 37.5, lon: 127})'
        " { __typename } }"
    )
    response = await client.get("/graphql", params={"query": query}, headers={"accept": GQL})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert codes(response) == ["method_not_allowed"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
async def test_other_methods_are_405_with_allow(client: httpx.AsyncClient, method: str) -> None:
    response = await client.request(method, "/graphql", headers={"accept": GQL})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


async def test_get_takes_variables_and_operation_name_as_the_spec_encodes_them(
    client: httpx.AsyncClient,
) -> None:
    document = "query A { districts { code } } query B($c: String!) { district(code: $c) { code } }"
    params = {
        "query": document,
        "operationName": "B",
        "variables": '{"c":"11680"}',
        "extensions": "",
    }
    response = await client.get("/graphql", params=params, headers={"accept": GQL})
    assert response.status_code == 200
    assert response.json()["data"] == {"district": {"code": "11680"}}
    broken = await client.get(
        "/graphql", params={**params, "variables": "{"}, headers={"accept": GQL}
    )
    assert broken.status_code == 400
    assert codes(broken) == ["json_invalid"]


async def test_a_body_over_the_limit_is_413_even_chunked(client: httpx.AsyncClient) -> None:
    big = b'{"query":"' + b"#" * 2_000_000 + b'"}'
    declared = await client.post("/graphql", content=big, headers={"content-type": JSON})
    assert declared.status_code == 413

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: it arrives chunked
        for _ in range(40):
            yield b"#" * 64_000

    chunked = await client.post("/graphql", content=chunks(), headers={"content-type": JSON})
    assert chunked.status_code == 413
    assert codes(chunked) == ["payload_too_large"]


async def test_the_explorer_is_served_to_browsers(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers={"accept": "text/html,*/*;q=0.8"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
