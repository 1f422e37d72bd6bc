"""Persisted queries at `/graphql`: Apollo's APQ protocol (GET and POST), every malformed
extension refused with its code, only validated documents stored, `off` and `trusted` modes."""

from __future__ import annotations

import functools
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from civicgraph.graphql_door.persisted import sha256_hex
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from graph.records.api_keys import Tier
from graph.records.db import open_records
from graph.records.persisted_documents import (
    PersistedDocument,
    register_documents,
    registered_document,
    remove_documents,
)
from tests.civicgraph.door import client as door_client
from tests.civicgraph.door import door_app, view_of

GQL = "application/graphql-response+json"
JSON = "application/json"
NO_CACHE = "private, no-cache, must-revalidate"
MUTATION = (
    'mutation { fileCase(input: {serviceCode: "x", description: "y", lat: 37.5, lon: 127})'
    " { __typename } }"
)


def fresh_query() -> str:
    """A valid query no other test has stored (the session's app shares one APQ store)."""
    return f"query Districts{uuid.uuid4().hex} {{ districts {{ code }} }}"


def apq(digest: object, version: object = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": digest}}


def codes(response: httpx.Response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json()["errors"]]


@pytest.mark.parametrize("accept", [GQL, JSON])
async def test_persisted_query_unknown_hash_is_not_found_200(
    client: httpx.AsyncClient, accept: str
) -> None:
    # given a hash the server never saw
    digest = sha256_hex(fresh_query())
    # when it is sent alone
    response = await client.post(
        "/graphql", json={"extensions": apq(digest)}, headers={"accept": accept}
    )
    # then Apollo's answer: 200, PERSISTED_QUERY_NOT_FOUND, not cached on the way
    assert response.status_code == 200, response.text
    assert codes(response) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert response.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert response.headers["cache-control"] == NO_CACHE


async def test_persisted_query_hash_with_text_is_stored_then_runs_by_hash_get_and_post(
    client: httpx.AsyncClient,
) -> None:
    # given a query sent once with its hash
    query = fresh_query()
    digest = sha256_hex(query)
    first = await client.post(
        "/graphql", json={"query": query, "extensions": apq(digest)}, headers={"accept": GQL}
    )
    assert first.status_code == 200, first.text
    # when the hash is sent alone, by POST and by GET
    by_post = await client.post(
        "/graphql", json={"extensions": apq(digest)}, headers={"accept": GQL}
    )
    by_get = await client.get(
        "/graphql",
        params={"extensions": json.dumps(apq(digest))},
        headers={"accept": GQL},
    )
    # then both run the stored text
    assert by_post.status_code == 200, by_post.text
    assert by_post.json()["data"] == first.json()["data"]
    assert by_get.status_code == 200, by_get.text
    assert by_get.json()["data"] == first.json()["data"]


async def test_persisted_query_hash_mismatch_is_400_and_not_stored(
    client: httpx.AsyncClient,
) -> None:
    # given a hash that is not the text's
    query, other = fresh_query(), fresh_query()
    digest = sha256_hex(other)
    # when both are sent
    response = await client.post(
        "/graphql", json={"query": query, "extensions": apq(digest)}, headers={"accept": JSON}
    )
    # then 400, and the hash still names nothing
    assert response.status_code == 400, response.text
    assert codes(response) == ["persisted_query_hash_mismatch"]
    again = await client.post("/graphql", json={"extensions": apq(digest)})
    assert codes(again) == ["PERSISTED_QUERY_NOT_FOUND"]


MALFORMED = [
    # (id, extensions, code)
    ("version-2", apq("a" * 64, 2), "persisted_query_version_not_supported"),
    ("version-true", apq("a" * 64, True), "persisted_query_version_not_supported"),
    ("version-string", apq("a" * 64, "1"), "persisted_query_version_not_supported"),
    (
        "version-missing",
        {"persistedQuery": {"sha256Hash": "a" * 64}},
        "persisted_query_version_not_supported",
    ),
    ("hash-63", apq("a" * 63), "persisted_query_invalid"),
    ("hash-65", apq("a" * 65), "persisted_query_invalid"),
    ("hash-upper", apq("A" * 64), "persisted_query_invalid"),
    ("hash-not-hex", apq("g" * 64), "persisted_query_invalid"),
    ("hash-nul", apq("a" * 63 + "\x00"), "persisted_query_invalid"),
    ("hash-number", apq(12345), "persisted_query_invalid"),
    ("hash-missing", {"persistedQuery": {"version": 1}}, "persisted_query_invalid"),
    ("extension-string", {"persistedQuery": "abc"}, "persisted_query_invalid"),
    ("extension-list", {"persistedQuery": [1, "a" * 64]}, "persisted_query_invalid"),
    ("extension-null", {"persistedQuery": None}, "persisted_query_invalid"),
]


@pytest.mark.parametrize(
    ("extensions", "code"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_persisted_query_malformed_extension_is_typed_400(
    client: httpx.AsyncClient, extensions: dict[str, Any], code: str, method: str
) -> None:
    # given a malformed persistedQuery extension
    # when it is sent by GET or POST
    if method == "GET":
        response = await client.get(
            "/graphql", params={"extensions": json.dumps(extensions)}, headers={"accept": GQL}
        )
    else:
        response = await client.post("/graphql", json={"extensions": extensions})
    # then a 400 with its code
    assert response.status_code == 400, response.text
    assert codes(response) == [code]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"extensions": "{not json"}, 400, "json_invalid"),
        ({"extensions": '"a string"'}, 422, "bad_request"),
        ({"extensions": "[1, 2]"}, 422, "bad_request"),
    ],
    ids=["not-json", "string", "list"],
)
async def test_persisted_query_get_extensions_not_a_json_object_is_refused(
    client: httpx.AsyncClient, params: dict[str, str], status: int, code: str
) -> None:
    response = await client.get("/graphql", params=params, headers={"accept": GQL})
    assert response.status_code == status, response.text
    assert codes(response) == [code]


async def test_persisted_query_post_extensions_not_an_object_is_refused(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/graphql", json={"extensions": ["persistedQuery"]}, headers={"accept": GQL}
    )
    assert response.status_code == 422, response.text
    assert codes(response) == ["bad_request"]


@pytest.mark.parametrize(
    "query",
    [
        "{ districts { noSuchField } }",  # fails validation
        "{ districts { code } ",  # does not parse
        "{ districts { code } }\x00",  # a NUL character
        "{ districts }",  # a selection missing
    ],
    ids=["validation", "parse", "nul", "no-selection"],
)
async def test_persisted_query_invalid_document_is_not_stored(
    client: httpx.AsyncClient, query: str
) -> None:
    # given an invalid document sent with its (right) hash
    query = f"# {uuid.uuid4().hex}\n{query}"
    digest = sha256_hex(query)
    first = await client.post("/graphql", json={"query": query, "extensions": apq(digest)})
    assert first.json().get("data") is None
    # when its hash is sent alone
    again = await client.post("/graphql", json={"extensions": apq(digest)})
    # then it was never stored
    assert codes(again) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_persisted_query_over_the_document_limit_is_not_stored(
    settings: Settings, stores: Stores
) -> None:
    # given a server whose documents are at most 256 characters, and a longer valid query
    query = "# " + "x" * 300 + "\n" + fresh_query()
    digest = sha256_hex(query)
    async with (
        door_app(settings, stores, graphql_max_document_chars=256) as app,
        door_client(app) as http,
    ):
        # when it is sent with its hash, then alone
        first = await http.post("/graphql", json={"query": query, "extensions": apq(digest)})
        again = await http.post("/graphql", json={"extensions": apq(digest)})
    # then the limit refused it, and nothing was stored
    assert codes(first) == ["document_too_large"]
    assert codes(again) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_persisted_query_get_with_the_hash_of_a_mutation_is_405(
    settings: Settings, stores: Stores
) -> None:
    # given a mutation stored under its hash
    digest = sha256_hex(MUTATION)
    async with door_app(settings, stores) as app:
        await view_of(app).persisted.remember(digest, MUTATION)
        async with door_client(app) as http:
            # when its hash is sent by GET
            response = await http.get(
                "/graphql",
                params={"extensions": json.dumps(apq(digest))},
                headers={"accept": GQL},
            )
    # then as for the text: a mutation is sent by POST
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == "POST"
    assert codes(response) == ["method_not_allowed"]


async def test_persisted_query_operation_selection_applies_to_the_stored_text(
    client: httpx.AsyncClient,
) -> None:
    # given a stored document of two operations
    name = uuid.uuid4().hex
    query = f"query A{name} {{ districts {{ code }} }} query B{name} {{ __typename }}"
    digest = sha256_hex(query)
    stored = await client.post(
        "/graphql",
        json={"query": query, "operationName": f"B{name}", "extensions": apq(digest)},
    )
    assert stored.json()["data"] == {"__typename": "Query"}
    # when its hash comes without an operation name
    response = await client.post(
        "/graphql", json={"extensions": apq(digest)}, headers={"accept": GQL}
    )
    # then GetOperation refuses it as it refuses the text
    assert response.status_code == 422, response.text
    assert codes(response) == ["operation_not_found"]


async def test_persisted_query_off_is_not_supported(settings: Settings, stores: Stores) -> None:
    # given a server with persisted queries off
    query = fresh_query()
    async with (
        door_app(settings, stores, persisted_documents="off") as app,
        door_client(app) as http,
    ):
        # when a hash comes, alone or with its text, or a query without one
        alone = await http.post("/graphql", json={"extensions": apq(sha256_hex(query))})
        with_text = await http.post(
            "/graphql", json={"query": query, "extensions": apq(sha256_hex(query))}
        )
        plain = await http.post("/graphql", json={"query": query})
    # then the extension is not supported (200, so Apollo Client stops hashing) and text runs
    for response in (alone, with_text):
        assert response.status_code == 200
        assert codes(response) == ["PERSISTED_QUERY_NOT_SUPPORTED"]
        assert response.headers["cache-control"] == NO_CACHE
    assert plain.status_code == 200
    assert "errors" not in plain.json()


async def test_trusted_documents_run_registered_and_refuse_the_rest(
    settings: Settings, stores: Stores, keys: dict[Tier, str]
) -> None:
    # given a trusted-documents server and one registered document
    client_name = f"app-{uuid.uuid4().hex[:8]}"
    registered, other = fresh_query(), fresh_query()
    digest = sha256_hex(registered)
    await register_documents(
        stores.records,
        client_name,
        [PersistedDocument(client_name, digest, digest, None, "query", registered)],
    )
    try:
        async with (
            door_app(settings, stores, persisted_documents="trusted") as app,
            door_client(app) as http,
        ):
            # when clients send the registered hash, its text, and anything else
            by_hash = await http.post("/graphql", json={"extensions": apq(digest)})
            by_get = await http.get("/graphql", params={"extensions": json.dumps(apq(digest))})
            by_text = await http.post("/graphql", json={"query": registered})
            unknown_hash = await http.post("/graphql", json={"extensions": apq(sha256_hex(other))})
            unknown_text = await http.post("/graphql", json={"query": other})
            unknown_both = await http.post(
                "/graphql", json={"query": other, "extensions": apq(sha256_hex(other))}
            )
            operator = await http.post(
                "/graphql",
                json={"query": other},
                headers={"x-api-key": keys[Tier.OPERATOR]},
            )
            developer = await http.post(
                "/graphql",
                json={"query": other},
                headers={"x-api-key": keys[Tier.DEVELOPER]},
            )
    finally:
        await remove_documents(stores.records, client_name)
    # then only the registered document runs, except for an operator key
    for response in (by_hash, by_get, by_text, operator):
        assert response.status_code == 200, response.text
        assert "errors" not in response.json()
    assert unknown_hash.status_code == 400
    assert codes(unknown_hash) == ["PERSISTED_QUERY_NOT_IN_LIST"]
    for response in (unknown_text, unknown_both, developer):
        assert response.status_code == 400
        assert codes(response) == ["QUERY_NOT_IN_SAFELIST"]


async def test_trusted_documents_are_not_learnt_from_clients(
    settings: Settings, stores: Stores, keys: dict[Tier, str]
) -> None:
    # given a trusted-documents server
    query = fresh_query()
    digest = sha256_hex(query)
    async with (
        door_app(settings, stores, persisted_documents="trusted") as app,
        door_client(app) as http,
    ):
        # when an operator runs a text with its hash, then a public client sends the hash
        ran = await http.post(
            "/graphql",
            json={"query": query, "extensions": apq(digest)},
            headers={"x-api-key": keys[Tier.OPERATOR]},
        )
        public = await http.post("/graphql", json={"extensions": apq(digest)})
    # then the operator's text ran but registered nothing
    assert ran.status_code == 200
    assert "errors" not in ran.json()
    assert codes(public) == ["PERSISTED_QUERY_NOT_IN_LIST"]


async def test_apq_finds_registered_documents_by_hash(
    client: httpx.AsyncClient, stores: Stores
) -> None:
    # given a document registered by an operator (APQ mode, the default)
    client_name = f"app-{uuid.uuid4().hex[:8]}"
    query = fresh_query()
    digest = sha256_hex(query)
    await register_documents(
        stores.records,
        client_name,
        [PersistedDocument(client_name, digest, digest, None, "query", query)],
    )
    try:
        # when its hash is sent alone, never having been sent with its text
        response = await client.post("/graphql", json={"extensions": apq(digest)})
    finally:
        await remove_documents(stores.records, client_name)
    # then it runs
    assert response.status_code == 200
    assert "errors" not in response.json()


async def test_subgraph_check_resolves_persisted_queries(
    subgraph_client: Any,
) -> None:
    # given a subgraph server's /graphql/check, as a gateway asks it
    query = fresh_query()
    digest = sha256_hex(query)
    async with subgraph_client("city") as http:
        # when a client's hash comes alone, then with its text, then alone again
        unknown = await http.post("/graphql/check", json={"extensions": apq(digest)})
        with_text = await http.post(
            "/graphql/check", json={"query": query, "extensions": apq(digest)}
        )
        known = await http.post("/graphql/check", json={"extensions": apq(digest)})
    # then the check answers as the merged server does, pricing the stored text
    assert codes(unknown) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert with_text.json()["extensions"]["cost"]["requested"] > 0
    assert known.json()["extensions"]["cost"] == with_text.json()["extensions"]["cost"]


async def test_trusted_documents_unreadable_is_503_not_a_refusal_of_the_document(
    settings: Settings, stores: Stores, tmp_path: Path
) -> None:
    # given a trusted-documents server whose registered documents cannot be read: real records
    # without their table, so the driver itself fails (as a lost database does)
    bare = await open_records(f"sqlite://{tmp_path / 'bare.sqlite3'}")
    await bare.query("DROP TABLE persisted_document")
    query = fresh_query()
    async with (
        door_app(settings, stores, persisted_documents="trusted") as app,
        door_client(app) as http,
    ):
        view_of(app).persisted.registered = functools.partial(registered_document, bare)
        # when a client sends a hash, a text, and both
        responses = [
            await http.post("/graphql", json={"extensions": apq(sha256_hex(query))}),
            await http.post("/graphql", json={"query": query}),
            await http.post(
                "/graphql", json={"query": query, "extensions": apq(sha256_hex(query))}
            ),
        ]
    # then each is a 503 to retry, never QUERY_NOT_IN_SAFELIST or PERSISTED_QUERY_NOT_IN_LIST
    for response in responses:
        assert response.status_code == 503, response.text
        assert codes(response) == ["persisted_documents_unavailable"]
        assert response.headers["retry-after"] == "5"
    await bare.close()
