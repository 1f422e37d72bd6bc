"""Subscriptions over real websockets with the Python `gql` client, on both protocols.

Readings are sent the way a gateway sends them (HTTP batch ingest on the same server); each
subscription starts `after` a known id, so nothing depends on when the server registered it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from gql import Client, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.websockets import WebsocketsTransport

from civicgraph.stores import Stores
from graph.records.alerts import alerts_after
from graph.records.api_keys import Tier
from tests.conftest import SEED_UNTIL

PROTOCOLS = {
    "graphql-transport-ws": WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL,
    "graphql-ws": WebsocketsTransport.APOLLO_SUBPROTOCOL,
}
READINGS = """
subscription ($district: String, $dataType: DataType, $after: ID) {
  sensorReadings(district: $district, dataType: $dataType, after: $after) {
    id sensorId districtCode sensorKind measuredAt values { dataType value unit }
  }
}"""
CASES = """
subscription ($district: String, $after: ID) {
  caseUpdates(district: $district, after: $after) { id caseId districtCode kind status department }
}"""
ALERTS = """
subscription ($district: String, $after: ID) {
  alerts(district: $district, severity: [WARNING, CRITICAL], after: $after) {
    id sensorId dataType severity state value threshold rule
  }
}"""
FILE_CASE = """
mutation ($input: FileCaseInput!) {
  fileCase(input: $input) { ... on FileCaseSuccess { case { id } } }
}"""
WAIT_S = 15
_clock = iter(range(1, 100_000))
_BASE = SEED_UNTIL - timedelta(days=10)


def moment() -> str:
    """A distinct time for each reading this module sends, before the seeded history: the
    session's city is shared, and no other test's latest reading may move."""
    return (_BASE - timedelta(seconds=next(_clock))).isoformat()


class Gateway:
    """Sends readings to the server's ingest door, as a sensor gateway would."""

    def __init__(self, http: httpx.AsyncClient, key: str) -> None:
        self.http, self.key = http, key

    async def send(self, sensor: str, at: str | None = None, **values: float) -> int:
        """Send one reading measured `at` (default: a distinct moment before the seed)."""
        reading = {"sensor_id": sensor, "measured_at": at or moment(), "values": values}
        body = {"readings": [reading]}
        response = await self.http.post(
            "/ingest/readings", json=body, headers={"X-API-Key": self.key}
        )
        assert response.status_code == 200, response.text
        [key] = response.json()["ids"]
        return int(key)


@pytest.fixture
async def gateway(server: str, keys: dict[Tier, str]) -> AsyncIterator[Gateway]:
    async with httpx.AsyncClient(base_url=server) as http:
        yield Gateway(http, keys[Tier.OPERATOR])


def transport(server: str, protocol: str) -> WebsocketsTransport:
    url = server.replace("http://", "ws://") + "/graphql"
    return WebsocketsTransport(url=url, subprotocols=[PROTOCOLS[protocol]])


async def take(
    server: str, protocol: str, query: str, variables: dict[str, Any], count: int
) -> list[dict[str, Any]]:
    """The first `count` results of a subscription."""
    got: list[dict[str, Any]] = []
    async with Client(transport=transport(server, protocol)) as session:
        request = gql(query)
        request.variable_values = variables
        async for result in session.subscribe(request):
            got.append(result)
            if len(got) == count:
                break
    return got


@pytest.mark.parametrize("protocol", list(PROTOCOLS))
async def test_filtered_readings_arrive_on_both_protocols(
    server: str, gateway: Gateway, protocol: str
) -> None:
    start = await gateway.send("sdot-11110-0000", pm25=10.0)
    variables = {"district": "11110", "dataType": "PM25", "after": str(start)}
    listening = asyncio.create_task(take(server, protocol, READINGS, variables, 2))
    await gateway.send("sdot-11680-0000", pm25=99.0)  # another gu: filtered out
    await gateway.send("wq-11110-0000", ph=7.0)  # no PM2.5: filtered out
    first = await gateway.send("sdot-11110-0000", pm25=21.5, noise=40.0)
    second = await gateway.send("sdot-11110-0000", pm25=22.5)
    got = await asyncio.wait_for(listening, WAIT_S)
    events = [r["sensorReadings"] for r in got]
    assert [int(e["id"]) for e in events] == [first, second]
    assert events[0]["values"] == [{"dataType": "PM25", "value": 21.5, "unit": "µg/m³"}]
    assert {e["districtCode"] for e in events} == {"11110"}


async def test_resuming_after_an_id_gives_what_was_missed_then_live_without_gaps(
    server: str, gateway: Gateway
) -> None:
    sent = [await gateway.send("sdot-11140-0000", pm10=float(v)) for v in range(5)]
    variables = {"district": "11140", "after": str(sent[1])}
    listening = asyncio.create_task(take(server, "graphql-transport-ws", READINGS, variables, 5))
    await asyncio.sleep(0.5)  # let the replay finish: the next ones must come live
    sent += [await gateway.send("sdot-11140-0000", pm10=float(v)) for v in (7, 8)]
    got = await asyncio.wait_for(listening, WAIT_S)
    assert [int(r["sensorReadings"]["id"]) for r in got] == sent[2:]


async def test_case_updates_follow_a_filed_case(server: str) -> None:
    seen: list[dict[str, Any]] = []

    async def listen() -> None:
        # after 0: every case event of the gu is replayed from the records, then live ones
        async with Client(transport=transport(server, "graphql-ws")) as session:
            request = gql(CASES)
            request.variable_values = {"district": "11680", "after": "0"}
            async for result in session.subscribe(request):
                seen.append(result["caseUpdates"])

    listening = asyncio.create_task(listen())
    body = {
        "query": FILE_CASE,
        "variables": {
            "input": {
                "serviceCode": "noise",
                "description": "Construction at night",
                "lat": 37.5115,  # COEX, inside Gangnam-gu
                "lon": 127.0595,
            }
        },
    }
    async with httpx.AsyncClient(base_url=server) as http:
        filed = (await http.post("/graphql", json=body)).json()
    case_id = filed["data"]["fileCase"]["case"]["id"]
    try:
        async with asyncio.timeout(WAIT_S):
            while len([u for u in seen if u["caseId"] == case_id]) < 2:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    finally:
        listening.cancel()
    updates = [u for u in seen if u["caseId"] == case_id]
    assert [(u["kind"], u["status"]) for u in updates] == [
        ("received", "OPEN"),
        ("assigned", "OPEN"),
    ]
    assert updates[1]["department"] == "environment"
    ids = [int(u["id"]) for u in seen]
    assert ids == sorted(set(ids))  # replayed then live: increasing, no duplicates
    assert len(seen) > 2  # the gu's earlier events came first


async def test_alerts_are_raised_once_for_a_polluted_sensor(
    server: str, gateway: Gateway, stores: Stores
) -> None:
    # alerts follow live readings only: these are from the last minute, in order (no other
    # test reads this sensor's latest reading)
    live = (datetime.now(UTC) - timedelta(minutes=1)).replace(microsecond=0)
    await gateway.send("sdot-11215-0000", live.isoformat(), pm25=20.0)
    # resume after the gu's last alert so far: alerts raised before the subscription is
    # registered are replayed, not missed (`after` is an alert id, not a reading id)
    earlier = await alerts_after(stores.records, 0, districts=["11215"], limit=10_000)
    variables = {"district": "11215", "after": str(max((a.id for a in earlier), default=0))}
    listening = asyncio.create_task(take(server, "graphql-transport-ws", ALERTS, variables, 2))
    for step, value in enumerate((40.0, 37.0, 39.0, 90.0), start=1):
        at = (live + timedelta(seconds=step)).isoformat()
        await gateway.send("sdot-11215-0000", at, pm25=value)
    got = [r["alerts"] for r in await asyncio.wait_for(listening, WAIT_S)]
    assert [(a["state"], a["severity"]) for a in got] == [
        ("RAISED", "WARNING"),
        ("ESCALATED", "CRITICAL"),
    ]
    assert got[0]["threshold"] == 36.0


@pytest.mark.parametrize(
    ("variables", "code"),
    [({"district": "99999"}, "not_found"), ({"after": "yesterday"}, "bad_cursor")],
)
async def test_bad_subscription_arguments_are_coded_errors(
    server: str, variables: dict[str, Any], code: str
) -> None:
    with pytest.raises(TransportQueryError) as error:
        await asyncio.wait_for(take(server, "graphql-transport-ws", READINGS, variables, 1), WAIT_S)
    assert error.value.errors is not None
    assert error.value.errors[0]["extensions"]["code"] == code
