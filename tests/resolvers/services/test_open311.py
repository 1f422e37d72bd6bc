"""Open311 GeoReport v2 over HTTP (JSON)."""

from __future__ import annotations

import httpx

BASE = "/open311/v2"


async def test_services_list_the_catalogue(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{BASE}/services.json")
    assert response.status_code == 200
    services = response.json()
    assert {"service_code", "service_name", "metadata", "type", "keywords", "group"} <= set(
        services[0]
    )
    assert "illegal-parking" in {s["service_code"] for s in services}


async def test_post_then_get_a_request(client: httpx.AsyncClient) -> None:
    form = {
        "service_code": "illegal-dumping",
        "description": "Bags by the river",
        "lat": "37.5283",
        "long": "126.9326",
    }
    created = await client.post(f"{BASE}/requests.json", data=form)
    assert created.status_code == 201
    request_id = created.json()[0]["service_request_id"]
    fetched = await client.get(f"{BASE}/requests/{request_id}.json")
    assert fetched.status_code == 200
    [request] = fetched.json()
    assert request["status"] == "open"
    assert request["service_code"] == "illegal-dumping"
    assert request["requested_datetime"].endswith("Z")
    assert request["long"] == 126.9326
    listed = await client.get(f"{BASE}/requests.json", params={"service_request_id": request_id})
    assert [r["service_request_id"] for r in listed.json()] == [request_id]


async def test_get_requests_filters_by_status_and_code(client: httpx.AsyncClient) -> None:
    params = {
        "status": "closed",
        "service_code": "noise",
        "start_date": "2025-11-01T00:00:00Z",
        "end_date": "2026-11-25T00:00:00Z",
    }
    response = await client.get(f"{BASE}/requests.json", params=params)
    assert response.status_code == 200
    requests = response.json()
    assert requests
    assert all(r["status"] == "closed" and r["service_code"] == "noise" for r in requests)


async def test_open311_errors_use_the_spec_shape(client: httpx.AsyncClient) -> None:
    unknown = await client.post(
        f"{BASE}/requests.json",
        data={"service_code": "ufo", "description": "x", "lat": "37.5", "long": "127.0"},
    )
    assert unknown.status_code == 404
    assert unknown.json()[0]["code"] == 404
    missing = await client.post(
        f"{BASE}/requests.json", data={"service_code": "noise", "description": "x"}
    )
    assert missing.status_code == 400
    bad_json = await client.post(
        f"{BASE}/requests.json", content=b"[", headers={"content-type": "application/json"}
    )
    assert bad_json.status_code == 400
    bad_date = await client.get(f"{BASE}/requests.json", params={"start_date": "yesterday"})
    assert bad_date.status_code == 400
    absent = await client.get(f"{BASE}/requests/case-none.json")
    assert absent.status_code == 404
