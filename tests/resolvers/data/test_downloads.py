"""Downloads of the datasets with rows on the platform: CSV and GeoJSON, streamed, under
their licence with the attribution in each file and each response; 404 for catalogue-only
entries; bad windows refused in the endpoint's format."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from starlette.applications import Starlette

from civicgraph.stores import Stores
from graph.query import NodeQuery
from resolvers.data import downloads
from tests.conftest import SEED_UNTIL

CC_BY = "http://creativecommons.org/licenses/by/4.0/"
WINDOW = {
    "from": (SEED_UNTIL - timedelta(hours=2)).isoformat(),
    "to": SEED_UNTIL.isoformat(),
}


async def sensors_of(stores: Stores, kind: str) -> list[str]:
    return [n["id"] for n in await stores.graph.find_nodes(NodeQuery("Sensor", {"kind": [kind]}))]


def read_csv(text: str) -> tuple[str, list[dict[str, str]]]:
    """The attribution comment line, and the rows under the header row."""
    first, _, rest = text.partition("\r\n")
    return first, list(csv.DictReader(io.StringIO(rest)))


@pytest.mark.parametrize(
    ("dataset_id", "kind"), [("ds-sdot", "sdot"), ("ds-water-quality", "water_quality")]
)
async def test_csv_holds_each_sensor_with_its_latest_reading_and_the_attribution(
    client: httpx.AsyncClient, stores: Stores, dataset_id: str, kind: str
) -> None:
    # when the dataset is downloaded as CSV without a window
    response = await client.get(f"/catalog/datasets/{dataset_id}/data.csv")
    # then every sensor of the dataset is one row, after the attribution line
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    attribution, rows = read_csv(response.text)
    assert attribution.startswith("# Source: Seoul Metropolitan Government")
    assert CC_BY in attribution
    assert [r["sensor_id"] for r in rows] == await sensors_of(stores, kind)
    assert any(r["measured_at"] for r in rows)
    # and the response names the licence and the attribution too
    assert f'<{CC_BY}>; rel="license"' in response.headers["link"]
    assert response.headers["attribution"] == attribution.removeprefix("# ")
    assert "citizen" not in response.text.lower()


async def test_geojson_is_a_feature_collection_with_licence_members(
    client: httpx.AsyncClient, stores: Stores
) -> None:
    response = await client.get("/catalog/datasets/ds-sdot/data.geojson")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert collection["license"] == CC_BY
    assert collection["attribution"] == response.headers["attribution"]
    assert [f["properties"]["sensor_id"] for f in collection["features"]] == await sensors_of(
        stores, "sdot"
    )
    lon, lat = collection["features"][0]["geometry"]["coordinates"]
    assert 126 < lon < 128
    assert 37 < lat < 38


@pytest.mark.parametrize("extension", ["csv", "geojson"])
async def test_a_window_gives_every_reading_in_it(
    client: httpx.AsyncClient, stores: Stores, extension: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given pages smaller than the data, so that paging is exercised
    monkeypatch.setattr(downloads, "SENSOR_PAGE", 3)
    monkeypatch.setattr(downloads, "READING_PAGE", 7)
    # when two hours of readings are downloaded
    response = await client.get(
        "/catalog/datasets/ds-water-quality/data." + extension, params=WINDOW
    )
    assert response.status_code == 200
    if extension == "csv":
        rows = [(r["sensor_id"], r["measured_at"]) for r in read_csv(response.text)[1]]
    else:
        rows = [
            (f["properties"]["sensor_id"], f["properties"]["measured_at"])
            for f in response.json()["features"]
        ]
    # then each reading of the window is there once, by sensor then time
    ids = await sensors_of(stores, "water_quality")
    marks = ", ".join(stores.records.placeholders(len(ids)))
    low_mark, high_mark = stores.records.placeholders(2, start=len(ids) + 1)
    counted = await stores.records.query(
        f"SELECT count(*) AS n FROM reading WHERE sensor_id IN ({marks}) "
        f"AND measured_at >= {low_mark} AND measured_at < {high_mark}",
        [*ids, int(SEED_UNTIL.timestamp()) - 7200, int(SEED_UNTIL.timestamp())],
    )
    assert rows == sorted(set(rows))
    assert rows, "the seeded history has readings in the window"
    low, high = WINDOW["from"].replace("+00:00", "Z"), WINDOW["to"].replace("+00:00", "Z")
    assert all(low <= at < high for _, at in rows)
    assert int(counted[0]["n"]) == len(rows)


async def test_a_large_download_is_sent_in_chunks(
    app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given small chunks, and the app asked straight through ASGI (httpx's test transport
    # joins the body's messages)
    monkeypatch.setattr(downloads, "CHUNK_BYTES", 512)
    sent: list[dict[str, Any]] = []
    asked: list[bool] = []

    async def receive() -> dict[str, Any]:
        if asked:  # the client stays connected: a disconnect never comes
            await asyncio.Event().wait()
        asked.append(True)
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/catalog/datasets/ds-sdot/data.csv",
        "raw_path": b"/catalog/datasets/ds-sdot/data.csv",
        "root_path": "",
        "query_string": urlencode(WINDOW).encode(),
        "headers": [(b"host", b"civicgraph.test")],
        "client": ("198.51.100.7", 40000),
        "server": ("civicgraph.test", 80),
    }
    # when two hours of every S-DoT sensor's readings are downloaded
    await app(scope, receive, send)
    # then the body went out in many bounded messages, not as one
    bodies = [m["body"] for m in sent if m["type"] == "http.response.body" and m.get("body")]
    assert sent[0]["status"] == 200
    assert len(bodies) > 3
    assert max(len(b) for b in bodies) < 512 + 4096


@pytest.mark.parametrize("extension", ["csv", "geojson"])
async def test_a_catalogue_only_dataset_has_no_download(
    client: httpx.AsyncClient, extension: str
) -> None:
    response = await client.get(f"/catalog/datasets/ds-00000/data.{extension}")
    assert response.status_code == 404
    assert response.json()["code"] == "no_download"
    unknown = await client.get(f"/catalog/datasets/ds-nope/data.{extension}")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"from": WINDOW["from"]}, "invalid_window"),
        ({"from": WINDOW["to"], "to": WINDOW["from"]}, "invalid_window"),
        ({"from": "2026-11-01T00:00:00Z", "to": "2026-11-03T00:00:00Z"}, "invalid_window"),
        ({"from": "2026-11-01T00:00:00", "to": "2026-11-01T01:00:00"}, "invalid_window"),
        ({"from": "yesterday", "to": WINDOW["to"]}, "invalid_window"),
        ({"from": "\x00", "to": WINDOW["to"]}, "invalid_window"),
        (
            {"from": "0001-01-01T00:00:00+00:00", "to": "0001-01-01T01:00:00+00:00"},
            "invalid_window",
        ),
        ({"rows": "10"}, "invalid_parameter"),
    ],
    ids=[
        "from-alone",
        "reversed",
        "over-24h",
        "no-offset",
        "not-a-time",
        "nul",
        "year-1",
        "unknown",
    ],
)
async def test_bad_windows_are_400(
    client: httpx.AsyncClient, query: dict[str, str], code: str
) -> None:
    response = await client.get("/catalog/datasets/ds-sdot/data.csv", params=query)
    assert response.status_code == 400
    assert response.json()["code"] == code


async def test_the_same_window_given_twice_is_400(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/catalog/datasets/ds-sdot/data.csv?from=2026-11-01T00:00:00Z&from=2026-11-01T00:00:00Z"
        "&to=2026-11-01T01:00:00Z"
    )
    assert response.status_code == 400
