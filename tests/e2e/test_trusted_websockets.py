"""Trusted documents hold over websockets as over HTTP: on both protocols a document that is
not registered is refused before it runs (graphql-transport-ws: close 4400; legacy graphql-ws:
an `error`), a registered one runs, and an operator key may send any text. When the registered
documents cannot be read now, only that operation is refused, coded to retry."""

from __future__ import annotations

import functools
import json
import uuid
from pathlib import Path

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
from tests.civicgraph.door import door_app, view_of
from tests.e2e.conftest import serving
from tests.e2e.websocket_client import LEGACY, START, TRANSPORT, closed_with, next_frame, opened
from tests.e2e.websocket_client import ws_url as ws_url_of

UNREGISTERED = [
    "query Unregistered { datasets(first: 1) { edges { node { id } } } }",
    'mutation { requestApiKey(input: {name: "ws", contact: "ws@example.com", purpose: "x"})'
    " { __typename } }",
]


def start(protocol: str, operation_id: str, query: str) -> str:
    return json.dumps({"id": operation_id, "type": START[protocol], "payload": {"query": query}})


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
async def test_trusted_documents_hold_over_websockets(
    settings: Settings, stores: Stores, keys: dict[Tier, str], protocol: str
) -> None:
    # given a trusted-documents server with one registered document
    client_name = f"app-{uuid.uuid4().hex[:8]}"
    registered = f"query Registered{uuid.uuid4().hex} {{ datasetThemes }}"
    digest = sha256_hex(registered)
    document = PersistedDocument(client_name, digest, digest, None, "query", registered)
    await register_documents(stores.records, client_name, [document])
    try:
        async with (
            door_app(settings, stores, persisted_documents="trusted") as app,
            serving(app) as url,
        ):
            ws_url = ws_url_of(url)
            # when a public client sends unregistered documents, then the registered one,
            # and an operator sends an unregistered one
            refused: list[int | None] = []
            errors: list[tuple[str, str]] = []
            for query in UNREGISTERED:
                ws = await opened(ws_url, protocol)
                await ws.send(
                    json.dumps({"id": "1", "type": START[protocol], "payload": {"query": query}})
                )
                if protocol == TRANSPORT:
                    refused.append(await closed_with(ws))
                else:
                    frame = await next_frame(ws)
                    errors.append((frame["type"], json.dumps(frame["payload"])))
                    await ws.close()
            runs: list[str] = []
            for query, key in ((registered, None), (UNREGISTERED[0], keys[Tier.OPERATOR])):
                ws = await opened(ws_url, protocol, key)
                await ws.send(
                    json.dumps({"id": "2", "type": START[protocol], "payload": {"query": query}})
                )
                frame = await next_frame(ws)
                runs.append(frame["type"])
                assert "errors" not in frame["payload"], frame
                await ws.close()
    finally:
        await remove_documents(stores.records, client_name)
    # then the unregistered ones were refused before running, the others ran
    if protocol == TRANSPORT:
        assert refused == [4400, 4400]
    else:
        assert [kind for kind, _ in errors] == ["error", "error"]
        assert all("QUERY_NOT_IN_SAFELIST" in text for _, text in errors)
    assert runs == (["next", "next"] if protocol == TRANSPORT else ["data", "data"])


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
async def test_unreadable_registered_documents_refuse_the_operation_to_retry(
    settings: Settings, stores: Stores, tmp_path: Path, protocol: str
) -> None:
    # given a trusted-documents server whose registered documents cannot be read (real records
    # without their table, as a lost database)
    bare = await open_records(f"sqlite://{tmp_path / 'bare.sqlite3'}")
    await bare.query("DROP TABLE persisted_document")
    try:
        async with (
            door_app(settings, stores, persisted_documents="trusted") as app,
            serving(app) as url,
        ):
            view_of(app).persisted.registered = functools.partial(registered_document, bare)
            ws = await opened(ws_url_of(url), protocol)
            # when a client subscribes twice on one socket
            frames = []
            for operation_id in ("1", "2"):
                await ws.send(start(protocol, operation_id, "{ datasetThemes }"))
                frames.append(await next_frame(ws))
            await ws.close()
    finally:
        await bare.close()
    # then each operation alone is refused, coded to retry, and the socket stayed open
    for operation_id, frame in zip(("1", "2"), frames, strict=True):
        assert (frame["type"], frame["id"]) == ("error", operation_id)
        payload = frame["payload"][0] if protocol == TRANSPORT else frame["payload"]
        assert payload["extensions"] == {
            "code": "persisted_documents_unavailable",
            "retryAfter": 5,
        }
