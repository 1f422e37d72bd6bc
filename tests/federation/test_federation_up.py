"""`civicgraph federation up` with every process real: the subgraphs, then Hive Gateway or
Apollo's gateway in front of them; a query across subgraphs, a subscription through Hive, the
caller's API key reaching the subgraphs, and SIGTERM leaving no process behind."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bench.ports import free_block
from bench.process_cpu import descendants
from civicgraph.cli import app
from resolvers.subgraphs import SUBGRAPHS
from tests.civicgraph.runner import BoundaryRunner, assert_refused
from tests.conftest import UNLIMITED_ENV
from tests.e2e.websocket_client import TRANSPORT, next_frame, ws_url

runner = BoundaryRunner()
START_S = 300
STOP_S = 60
READY_LINE = "Ctrl-C stops them all."
ACROSS_SUBGRAPHS = """{
  district(code: "11680") {
    code nameEn
    sensors { id }
    cases(first: 2) { edges { node { id district { code nameEn } } } }
  }
}"""
SENSORS_OF_DISTRICT = """query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on District { sensors { id } } }
}"""
FILE_CASE = """mutation ($input: FileCaseInput!) {
  fileCase(input: $input) { __typename ... on FileCaseSuccess { case { id } } }
}"""
CASE_UPDATES = 'subscription { caseUpdates(district: "11680") { caseId districtCode kind } }'
GANGNAM = {
    "serviceCode": "noise",
    "description": "Night construction",
    "lat": 37.5115,
    "lon": 127.0595,
}


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def seeded(data: Path) -> Path:
    """`data` holding a small seeded city (LadybugDB lets one process at a time open it)."""
    env = os.environ | {"CIVIC_DATA_DIR": str(data)}
    subprocess.run(
        [sys.executable, "-m", "civicgraph.cli", "seed", "--scale", "0.001", "--history-days", "1"],
        env=env,
        check=True,
        capture_output=True,
    )
    return data


class Federation:
    """A running `civicgraph federation up`: its process, data folder, gateway kind and URL, and
    the base URL of each subgraph in SUBGRAPHS order."""

    def __init__(self, process: subprocess.Popen[bytes], city: Path, kind: str, port: int) -> None:
        self.process = process
        self.city = city
        self.kind = kind
        self.gateway = f"http://127.0.0.1:{port}"
        self.subgraphs = [f"http://127.0.0.1:{port + 1 + i}" for i in range(len(SUBGRAPHS))]


def start_federation(city: Path, gateway: str, log: Path) -> Iterator[Federation]:
    port = free_block(1 + len(SUBGRAPHS))
    env = os.environ | UNLIMITED_ENV | {"CIVIC_DATA_DIR": str(city), "CIVIC_SIMULATOR": "0"}
    argv = [sys.executable, "-m", "civicgraph.cli", "federation", "up", "--gateway", gateway]
    argv += ["--port", str(port), "--first-subgraph-port", str(port + 1)]
    with log.open("wb") as out:
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_S
        while READY_LINE not in log.read_text():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield Federation(process, city, gateway, port)
    finally:
        if process.poll() is None:  # SIGTERM lets it stop its children and remove its run folder
            process.terminate()
            try:
                process.wait(timeout=STOP_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def hive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federation]:
    """Hive Gateway in front of the subgraphs, on a city of its own."""
    folder = tmp_path_factory.mktemp("hive")
    yield from start_federation(seeded(folder / "city"), "hive", folder / "up.log")


@pytest.fixture(scope="module")
def apollo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federation]:
    """Apollo's gateway in front of the subgraphs, on a city of its own."""
    folder = tmp_path_factory.mktemp("apollo")
    yield from start_federation(seeded(folder / "city"), "apollo", folder / "up.log")


@pytest.fixture(params=["hive", "apollo"])
def federation(request: pytest.FixtureRequest) -> Federation:
    """Each gateway in turn."""
    found: Federation = request.getfixturevalue(request.param)
    return found


def post(url: str, query: str, variables: dict[str, Any] | None = None, **headers: str) -> Any:
    response = httpx.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"accept": "application/json", **headers},
        timeout=30,
    )
    return response.json()


def test_a_query_across_subgraphs_answers_through_the_gateway(federation: Federation) -> None:
    # when a query spans city, sensing and services through the gateway
    body = post(federation.gateway, ACROSS_SUBGRAPHS)

    # then each part comes from its subgraph
    assert "errors" not in body, body
    district = body["data"]["district"]
    assert (district["code"], district["nameEn"]) == ("11680", "Gangnam-gu")
    assert [edge["node"]["district"]["code"] for edge in district["cases"]["edges"]] == [
        "11680",
        "11680",
    ]
    sensing = federation.subgraphs[list(SUBGRAPHS).index("sensing")]
    direct = post(
        sensing,
        SENSORS_OF_DISTRICT,
        {"representations": [{"__typename": "District", "code": "11680"}]},
    )
    assert district["sensors"] == direct["data"]["_entities"][0]["sensors"]
    assert district["sensors"]


def test_the_callers_key_reaches_the_subgraphs(federation: Federation) -> None:
    # a key the subgraphs do not know: only they can refuse it, so the refusal proves it arrived
    body = post(federation.gateway, ACROSS_SUBGRAPHS, **{"x-api-key": "no-such-key"})
    assert body.get("data") is None or body["data"].get("district") is None
    assert "unknown or revoked API key" in json.dumps(body)
    bearer = post(federation.gateway, ACROSS_SUBGRAPHS, authorization="Bearer no-such-key")
    assert "unknown or revoked API key" in json.dumps(bearer)


async def case_update_after_filing(ws: ClientConnection, gateway: str) -> dict[str, Any]:
    """Subscribe to Gangnam's case updates on `ws`, then file cases through `gateway` until one
    arrives (Hive opens its own subscription to the subgraph lazily); the first frame, with
    the ids filed under "filed"."""
    subscribe = {"id": "1", "type": "subscribe", "payload": {"query": CASE_UPDATES}}
    await ws.send(json.dumps(subscribe))
    filed: list[str] = []
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as http, asyncio.timeout(START_S):
        while True:
            variables = {"input": GANGNAM}
            response = await http.post(
                "/graphql", json={"query": FILE_CASE, "variables": variables}
            )
            filed.append(response.json()["data"]["fileCase"]["case"]["id"])
            try:
                frame = await asyncio.wait_for(next_frame(ws), 1.0)
            except TimeoutError:
                continue
            return frame | {"filed": filed}


async def test_a_subscription_through_hive_delivers_a_case_filed_through_it(
    hive: Federation,
) -> None:
    # given a subscriber whose connection_init payload names a key: not a key source, as on
    # the merged server (docs/security.md), so neither the gateway nor the subgraph refuses it
    async with connect(ws_url(hive.gateway), subprotocols=[TRANSPORT]) as ws:  # type: ignore[list-item]
        init = {"type": "connection_init", "payload": {"X-API-Key": "no-such-key"}}
        await ws.send(json.dumps(init))
        assert json.loads(await ws.recv())["type"] == "connection_ack"

        # when a case is filed through the gateway
        frame = await case_update_after_filing(ws, hive.gateway)

    # then its event arrives through the gateway from the services subgraph
    assert frame["type"] == "next", frame
    event = frame["payload"]["data"]["caseUpdates"]
    assert event["caseId"] in frame["filed"]
    assert event["districtCode"] == "11680"


async def test_a_key_in_the_upgrade_headers_reaches_the_subgraphs(hive: Federation) -> None:
    # a key the subgraphs do not know, on the client's websocket upgrade to the gateway
    async with connect(
        ws_url(hive.gateway),
        subprotocols=[TRANSPORT],  # type: ignore[list-item]
        additional_headers={"x-api-key": "no-such-key"},
    ) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await next_frame(ws)
    # a subgraph's door refused the key (the connection's seat): the socket closes as the
    # merged server closes it, at connect, 4401 with the reason
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (
        4401,
        "unknown or revoked API key",
    )


def test_sigterm_stops_the_gateway_and_every_subgraph(tmp_path: Path) -> None:
    # given a running federation and every process it started
    city = seeded(tmp_path / "city")
    for started in start_federation(city, "hive", tmp_path / "up.log"):
        below = descendants(started.process.pid)
        assert len(below) >= 2, below  # the subgraphs' process and the gateway

        # when it is sent SIGTERM
        started.process.send_signal(signal.SIGTERM)
        code = started.process.wait(timeout=STOP_S)

        # then it exits cleanly and nothing it started is left
        assert code == 0, (tmp_path / "up.log").read_text()
        assert [pid for pid in below if running(pid)] == []
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{started.gateway}/healthz", timeout=2)


DISTRICT_SENSORS = '{ district(code: "11680") { code nameEn sensors { id } } }'


def get(url: str, query: str) -> Any:
    """`query` answered over GET (GraphQL over HTTP): the body the gateway gives."""
    params = {"query": query}
    response = httpx.get(f"{url}/graphql", params=params, headers={"accept": "application/json"})
    return response.json()


def gateway_supergraph(federation: Federation) -> Path:
    """The supergraph file the running gateway was started on (its CIVIC_SUPERGRAPH_FILE)."""
    for pid in descendants(federation.process.pid):
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        for entry in environ:
            if entry.startswith(b"CIVIC_SUPERGRAPH_FILE="):
                return Path(entry.split(b"=", 1)[1].decode())
    raise AssertionError("no process below federation up names CIVIC_SUPERGRAPH_FILE")


def test_supergraphs_written_while_it_runs_change_nothing_it_serves(
    hive: Federation, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the running gateway's answer and its run's logs
    before = get(hive.gateway, DISTRICT_SENSORS)
    assert before["data"]["district"]["sensors"], before
    logs = {path: path.read_bytes() for path in hive.city.glob("logs/federation/*/*.log")}
    assert {path.name for path in logs} == {"subgraphs.log", "gateway-hive.log"}
    monkeypatch.setenv("CIVIC_DATA_DIR", str(hive.city))
    elsewhere = free_block(8)
    other_ports = ["--port", str(elsewhere), "--first-subgraph-port", str(elsewhere + 1)]
    same_ports = ["--port", hive.gateway.rsplit(":", 1)[1]]
    same_ports += ["--first-subgraph-port", hive.subgraphs[0].rsplit(":", 1)[1]]

    # when `civicgraph supergraph` composes for other ports into the data folder's default place
    composed = runner.invoke(app, ["supergraph", "--first-subgraph-port", str(elsewhere + 1)])
    assert composed.exit_code == 0, composed.output
    # and a second `federation up` is started, on the same ports, then on others
    again = runner.invoke(app, ["federation", "up", *same_ports])
    assert_refused(again)
    assert "cannot listen on" in again.stderr
    other = runner.invoke(app, ["federation", "up", *other_ports])
    assert_refused(other)
    assert "the stores cannot be opened" in other.stderr
    assert "stop the server using this CIVIC_DATA_DIR" in other.stderr
    # and even the running gateway's own supergraph file is rewritten in place
    served = gateway_supergraph(hive)
    original = served.read_text()
    try:
        served.write_text((hive.city / "federation" / "supergraph.graphql").read_text())

        # then the gateway keeps answering from the subgraphs it started with
        for _ in range(10):
            assert get(hive.gateway, DISTRICT_SENSORS) == before
            time.sleep(0.3)
    finally:
        served.write_text(original)
    # and the running stack's logs keep every line they had
    for path, content in logs.items():
        assert path.read_bytes().startswith(content), path
    assert not list(hive.city.glob("logs/federation/*/gateway-apollo.log"))
