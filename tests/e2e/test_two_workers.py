"""Two server processes on one Redis: a reading ingested by one reaches a subscriber of the other.

Both serve the same seeded city: the LadybugDB file opened read-only by each (LadybugDB has one
writer; scale-out writers use Neo4j) and one records database. Nothing but the Redis bus can
carry a live event from the first process to the second.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bench.ports import free_port
from civicgraph.settings import Settings
from civicgraph.stores import open_stores
from graph.errors import StoreUnavailable
from graph.records import api_keys
from graph.records.api_keys import Tier
from seeds.seed import seed
from subscriptions.open import open_bus
from tests.conftest import SEED_UNTIL, UNLIMITED_ENV
from tests.contract.test_bus import REDIS_URL
from tests.e2e.test_subscriptions import READINGS, take

pytestmark = pytest.mark.services

WAIT_S = 60


@contextlib.asynccontextmanager
async def worker(data: Path, port: int) -> AsyncIterator[str]:
    env = os.environ | {
        "CIVIC_DATA_DIR": str(data),
        "CIVIC_GRAPH_READ_ONLY": "1",
        "CIVIC_BUS_URL": REDIS_URL,
        "CIVIC_SIMULATOR": "0",
        **UNLIMITED_ENV,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "civicgraph.cli",
        "serve",
        "--port",
        str(port),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url) as http, asyncio.timeout(WAIT_S):
            while True:
                if process.returncode is not None:
                    error = await process.stderr.read() if process.stderr else b""
                    pytest.fail(f"worker on {port} exited: {error.decode()[-2000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get("/healthz")).status_code == 200:
                        break
                await asyncio.sleep(0.2)
        yield url
    finally:
        process.terminate()
        await process.wait()


async def seeded_for_workers(data: Path) -> str:
    """A small city seeded into `data` and an operator key for it; the test skipped when Redis
    (the workers' bus) is not running."""
    try:
        await (await open_bus(REDIS_URL)).close()
    except StoreUnavailable as error:
        pytest.skip(f"Redis is not running (tools/services/services.sh): {error}")
    stores = await open_stores(Settings(data_dir=data), migrate=True)
    try:
        await seed(stores.graph, stores.records, scale=0.001, history_days=1, until=SEED_UNTIL)
        return (await api_keys.create_key(stores.records, "workers", Tier.OPERATOR)).secret
    finally:
        await stores.close()


async def test_a_reading_ingested_by_one_worker_reaches_a_subscriber_of_the_other(
    tmp_path: Path,
) -> None:
    key = await seeded_for_workers(tmp_path)

    async with worker(tmp_path, free_port()) as first, worker(tmp_path, free_port()) as second:
        listening = asyncio.create_task(
            take(second, "graphql-transport-ws", READINGS, {"district": "11305"}, 1)
        )
        sent: list[int] = []
        base = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
        async with httpx.AsyncClient(base_url=first) as http, asyncio.timeout(WAIT_S):
            while not listening.done():  # until the second worker has subscribed and hears one
                reading = {
                    "sensor_id": "sdot-11305-0000",
                    "measured_at": (base + timedelta(seconds=len(sent))).isoformat(),
                    "values": {"pm25": 9.0},
                }
                response = await http.post(
                    "/ingest/readings", json={"readings": [reading]}, headers={"X-API-Key": key}
                )
                assert response.status_code == 200, response.text
                sent += response.json()["ids"]
                await asyncio.wait({listening}, timeout=0.3)
        [result] = listening.result()
        assert int(result["sensorReadings"]["id"]) in sent
