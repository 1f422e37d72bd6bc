"""The API through HTTP: districts, filters, connections and the errors of bad input."""

from __future__ import annotations

import logging

import httpx
import pytest

from civicgraph.stores import Stores
from tests.helpers import error_codes, graphql

DISTRICTS = """
{ districts { code nameEn nameKo population areaKm2 centroid { lat lon } adjacent { code } } }
"""
DISTRICT = """
query ($code: String!) {
  district(code: $code) {
    code nameEn level boundary
    adjacent { code nameEn }
    dong { code parent { code } }
    sensors { id kind }
  }
}
"""
SENSORS = """
query ($filter: SensorFilter, $first: Int, $after: String) {
  sensors(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { id kind districtCode location { lat lon } } }
  }
}
"""
READINGS = """
query ($id: ID!, $from: DateTime!, $to: DateTime!, $bucket: Int!) {
  sensor(id: $id) {
    latestReading { measuredAt value(dataType: PM25) values { dataType unit } }
    readings(dataType: PM25, from: $from, to: $to, bucketMinutes: $bucket) {
      start avg min max count
    }
  }
}
"""


async def test_districts_lists_the_25_gu_with_adjacency(client: httpx.AsyncClient) -> None:
    body = await graphql(client, DISTRICTS)
    districts = body["data"]["districts"]  # type: ignore[index]
    assert len(districts) == 25
    gangnam = next(d for d in districts if d["code"] == "11680")
    assert gangnam["nameEn"] == "Gangnam-gu"
    assert gangnam["nameKo"] == "강남구"
    assert {"11650", "11710"} <= {a["code"] for a in gangnam["adjacent"]}


async def test_district_by_code_has_boundary_dong_and_sensors(client: httpx.AsyncClient) -> None:
    body = await graphql(client, DISTRICT, {"code": "11110"})
    district = body["data"]["district"]  # type: ignore[index]
    assert district["boundary"]["type"] in {"Polygon", "MultiPolygon"}
    assert district["dong"]
    assert all(d["parent"]["code"] == "11110" for d in district["dong"])
    assert {s["kind"] for s in district["sensors"]} == {"SDOT", "WATER_QUALITY"}


async def test_unknown_district_code_is_a_not_found_error(client: httpx.AsyncClient) -> None:
    body = await graphql(client, DISTRICT, {"code": "99999"})
    assert error_codes(body) == ["not_found"]


async def test_sensor_pages_follow_cursors_to_the_end(client: httpx.AsyncClient) -> None:
    seen: list[str] = []
    after = None
    while True:
        body = await graphql(client, SENSORS, {"first": 7, "after": after})
        page = body["data"]["sensors"]  # type: ignore[index]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == page["totalCount"] == len(set(seen))
    assert seen == sorted(seen)


async def test_sensors_filtered_by_district_and_kind(client: httpx.AsyncClient) -> None:
    body = await graphql(
        client, SENSORS, {"filter": {"district": ["11680"], "kind": ["SDOT"]}, "first": 100}
    )
    nodes = [e["node"] for e in body["data"]["sensors"]["edges"]]  # type: ignore[index]
    assert nodes
    assert all(n["districtCode"] == "11680" and n["kind"] == "SDOT" for n in nodes)


async def test_near_and_bbox_filters_agree_with_the_positions(client: httpx.AsyncClient) -> None:
    everything = await graphql(client, SENSORS, {"first": 100})
    some = everything["data"]["sensors"]["edges"][0]["node"]  # type: ignore[index]
    lat, lon = some["location"]["lat"], some["location"]["lon"]
    near = await graphql(
        client, SENSORS, {"filter": {"near": {"lat": lat, "lon": lon, "radiusM": 10}}}
    )
    assert [e["node"]["id"] for e in near["data"]["sensors"]["edges"]] == [some["id"]]  # type: ignore[index]
    box = {"south": lat - 0.0001, "west": lon - 0.0001, "north": lat + 0.0001, "east": lon + 0.0001}
    inside = await graphql(client, SENSORS, {"filter": {"bbox": box}})
    assert some["id"] in [e["node"]["id"] for e in inside["data"]["sensors"]["edges"]]  # type: ignore[index]


async def test_bad_input_gives_coded_errors(client: httpx.AsyncClient) -> None:
    cases = [
        ({"after": "not-a-cursor"}, "bad_cursor"),
        ({"first": 0}, "out_of_range"),
        ({"first": 5000}, "out_of_range"),
        (
            {"filter": {"bbox": {"south": 38, "west": 127, "north": 37, "east": 128}}},
            "out_of_range",
        ),
        (
            {"filter": {"bbox": {"south": -91, "west": 127, "north": 37, "east": 128}}},
            "out_of_range",
        ),
        ({"filter": {"near": {"lat": 37.5, "lon": 127, "radiusM": -1}}}, "out_of_range"),
        ({"filter": {"district": ["00000"]}}, "not_found"),
    ]
    for variables, code in cases:
        body = await graphql(client, SENSORS, variables)
        assert error_codes(body) == [code], variables


async def test_readings_aggregate_per_bucket(client: httpx.AsyncClient) -> None:
    variables = {
        "id": "sdot-11680-0000",
        "from": "2026-11-24T00:00:00Z",
        "to": "2026-11-24T06:00:00Z",
        "bucket": 60,
    }
    body = await graphql(client, READINGS, variables)
    sensor = body["data"]["sensor"]  # type: ignore[index]
    buckets = sensor["readings"]
    assert len(buckets) == 6
    assert all(b["count"] == 30 for b in buckets)
    assert all(b["min"] <= b["avg"] <= b["max"] for b in buckets)
    assert sensor["latestReading"]["measuredAt"] == "2026-11-25T00:00:00+00:00"
    assert len(sensor["latestReading"]["values"]) == 17


async def test_readings_window_limits(client: httpx.AsyncClient) -> None:
    base = {"id": "sdot-11680-0000", "bucket": 60}
    too_long = await graphql(
        client, READINGS, {**base, "from": "2026-01-01T00:00:00Z", "to": "2026-11-24T00:00:00Z"}
    )
    assert error_codes(too_long) == ["window_too_large"]
    backwards = await graphql(
        client, READINGS, {**base, "from": "2026-11-24T00:00:00Z", "to": "2026-11-23T00:00:00Z"}
    )
    assert error_codes(backwards) == ["invalid"]


async def test_a_body_that_is_not_json_is_400_not_500(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


async def test_unexpected_errors_are_masked_not_500(
    client: httpx.AsyncClient,
    stores: Stores,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given: the graph store fails inside a resolver, as a bug would
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("planted store failure")

    monkeypatch.setattr(stores.graph, "find_nodes", broken)
    caplog.set_level(logging.ERROR)
    # when
    response = await client.post(
        "/graphql",
        json={"query": "{ districts { code } }"},
        headers={"accept": "application/json"},
    )
    # then: the caller sees a masked error, the log has the traceback
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert [error["message"] for error in body["errors"]] == ["Internal error."]
    assert "planted" not in response.text
    assert "Traceback (most recent call last)" in caplog.text
    assert "RuntimeError: planted store failure" in caplog.text
