"""The npm `graphql-ws` client (the protocol's reference implementation) against our server."""

from __future__ import annotations

import asyncio
import json
import shutil

import pytest

from tests.e2e.test_subscriptions import READINGS, Gateway, gateway  # noqa: F401 - fixture
from tests.helpers import REPO

SCRIPT = REPO / "gateway" / "scripts" / "subscribe.mjs"
WAIT_S = 20


async def run_node(*args: str) -> tuple[int, str, str]:
    node = shutil.which("node")
    if node is None or not (REPO / "gateway" / "node_modules" / "graphql-ws").exists():
        pytest.skip("node and `npm ci --prefix gateway` are needed (make test runs it)")
    process = await asyncio.create_subprocess_exec(
        node, str(SCRIPT), *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), WAIT_S)
    return process.returncode or 0, out.decode(), err.decode()


async def test_the_npm_graphql_ws_client_receives_readings(server: str, gateway: Gateway) -> None:  # noqa: F811
    start = await gateway.send("sdot-11170-0000", pm25=5.0)
    url = server.replace("http://", "ws://") + "/graphql"
    variables = json.dumps({"district": "11170", "dataType": "PM25", "after": str(start)})
    client = asyncio.create_task(run_node(url, "2", READINGS, variables))
    sent = [await gateway.send("sdot-11170-0000", pm25=v) for v in (6.0, 7.0)]
    code, out, err = await client
    assert code == 0, err
    events = [json.loads(line)["data"]["sensorReadings"] for line in out.splitlines()]
    assert [int(e["id"]) for e in events] == sent
    assert [e["values"][0]["value"] for e in events] == [6.0, 7.0]


async def test_the_npm_client_sees_a_coded_error(server: str) -> None:
    url = server.replace("http://", "ws://") + "/graphql"
    code, _out, err = await run_node(url, "1", READINGS, json.dumps({"district": "00000"}))
    assert code == 1
    assert "not_found" in err
