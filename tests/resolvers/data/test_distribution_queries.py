"""Each dataset's GraphQL distribution is a working GraphQL-over-HTTP GET: the access URL in
its DCAT-AP document and CKAN resource runs on the merged server without errors."""

from __future__ import annotations

import httpx
import pytest
from rdflib import Graph
from rdflib.namespace import DCAT

from resolvers.data.downloadable import graphql_url


@pytest.mark.parametrize("dataset_id", ["ds-sdot", "ds-water-quality", "ds-00000"])
async def test_the_graphql_access_url_answers(client: httpx.AsyncClient, dataset_id: str) -> None:
    # given the access URL the catalogue advertises, on this server
    url = graphql_url("http://civicgraph.test", dataset_id)
    # when it is fetched as is
    response = await client.get(url, headers={"accept": "application/graphql-response+json"})
    # then it answers data without errors
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    if dataset_id == "ds-00000":
        assert body["data"]["dataset"]["id"] == dataset_id
    else:
        assert body["data"]["sensors"]["edges"]


async def test_the_advertised_url_is_the_one_tested(client: httpx.AsyncClient) -> None:
    shown = await client.get("/api/3/action/package_show", params={"id": "ds-sdot"})
    [graphql] = [r for r in shown.json()["result"]["resources"] if r["format"] == "GraphQL"]
    assert graphql["url"] == graphql_url("http://127.0.0.1:8000", "ds-sdot")


DISTRIBUTIONS = """query Offered($id: ID!) {
  dataset(id: $id) { distributions { name format accessUrl downloadUrl } }
}"""


@pytest.mark.parametrize("dataset_id", ["ds-sdot", "ds-00000"])
async def test_graphql_ckan_and_dcat_offer_the_same_distributions(
    client: httpx.AsyncClient, dataset_id: str
) -> None:
    # given the dataset as GraphQL, CKAN and DCAT-AP each describe it
    answer = await client.post(
        "/graphql", json={"query": DISTRIBUTIONS, "variables": {"id": dataset_id}}
    )
    shown = await client.get("/api/3/action/package_show", params={"id": dataset_id})
    turtle = await client.get(f"/catalog/datasets/{dataset_id}.ttl")
    offered = answer.json()["data"]["dataset"]["distributions"]
    document = Graph().parse(data=turtle.text, format="turtle")
    # then they list the same distributions, by name, with the same URLs
    resources = shown.json()["result"]["resources"]
    assert [(d["format"], d["accessUrl"]) for d in offered] == [
        (r["format"], r["url"]) for r in resources
    ]
    assert [r["uri"].rsplit("#", 1)[1] for r in resources] == [d["name"] for d in offered]
    in_dcat = {
        str(o).rsplit("#", 1)[1]: str(document.value(o, DCAT.accessURL))
        for o in document.objects(None, DCAT.distribution)
    }
    assert in_dcat == {d["name"]: d["accessUrl"] for d in offered}
    downloads = {d["name"]: d["downloadUrl"] for d in offered if d["downloadUrl"] is not None}
    assert set(downloads) == ({"csv", "geojson"} if dataset_id == "ds-sdot" else set())
