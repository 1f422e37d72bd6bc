"""Each dataset's GraphQL distribution is a working GraphQL-over-HTTP GET: the access URL in
its DCAT-AP document and CKAN resource runs on the merged server without errors."""

from __future__ import annotations

import httpx
import pytest

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
