"""Apollo Client (npm `@apollo/client` and its PersistedQueryLink) against the merged server:
automatic persisted queries by POST and by GET, and trusted documents registered from the
manifest of the operations the client sends."""

from __future__ import annotations

import asyncio
import json
import shutil
import uuid
from typing import Any

import pytest

from civicgraph.app import create_app
from civicgraph.persisted_manifest import read_manifest
from civicgraph.persisted_mode import PersistedDocumentsMode
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from graph.records.api_keys import Tier
from graph.records.persisted_documents import register_documents, remove_documents
from resolvers.schema import build_schema
from tests.e2e.conftest import serving
from tests.helpers import REPO

SCRIPT = REPO / "gateway" / "scripts" / "apq-client.mjs"
WAIT_S = 60


def unique_query() -> str:
    """A query no other test sent (the session's app keeps one APQ store)."""
    return f"query Districts{uuid.uuid4().hex[:12]} {{ districts {{ code nameEn }} }}"


async def apollo_client(url: str, query: str, *args: str) -> dict[str, Any]:
    """Runs gateway/scripts/apq-client.mjs: {"requests": [...], "results": [...]}."""
    node = shutil.which("node")
    if node is None or not (REPO / "gateway" / "node_modules" / "@apollo" / "client").exists():
        pytest.skip("node and `npm ci --prefix gateway` are needed (make test runs it)")
    process = await asyncio.create_subprocess_exec(
        node,
        str(SCRIPT),
        "--url",
        url + "/graphql",
        "--query",
        query,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), WAIT_S)
    assert process.returncode == 0, err.decode()
    result: dict[str, Any] = json.loads(out)
    return result


def steps(run: dict[str, Any]) -> list[tuple[str, bool, list[str]]]:
    """Each request as (method, whether the text was sent, error codes)."""
    return [(r["method"], r["query"] is not None, r["codes"]) for r in run["requests"]]


def assert_apq_round_trip(run: dict[str, Any], hashed_method: str) -> None:
    """First query: the hash alone, NOT_FOUND, then hash and text; second: the hash alone."""
    assert steps(run) == [
        (hashed_method, False, ["PERSISTED_QUERY_NOT_FOUND"]),
        ("POST", True, []),
        (hashed_method, False, []),
    ]
    assert all(r["hash"] is not None for r in run["requests"])
    first, second = run["results"]
    assert first["error"] is None
    assert second == first
    assert len(first["data"]["districts"]) == 25


async def test_apollo_client_persisted_queries_by_post(server: str) -> None:
    run = await apollo_client(server, unique_query())
    assert_apq_round_trip(run, "POST")


async def test_apollo_client_persisted_queries_by_get(server: str) -> None:
    run = await apollo_client(server, unique_query(), "--get")
    assert_apq_round_trip(run, "GET")


async def test_apollo_client_trusted_documents(
    settings: Settings, stores: Stores, keys: dict[Tier, str]
) -> None:
    # given a trusted-documents server, and the text Apollo Client sends for one query,
    # registered from an Apollo manifest as `civicgraph documents register` reads it
    trusted = settings.model_copy(update={"persisted_documents": PersistedDocumentsMode.TRUSTED})
    app = create_app(trusted, stores)
    registered, unregistered = unique_query(), unique_query()
    client = f"web-{uuid.uuid4().hex[:8]}"
    async with app.router.lifespan_context(app), serving(app) as url:
        learnt = await apollo_client(url, registered, "--times", "1", "--key", keys[Tier.OPERATOR])
        text = next(r["query"] for r in learnt["requests"] if r["query"] is not None)
        name = registered.split()[1]
        manifest = {
            "format": "apollo-persisted-query-manifest",
            "version": 1,
            "operations": [
                {
                    "id": learnt["requests"][0]["hash"],
                    "name": name,
                    "type": "query",
                    "body": text,
                }
            ],
        }
        documents = read_manifest(
            json.dumps(manifest).encode(), client, build_schema()._schema, 32 * 1024, 5000
        )
        await register_documents(stores.records, client, documents)
        try:
            # when a client without a key asks the registered query, then another
            allowed = await apollo_client(url, registered)
            refused = await apollo_client(url, unregistered, "--times", "1")
        finally:
            await remove_documents(stores.records, client)
    # then the registered one runs by its hash alone, the other is refused and not retried
    assert steps(allowed) == [("POST", False, []), ("POST", False, [])]
    assert allowed["results"][0]["error"] is None
    assert len(allowed["results"][0]["data"]["districts"]) == 25
    assert steps(refused) == [("POST", False, ["PERSISTED_QUERY_NOT_IN_LIST"])]
    assert refused["results"][0]["error"] is not None
