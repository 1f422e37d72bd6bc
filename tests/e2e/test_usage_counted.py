"""Usage counted for real: HTTP requests with a key and without, an Open311 request and a
websocket operation, served by uvicorn, are in the records after a flush and on /metrics."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from starlette.applications import Starlette

from civicgraph.app import create_app
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from graph.city_day import city_day
from graph.records import api_keys
from graph.records.api_keys import Tier
from graph.records.api_usage import PUBLIC, UsageGroup, epoch_day, usage_rows
from tests.e2e.conftest import serving
from tests.e2e.websocket_client import TRANSPORT, next_frame, opened, ws_url


@pytest.fixture
async def counting(settings: Settings, stores: Stores) -> AsyncIterator[tuple[str, Starlette]]:
    """A server of its own whose counts are flushed only when the test says (or at its end)."""
    app = create_app(settings.model_copy(update={"usage_flush_seconds": 3600}), stores)
    async with app.router.lifespan_context(app), serving(app) as url:
        yield url, app


async def test_requests_with_and_without_a_key_are_counted_after_a_flush(
    counting: tuple[str, Starlette], stores: Stores, keys: dict[Tier, str]
) -> None:
    url, app = counting
    developer = keys[Tier.DEVELOPER]
    prefix = developer.split("_")[1]
    name = f"Usage{uuid.uuid4().hex[:12]}"
    reading = "edges { node { latestReading { measuredAt } } }"
    sensors = f"query {name} {{ sensors(first: 2) {{ {reading} }} }}"
    # given two keyed calls touching S-DoT, one public call, an Open311 request, a websocket op
    async with httpx.AsyncClient(base_url=url) as http:
        for _ in range(2):
            answer = await http.post(
                "/graphql", json={"query": sensors}, headers={"X-API-Key": developer}
            )
            assert answer.status_code == 200, answer.text
        public = await http.post("/graphql", json={"query": f"query {name} {{ datasetThemes }}"})
        assert public.status_code == 200
        assert (await http.get("/open311/v2/services.json")).status_code == 200
        assert (await http.get("/healthz")).status_code == 200  # an operators' probe
        ws = await opened(ws_url(url), TRANSPORT, developer)
        payload = {"query": f"query {name}Ws {{ datasetThemes }}"}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        assert (await next_frame(ws))["type"] == "next"
        await ws.close()
        # when the counts are flushed
        await app.state.usage.flush()
        metrics = (await http.get("/metrics")).text
    # then the records hold them by key, operation and dataset, on today's Seoul day
    today = epoch_day(city_day(datetime.now(UTC)))
    _, calls = await usage_rows(
        stores.records,
        today - 1,
        today,
        [UsageGroup.KEY, UsageGroup.OPERATION],
        limit=1000,
    )
    found = {(r.client, r.operation): r.calls for r in calls}
    assert found[(prefix, name)] == 2
    assert found[(prefix, f"{name}Ws")] == 1
    assert found[(PUBLIC, name)] == 1
    assert found[(PUBLIC, "/open311/v2/services.json")] >= 1
    assert not [op for _, op in found if op in ("/healthz", "/metrics")]
    _, touched = await usage_rows(
        stores.records, today - 1, today, [UsageGroup.KEY, UsageGroup.DATASET], limit=1000
    )
    assert (prefix, "ds-sdot") in {(r.client, r.dataset) for r in touched}
    # and /metrics shows the calls by tier and door, and the flush
    assert 'civic_api_calls_total{door="graphql",tier="developer"}' in metrics
    assert 'civic_api_calls_total{door="graphql",tier="public"}' in metrics
    assert 'civic_api_calls_total{door="websocket",tier="developer"}' in metrics
    assert 'civic_api_calls_total{door="http",tier="public"}' in metrics
    assert 'civic_usage_flushes_total{outcome="ok"}' in metrics
    assert "civic_api_dataset_touches_total" in metrics


async def test_with_counting_off_nothing_is_counted(settings: Settings, stores: Stores) -> None:
    # given a server with usage counting off (the benchmark's baseline)
    app = create_app(settings.model_copy(update={"usage_counting": False}), stores)
    async with (
        app.router.lifespan_context(app),
        serving(app) as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        # when it serves a call
        answer = await http.post("/graphql", json={"query": "{ datasetThemes }"})
        metrics = (await http.get("/metrics")).text
    # then there is no tally and no call on /metrics
    assert answer.status_code == 200
    assert app.state.usage is None
    assert "civic_api_calls_total{" not in metrics


async def test_the_catalogue_doors_count_the_datasets_they_serve(
    counting: tuple[str, Starlette], stores: Stores
) -> None:
    url, app = counting
    issued = await api_keys.create_key(stores.records, "catalogue reader", Tier.ANALYST)
    prefix = issued.prefix  # a key of its own: the session's keys touch datasets elsewhere
    headers = {"X-API-Key": issued.secret}
    # given one call to each door that serves a dataset: CKAN's package_show and a search,
    # the DCAT document of a dataset, a download; and a package_show of a made-up id
    async with httpx.AsyncClient(base_url=url, headers=headers) as http:
        shown = await http.get("/api/3/action/package_show", params={"id": "ds-water-quality"})
        searched = await http.get(
            "/api/3/action/package_search", params={"fq": "name:ds-00000", "rows": 1}
        )
        document = await http.get("/catalog/datasets/ds-00001.ttl")
        downloaded = await http.get("/catalog/datasets/ds-sdot/data.csv")
        missing = await http.get("/api/3/action/package_show", params={"id": "ds-made-up"})
        answers = (shown, searched, document, downloaded)
        assert [a.status_code for a in answers] == [200, 200, 200, 200], [a.text for a in answers]
        assert missing.status_code == 404
        # when the counts are flushed
        await app.state.usage.flush()
    # then each served dataset counts one call of this key, and the made-up id none
    today = epoch_day(city_day(datetime.now(UTC)))
    _, touched = await usage_rows(
        stores.records, today, today, [UsageGroup.DATASET], client=prefix, limit=1000
    )
    counts = {r.dataset: r.calls for r in touched}
    assert counts == {"ds-water-quality": 1, "ds-00000": 1, "ds-00001": 1, "ds-sdot": 1}
