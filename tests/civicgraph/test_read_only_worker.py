"""A worker that opened the graph read-only (`CIVIC_GRAPH_READ_ONLY`) answers a graph write
with its door's 503, not a 500 and a traceback (LadybugDB's own refusal is an untyped error):
a review filed a case through Open311 and `fileCase` on one. It answers reads with what the
writer has committed."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from civicgraph.app import create_app
from civicgraph.settings import Settings
from civicgraph.stores import Stores, open_stores
from graph.records import write_intents
from tests.civicgraph.door import client as door_client

FILE_CASE = """mutation { fileCase(input: { serviceCode: "noise", description: "Night work",
  lat: 37.5115, lon: 127.0595 }) { ... on FileCaseSuccess { case { id } }
  ... on ServicesError { code message } } }"""


async def file_case(http: httpx.AsyncClient, description: str) -> httpx.Response:
    """An Open311 filing of a noise complaint in Gangnam."""
    form = {"service_code": "noise", "description": description, "lat": "37.5115"}
    return await http.post("/open311/v2/requests.json", data=form | {"long": "127.0595"})


@pytest.fixture
async def read_only_app(settings: Settings, stores: Stores) -> AsyncIterator[Starlette]:
    read_only = settings.model_copy(update={"graph_read_only": True})
    opened = await open_stores(read_only, read_only=True)
    app = create_app(read_only, opened)
    try:
        async with app.router.lifespan_context(app):
            yield app
    finally:
        await opened.close()


async def test_a_graph_write_on_a_read_only_worker_is_a_503(
    read_only_app: Starlette, stores: Stores, caplog: pytest.LogCaptureFixture
) -> None:
    """With no writer taking its writes: a 503, and no write intent left for repair to undo
    (the case was never in the graph; a review's restarts left 12,588 such intents)."""
    intents = len(await write_intents.pending(stores.records))
    with caplog.at_level(logging.ERROR):
        async with door_client(read_only_app) as http:
            filed = await file_case(http, "Night work")
            mutation = await http.post("/graphql", json={"query": FILE_CASE})
            read = await http.get(
                "/graphql", params={"query": '{ district(code: "11680") { nameEn } }'}
            )
    assert filed.status_code == 503
    assert filed.json()[0]["code"] == 503
    assert len(await write_intents.pending(stores.records)) == intents
    body = mutation.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["service_unavailable"]
    assert read.status_code == 200, read.text
    assert read.json()["data"]["district"]["nameEn"] == "Gangnam-gu"
    assert not [r for r in caplog.records if r.exc_info]


async def test_a_read_only_worker_answers_with_what_the_writer_filed(
    read_only_app: Starlette, client: httpx.AsyncClient
) -> None:
    """A read-only worker follows the writer: a case filed through the writer after the
    worker opened the graph is in the worker's next answer (it answered from the graph as of
    its start before)."""
    async with door_client(read_only_app) as follower:
        assert (await follower.get("/open311/v2/requests/case-none.json")).status_code == 404
        filed = await file_case(client, "Night work behind the station")
        assert filed.status_code == 201, filed.text
        case = filed.json()[0]["service_request_id"]
        read = await follower.get(f"/open311/v2/requests/{case}.json")
        query = await follower.get(
            "/graphql", params={"query": f'{{ case(id: "{case}") {{ id description }} }}'}
        )
    assert read.status_code == 200, read.text
    assert read.json()[0]["description"] == "Night work behind the station"
    assert query.json()["data"]["case"] == {
        "id": case,
        "description": "Night work behind the station",
    }


async def test_a_read_only_worker_forwards_graph_writes_to_the_writer(
    read_only_app: Starlette, stores: Stores, caplog: pytest.LogCaptureFixture
) -> None:
    """With the writer taking forwarded writes (as `serve` does), a filing on a read-only
    worker is the writer's: 201 and a case that both answer with."""
    async with stores.graph.taking_forwarded_writes(), door_client(read_only_app) as worker:
        filed = await file_case(worker, "Forwarded night work")
        mutation = await worker.post("/graphql", json={"query": FILE_CASE})
        assert filed.status_code == 201, filed.text
        case = filed.json()[0]["service_request_id"]
        read = await worker.get(f"/open311/v2/requests/{case}.json")
    assert read.status_code == 200
    assert read.json()[0]["description"] == "Forwarded night work"
    (stored,) = await stores.graph.get_nodes("Case", [case])
    assert stored is not None
    assert stored["description"] == "Forwarded night work"
    filed_case = mutation.json()["data"]["fileCase"]["case"]["id"]
    assert (await stores.graph.get_nodes("Case", [filed_case]))[0] is not None
    assert not [r for r in caplog.records if r.exc_info]
