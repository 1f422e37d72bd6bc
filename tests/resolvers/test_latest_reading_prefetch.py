"""A list of sensors loads their latest readings before their fields are resolved when the query
selects `latestReading` (`resolvers/sensing/prefetch.py`), so each sensor's field answers without
awaiting: through aliases, fragments and a connection's edges. The answers are the same as the
awaited path's, an outage still fails each sensor's field where it did, and a lone sensor still
awaits its reading."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from graph.errors import StoreUnavailable
from resolvers.sensing import prefetch, schema, types, views
from resolvers.sensing.dataloaders import LatestReadingBySensorLoader
from tests.helpers import graphql

READING = "latestReading { measuredAt values { dataType value unit } }"
LISTS = {
    "a gu's sensors": f'{{ district(code: "11680") {{ sensors {{ id {READING} }} }} }}',
    "an alias": f'{{ district(code: "11680") {{ sensors {{ id newest: {READING} }} }} }}',
    "a named fragment": (
        f'{{ district(code: "11680") {{ sensors {{ ...Newest }} }} }} '
        f"fragment Newest on Sensor {{ id {READING} }}"
    ),
    "an inline fragment": (
        f'{{ district(code: "11680") {{ ... on District {{ sensors {{ ... {{ id {READING} }} }} }} '
        "} }"
    ),
    "a connection's edges": f"{{ sensors(first: 20) {{ edges {{ node {{ id {READING} }} }} }} }}",
    "a pole's sensors": (
        f"{{ assets(first: 5, filter: {{ kind: [SMART_POLE] }}) {{ edges {{ node {{ id "
        f"sensors {{ id {READING} }} }} }} }} }}"
    ),
}


@pytest.fixture
def awaited(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sensor ids whose `latestReading` was awaited rather than answered at once."""
    calls: list[str] = []
    original = types._latest_reading

    async def counted(loader: LatestReadingBySensorLoader, sensor_id: str) -> Any:
        calls.append(sensor_id)
        return await original(loader, sensor_id)

    monkeypatch.setattr(types, "_latest_reading", counted)
    return calls


def _readings(body: dict[str, Any]) -> list[Any]:
    """Every latest reading in an answer, in order."""
    found: list[Any] = []
    stack: list[Any] = [body["data"]]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for name, value in item.items():
                if name in ("latestReading", "newest"):
                    found.append(value)
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return found


@pytest.mark.parametrize("name", list(LISTS))
async def test_a_list_answers_each_latest_reading_without_awaiting_it(
    client: httpx.AsyncClient, awaited: list[str], name: str
) -> None:
    body = await graphql(client, LISTS[name])
    assert "errors" not in body, body
    readings = _readings(body)
    assert readings, "the seeded city has readings"
    assert any(r is not None for r in readings)
    assert awaited == []


@pytest.mark.parametrize("name", list(LISTS))
async def test_the_answers_are_those_of_the_awaited_path(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    prefetched = await graphql(client, LISTS[name])

    async def nothing(info: Any, sensors: list[Any], *within: str) -> list[Any]:
        return sensors

    for module in (views, schema):
        monkeypatch.setattr(module, "with_latest_readings", nothing)
    assert await graphql(client, LISTS[name]) == prefetched


async def test_a_lone_sensor_awaits_its_reading(
    client: httpx.AsyncClient, awaited: list[str]
) -> None:
    body = await graphql(client, f'{{ sensor(id: "sdot-11680-0000") {{ id {READING} }} }}')
    assert "errors" not in body, body
    assert awaited == ["sdot-11680-0000"]


async def test_a_list_that_does_not_select_the_reading_loads_none(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[list[str]] = []

    async def counted(self: LatestReadingBySensorLoader, keys: list[str]) -> list[Any]:
        loads.append(keys)
        return [None for _ in keys]

    monkeypatch.setattr(LatestReadingBySensorLoader, "batch_load", counted)
    body = await graphql(client, '{ district(code: "11680") { sensors { id kind } } }')
    assert "errors" not in body, body
    assert loads == []


async def test_an_outage_still_fails_each_sensors_reading_not_the_list(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def down(self: LatestReadingBySensorLoader, keys: list[str]) -> list[Any]:
        raise StoreUnavailable("the records are down")

    monkeypatch.setattr(LatestReadingBySensorLoader, "batch_load", down)
    body = await graphql(client, LISTS["a gu's sensors"])
    sensors = body["data"]["district"]["sensors"]
    assert sensors, body
    assert all(s["latestReading"] is None for s in sensors)
    paths = [e["path"] for e in body["errors"]]
    assert paths == [["district", "sensors", i, "latestReading"] for i in range(len(sensors))]


def test_the_prefetch_is_what_the_lists_call() -> None:
    assert views.with_latest_readings is prefetch.with_latest_readings
    assert schema.with_latest_readings is prefetch.with_latest_readings
