"""Health, metrics and the explorer's page and assets."""

from __future__ import annotations

import httpx

from tests.helpers import graphql


async def test_healthz_reports_the_graph(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["nodes"]["District"] == 492


async def test_metrics_count_requests_errors_and_store_calls(client: httpx.AsyncClient) -> None:
    await graphql(client, "{ districts { code } }")
    await client.get("/open311/v2/requests/case-none.json")
    text = (await client.get("/metrics")).text
    assert 'civic_http_requests_total{method="POST",route="/graphql",status="200"}' in text
    assert (
        'civic_http_errors_total{route="/open311/v2",status="404"}' in text
        or "civic_http_errors_total" in text
    )
    assert 'civic_store_calls_total{store="graph"}' in text
    assert "civic_http_request_seconds_bucket" in text


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
