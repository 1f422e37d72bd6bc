"""`POST /ingest/readings` through the app: keys, every kind of bad body, retries, metrics."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest

from graph.records.api_keys import Tier
from tests.conftest import SEED_UNTIL

OLD = SEED_UNTIL - timedelta(days=5)  # before the seeded history: no test's latest reading moves


def batch(*minutes: int, sensor: str = "sdot-11110-0000", **values: float) -> dict[str, object]:
    return {
        "readings": [
            {
                "sensor_id": sensor,
                "measured_at": (OLD + timedelta(minutes=m)).isoformat(),
                "values": values or {"pm25": 11.5, "noise": 48.0},
            }
            for m in minutes
        ]
    }


async def post(client: httpx.AsyncClient, body: object, key: str | None) -> httpx.Response:
    headers = {"X-API-Key": key} if key else {}
    return await client.post("/ingest/readings", json=body, headers=headers)


async def test_an_operator_key_is_needed(client: httpx.AsyncClient, keys: dict[Tier, str]) -> None:
    assert (await post(client, batch(0), None)).status_code == 401
    assert (await post(client, batch(0), keys[Tier.DEVELOPER])).status_code == 403


async def test_a_batch_is_stored_once_and_counted(
    client: httpx.AsyncClient, keys: dict[Tier, str]
) -> None:
    first = await post(client, batch(0, 2, 4), keys[Tier.OPERATOR])
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["accepted"] == 3
    assert body["ids"] == sorted(body["ids"])
    retried = await post(client, batch(0, 2, 4), keys[Tier.OPERATOR])
    assert retried.json() | {"ids": []} == {"accepted": 0, "duplicates": 3, "ids": [], "alerts": 0}
    metrics = (await client.get("/metrics")).text
    assert 'civic_ingest_readings_total{outcome="accepted",source="http"}' in metrics


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b"{not json", 400, "not JSON"),
        ({"readings": []}, 422, "expected shape"),
        ({"readings": [{"sensor_id": "x"}]}, 422, "expected shape"),
        (batch(10, pm25=float("nan")), 422, "expected shape"),
        ({"readings": [], "extra": 1}, 422, "expected shape"),
        (batch(10, sensor="sdot-nowhere"), 422, "unknown sensor"),
        (batch(10, turbidity=3.0), 422, "do not measure 'turbidity'"),
        (batch(10, pm25=-3.0), 422, "outside 0..1500"),
        (
            {
                "readings": [
                    {
                        "sensor_id": "sdot-11110-0000",
                        "measured_at": "0001-01-01T00:00:00+14:00",
                        "values": {"pm25": 3.0},
                    }
                ]
            },
            422,
            '"code":"too_old"',
        ),
    ],
)
async def test_bad_batches_are_refused_with_reasons(
    client: httpx.AsyncClient, keys: dict[Tier, str], body: object, status: int, says: str
) -> None:
    headers = {"X-API-Key": keys[Tier.OPERATOR], "content-type": "application/json"}
    if isinstance(body, bytes):
        response = await client.post("/ingest/readings", content=body, headers=headers)
    else:
        content = json.dumps(body, allow_nan=True).encode()
        response = await client.post("/ingest/readings", content=content, headers=headers)
    assert response.status_code == status, response.text
    assert says in response.text


async def test_a_body_over_the_limit_is_413(
    client: httpx.AsyncClient, keys: dict[Tier, str]
) -> None:
    huge = b'{"readings": [' + b" " * (5 * 1024 * 1024) + b"]}"
    headers = {"X-API-Key": keys[Tier.OPERATOR], "content-type": "application/json"}
    response = await client.post("/ingest/readings", content=huge, headers=headers)
    assert response.status_code == 413
