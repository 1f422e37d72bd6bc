"""Time and size limits of the GraphQL door, on an app of their own (same stores)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette

from civicgraph.app import create_app
from civicgraph.graphql_door.encode import SMALL_ITEMS, encode_json
from civicgraph.graphql_door.results import encode_message
from civicgraph.graphql_door.shared_feeds import payload_text
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from graph.records.api_keys import Tier

GQL = "application/graphql-response+json"
TIMEOUT_S = 0.3


@pytest.fixture(scope="module")
async def tight_app(settings: Settings, stores: Stores) -> AsyncIterator[Starlette]:
    tight = settings.model_copy(
        update={"graphql_timeout_seconds": TIMEOUT_S, "graphql_max_response_bytes": 64 * 1024}
    )
    application = create_app(tight, stores)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def tight(tight_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=tight_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://civicgraph.test") as http:
        yield http


async def test_an_operation_past_the_time_limit_is_cancelled_with_timeout(
    tight: httpx.AsyncClient, stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a store that never answers
    cancelled = asyncio.Event()

    async def stuck(*args: Any, **kwargs: Any) -> Any:
        try:
            await asyncio.sleep(3600)
        finally:
            cancelled.set()

    monkeypatch.setattr(stores.graph, "get_nodes", stuck)
    # when a query needs it
    response = await tight.post(
        "/graphql", json={"query": '{ district(code:"11680") { code } }'}, headers={"accept": GQL}
    )
    # then the query is cancelled and answered with a typed timeout (execution had started)
    assert response.status_code == 294
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["timeout"]
    await asyncio.wait_for(cancelled.wait(), 5)
    # and the server answers the next request
    monkeypatch.undo()
    again = await tight.post("/graphql", json={"query": '{ district(code:"11680") { code } }'})
    assert again.json()["data"] == {"district": {"code": "11680"}}


async def test_a_result_over_the_response_limit_is_refused_with_response_too_large(
    tight: httpx.AsyncClient, client: httpx.AsyncClient, keys: dict[Tier, str]
) -> None:
    query = "{ districts(level: DONG) { code boundary } }"
    operator = {"x-api-key": keys[Tier.OPERATOR]}
    full = await client.post("/graphql", json={"query": query}, headers=operator)
    assert len(full.content) > 64 * 1024  # the default limit lets it through
    response = await tight.post(
        "/graphql", json={"query": query}, headers={"accept": GQL, **operator}
    )
    assert response.status_code == 294
    assert response.json()["data"] is None
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["response_too_large"]


def big_result(items: int) -> dict[str, object]:
    ring = [[127.0 + i * 1e-5, 37.5 + i * 1e-5] for i in range(50)]
    return {
        "data": {
            "districts": [{"code": f"{i:08}", "boundary": {"ring": ring}} for i in range(items)]
        }
    }


@pytest.mark.parametrize("items", [1, SMALL_ITEMS // 10, 2000])
async def test_sliced_encoding_writes_the_same_bytes_as_orjson(items: int) -> None:
    value = big_result(items)
    assert await encode_json(value, 1 << 30) == orjson.dumps(value)


async def test_encoding_a_large_result_gives_the_loop_back_and_stops_at_the_limit() -> None:
    # given a ~3 MB result and another task that counts its turns on the loop
    value = big_result(2000)
    turns = 0

    async def other() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(other())
    await asyncio.sleep(0)
    start = turns
    # when it is encoded
    encoded = await encode_json(value, 1 << 30)
    # then the other task ran in between (a slice at a time), and a limit stops the encoding
    task.cancel()
    assert encoded is not None
    assert turns - start >= len(encoded) // (512 * 1024)
    assert await encode_json(value, len(encoded) - 1) is None


async def test_a_websocket_result_over_the_limit_is_replaced_in_both_encoders() -> None:
    """The websocket doors send a result past the limit as the same message whose payload is
    `{"data": null, "errors": [response_too_large]}`; other messages have no limit."""
    result = big_result(50)
    limit = 1024
    assert len(orjson.dumps(result)) > limit
    message = {"id": "1", "type": "next", "payload": result}
    sent = orjson.loads(await encode_message(message, limit))
    assert sent["id"] == "1"
    assert sent["type"] == "next"
    assert sent["payload"]["data"] is None
    assert [e["extensions"]["code"] for e in sent["payload"]["errors"]] == ["response_too_large"]
    error = {"id": "1", "type": "error", "payload": [{"message": "x" * 2 * limit}]}
    assert orjson.loads(await encode_message(error, limit)) == error

    shared = SimpleNamespace(data=result["data"], errors=None, extensions=None)
    assert orjson.loads(await payload_text(shared, limit)) == sent["payload"]
    small = SimpleNamespace(data={"a": 1}, errors=None, extensions={"cost": 1})
    assert orjson.loads(await payload_text(small, limit)) == {
        "data": {"a": 1},
        "extensions": {"cost": 1},
    }
