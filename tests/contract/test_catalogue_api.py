"""The catalogue's REST doors on LadybugDB + SQLite and Neo4j + PostgreSQL: the CKAN Action
API, the DCAT-AP documents and the downloads read the same graph and records alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS

from graph.query import NodeQuery
from tests.contract.conftest import Backend
from tests.contract.test_catalogue_statistics import dataset

MODIFIED = datetime(2026, 3, 14, 15, 9, 26, 535000, tzinfo=UTC)


@pytest.fixture
async def added(backend: Backend) -> AsyncIterator[dict[str, Any]]:
    """One dataset added to the seeded catalogue (modified at MODIFIED), removed afterwards."""
    node = dataset(datetime(2020, 1, 2, tzinfo=UTC), MODIFIED, "economy", "water")
    await backend.stores.graph.create_node("Dataset", node)
    yield node
    await backend.stores.graph.delete_node("Dataset", node["id"])


async def action(client: httpx.AsyncClient, name: str, **data: Any) -> Any:
    response = await client.post(f"/api/3/action/{name}", json=data)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    return body["result"]


async def test_package_list_is_every_dataset_by_name(
    client: httpx.AsyncClient, backend: Backend
) -> None:
    nodes = await backend.stores.graph.find_nodes(NodeQuery("Dataset"))
    assert await action(client, "package_list") == [n["id"] for n in nodes]


async def test_an_added_dataset_is_found_shown_and_described(
    client: httpx.AsyncClient, added: dict[str, Any]
) -> None:
    # given a dataset added to the graph after the server started
    key = added["id"]
    # when it is searched for by its modification time and its publisher
    found = await action(
        client,
        "package_search",
        fq="metadata_modified:[2026-03-14T00:00:00Z TO 2026-03-14T23:59:59Z] organization:water",
        rows=100,
    )
    # then it is there, with its timestamps in UTC as CKAN writes them
    assert key in [p["name"] for p in found["results"]]
    shown = await action(client, "package_show", id=key)
    assert shown["metadata_modified"] == "2026-03-14T15:09:26.535000"
    assert shown["organization"]["title"] == "Water Circulation Safety Bureau"
    assert [r["format"] for r in shown["resources"]] == ["GraphQL", "CSV"]
    # and its DCAT-AP document says the same
    response = await client.get(f"/catalog/datasets/{key}.ttl")
    assert response.status_code == 200
    described = Graph().parse(data=response.text, format="turtle")
    subject = URIRef(f"http://127.0.0.1:8000/catalog/datasets/{key}")
    modified = described.value(subject, DCTERMS.modified)
    assert isinstance(modified, Literal)
    assert modified.toPython() == MODIFIED
    assert (
        subject,
        DCAT.theme,
        URIRef("http://publications.europa.eu/resource/authority/data-theme/ECON"),
    ) in described


async def test_organizations_count_the_datasets_of_each_publisher(
    client: httpx.AsyncClient, backend: Backend
) -> None:
    counted = await backend.stores.graph.count_grouped("Dataset", "publisher_code", {}, {})
    listed = await action(client, "organization_list", all_fields=True)
    assert {o["name"]: o["package_count"] for o in listed} == counted


async def test_the_catalogue_pages_hold_every_dataset_once(
    client: httpx.AsyncClient, backend: Backend
) -> None:
    total = await backend.stores.graph.count_nodes(NodeQuery("Dataset"))
    seen: list[str] = []
    page = 1
    while True:
        response = await client.get("/catalog.ttl", params={"page": page})
        assert response.status_code == 200
        described = Graph().parse(data=response.text, format="turtle")
        seen += sorted(str(d) for d in described.objects(None, DCAT.dataset))
        if "hydra:nextPage" not in response.text:
            break
        page += 1
    assert len(seen) == len(set(seen)) == total


async def test_the_latest_readings_download_has_a_row_per_sensor(
    client: httpx.AsyncClient, backend: Backend
) -> None:
    sensors = await backend.stores.graph.find_nodes(
        NodeQuery("Sensor", {"kind": ["water_quality"]})
    )
    response = await client.get("/catalog/datasets/ds-water-quality/data.geojson")
    assert response.status_code == 200
    features = response.json()["features"]
    assert [f["id"] for f in features] == [s["id"] for s in sensors]
    assert any(f["properties"]["measured_at"] for f in features)
