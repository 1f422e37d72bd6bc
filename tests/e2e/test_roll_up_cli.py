"""`civicgraph readings roll-up` from cron while `civicgraph serve` runs: a real server process
holds the embedded graph's lock, and the roll-up (which needs only the records) still runs."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bench.ports import free_port

READY_S = 120


async def civicgraph(env: dict[str, str], *arguments: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "civicgraph.cli",
        *arguments,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode()


@pytest.fixture
async def serving_city(tmp_path: Path) -> AsyncIterator[dict[str, str]]:
    """A seeded city in `tmp_path` and a `civicgraph serve` process over it; yields the env."""
    env = {
        **os.environ,
        "CIVIC_DATA_DIR": str(tmp_path),
        "CIVIC_SIMULATOR": "false",
        "CIVIC_PORT": str(free_port()),
    }
    for name in ("CIVIC_GRAPH_URL", "CIVIC_DB_URL", "CIVIC_BUS_URL", "CIVIC_MQTT_URL"):
        env.pop(name, None)
    status, output = await civicgraph(env, "seed", "--scale", "0.001", "--history-days", "1")
    assert status == 0, output
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "civicgraph.cli",
        "serve",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{env['CIVIC_PORT']}/healthz"
    try:
        async with httpx.AsyncClient() as http, asyncio.timeout(READY_S):
            while True:
                assert server.returncode is None, "serve exited"
                try:
                    if (await http.get(url)).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
        yield env
    finally:
        server.terminate()
        await server.wait()


async def test_roll_up_runs_while_serve_holds_the_graph(serving_city: dict[str, str]) -> None:
    # given: serve holds the LadybugDB file (a second opener of the graph would fail)
    # when
    status, output = await civicgraph(serving_city, "readings", "roll-up", "--keep-days", "1")
    # then
    assert status == 0, output
    assert "Rolled" in output
    url = f"http://127.0.0.1:{serving_city['CIVIC_PORT']}/healthz"
    async with httpx.AsyncClient() as http:
        assert (await http.get(url)).status_code == 200
