"""Health, metrics and the explorer's page and assets."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers import graphql


async def test_healthz_reports_the_graph(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["nodes"]["District"] == 492


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in a Prometheus text exposition; 0 when it is not there yet."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return float(found.value)
    return 0.0


async def test_metrics_count_requests_errors_and_store_calls(client: httpx.AsyncClient) -> None:
    # given
    before = (await client.get("/metrics")).text
    ok = {"method": "POST", "route": "/graphql", "status": "200"}
    missing = {"route": "/open311/v2", "status": "404"}
    # when
    await graphql(client, "{ districts { code } }")
    not_found = await client.get("/open311/v2/requests/case-none.json")
    after = (await client.get("/metrics")).text
    # then: each request counted once, under its route template and status
    assert not_found.status_code == 404
    assert sample(after, "civic_http_requests_total", **ok) == (
        sample(before, "civic_http_requests_total", **ok) + 1
    )
    assert sample(after, "civic_http_errors_total", **missing) == (
        sample(before, "civic_http_errors_total", **missing) + 1
    )
    assert sample(after, "civic_store_calls_total", store="graph") > sample(
        before, "civic_store_calls_total", store="graph"
    )
    assert "civic_http_request_seconds_bucket" in after


async def test_explorer_page_has_a_strict_csp_and_own_assets(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe" not in csp
    assert "https://" not in page.text
    for asset in ("react.js", "react-dom.js", "graphiql.js", "graphiql.css", "explorer.js"):
        response = await client.get(f"/explorer/assets/{asset}")
        assert response.status_code == 200, asset
    assert (await client.get("/explorer/assets/../../etc/passwd")).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "status", "shape"),
    [
        ("GET", "/ingest/readings", 405, "error"),
        ("POST", "/certificates/x/proof", 405, "error"),
        ("GET", "/no/such/path", 404, "errors"),
        ("DELETE", "/healthz", 405, "errors"),
    ],
)
async def test_unknown_paths_and_methods_are_refused_in_json_not_plain_text(
    client: httpx.AsyncClient, method: str, path: str, status: int, shape: str
) -> None:
    response = await client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()  # ingest and certificates: their own shape; elsewhere GraphQL's
    code = body["code"] if shape == "error" else body["errors"][0]["extensions"]["code"]
    assert code == {404: "not_found", 405: "method_not_allowed"}[status]
    if status == 405:
        assert "allow" in response.headers
