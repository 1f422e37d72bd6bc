"""The DCAT-AP documents' HTTP side: pages linked as hydra:PagedCollection, bounds on `page`,
refusals in the catalogue's `{"error", "code"}` format, never a 500."""

from __future__ import annotations

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT

from civicgraph.stores import Stores
from graph.query import NodeQuery
from resolvers.data import catalogue_http
from resolvers.data.dcat import HYDRA


async def test_pages_link_to_each_other_and_hold_every_dataset(
    client: httpx.AsyncClient, stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given pages of 7 datasets
    monkeypatch.setattr(catalogue_http, "PER_PAGE", 7)
    total = await stores.graph.count_nodes(NodeQuery("Dataset"))
    last = -(-total // 7)
    # when the second page is read
    response = await client.get("/catalog.ttl", params={"page": 2})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    page = Graph().parse(data=response.text, format="turtle")
    view = URIRef("http://127.0.0.1:8000/catalog.ttl?page=2")
    # then it holds 7 datasets and links to the first, previous, next and last pages
    assert len(set(page.objects(None, DCAT.dataset))) == 7
    assert page.value(view, HYDRA.totalItems) == Literal(total)
    assert str(page.value(view, HYDRA.previousPage)).endswith("?page=1")
    assert str(page.value(view, HYDRA.nextPage)).endswith("?page=3")
    assert str(page.value(view, HYDRA.lastPage)).endswith(f"?page={last}")
    # and the last page has no next page
    final = await client.get("/catalog.jsonld", params={"page": last})
    assert final.status_code == 200
    assert "nextPage" not in final.text
    assert final.headers["content-type"] == "application/ld+json"


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("page=0", 400),
        ("page=-1", 400),
        ("page=abc", 400),
        ("page=1&page=2", 400),
        ("page=%00", 400),
        ("page=99999999999999999999", 400),
        ("page=100000", 404),
    ],
    ids=["zero", "negative", "text", "twice", "nul", "huge", "past-the-end"],
)
async def test_bad_pages_are_refused(client: httpx.AsyncClient, query: str, status: int) -> None:
    response = await client.get(f"/catalog.ttl?{query}")
    assert response.status_code == status
    assert response.json()["code"] in ("invalid_page", "not_found")


@pytest.mark.parametrize(
    "path",
    [
        "/catalog/datasets/ds-nope.ttl",
        "/catalog/datasets/%00.jsonld",
        f"/catalog/datasets/{'x' * 300}.ttl",
    ],
    ids=["unknown", "nul", "long"],
)
async def test_an_unknown_dataset_is_404(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_another_method_is_405_in_the_catalogue_format(client: httpx.AsyncClient) -> None:
    response = await client.post("/catalog.ttl")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    "path",
    [
        "/catalog.ttl",
        "/catalog/datasets/ds-sdot.jsonld",
        "/catalog/datasets/ds-sdot/data.csv",
        "/api/3/action/package_list",
    ],
)
async def test_head_answers_without_a_body(client: httpx.AsyncClient, path: str) -> None:
    response = await client.head(path)
    assert response.status_code == 200
    assert response.content == b""
