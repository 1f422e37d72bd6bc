"""The ingest pipeline: what it refuses and why, what it stores, publishes and alerts on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from civicgraph.stores import Stores
from graph.records import Records, open_records, sqlite_url
from graph.records.readings import latest_readings
from seeds.han_river import is_river_station
from subscriptions.bus import MemoryBus
from subscriptions.directory import SensorDirectory
from subscriptions.events import Stream
from subscriptions.ingest.payloads import ReadingIn
from subscriptions.ingest.pipeline import Ingest
from subscriptions.ingest.window import RefusalCode
from subscriptions.streams import replay

SDOT = "sdot-11680-0000"
WATER = "wq-11680-0000"
NOW = datetime.now(UTC).replace(microsecond=0)
"""The test's "now": reset before each test, since collection may run long before the test."""


@pytest.fixture(autouse=True)
def _now() -> None:
    global NOW
    NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
async def records(tmp_path: Path) -> AsyncIterator[Records]:
    opened = await open_records(sqlite_url(tmp_path / "records.sqlite3"))
    yield opened
    await opened.close()


@pytest.fixture
async def directory(stores: Stores) -> SensorDirectory:
    return await SensorDirectory(stores.graph).load()


@pytest.fixture
async def ingest(records: Records, directory: SensorDirectory) -> Ingest:
    return await Ingest.start(records, directory, MemoryBus())


def reading(sensor: str = SDOT, minutes_ago: int = 10, **values: Any) -> ReadingIn:
    at = NOW - timedelta(minutes=minutes_ago)
    return ReadingIn(sensor_id=sensor, measured_at=at, values=values or {"pm25": 12.0})


async def test_good_readings_are_stored_published_and_replayable(
    ingest: Ingest, records: Records, directory: SensorDirectory
) -> None:
    live = ingest.bus.subscribe(Stream.READINGS, district="11680")
    result = await ingest.accept(
        [reading(minutes_ago=4, pm25=10.0, noise=50.0), reading(WATER, ph=7.1)], "http"
    )
    assert (result.accepted, result.duplicates, result.rejected) == (2, 0, [])
    received = [await asyncio.wait_for(live.next(), 5) for _ in range(2)]
    assert [e.id for e in received] == [e.id for e in result.events]
    assert received[0].data["values"] == {"pm25": 10.0, "noise": 50.0}
    assert received[1].data["sensor_kind"] == "water_quality"
    stored = await latest_readings(records, [SDOT, WATER])
    assert stored[SDOT]["pm25"] == 10.0
    assert stored[WATER]["ph"] == 7.1
    again = await replay(records, directory, Stream.READINGS, 0, district="11680", limit=10)
    assert [(e.id, e.data) for e in again] == [(e.id, e.data) for e in received]
    assert ingest.counts[("http", "accepted")] == 2


@pytest.mark.parametrize(
    ("bad", "reason"),
    [  # the readings' arguments: each is made at the test's now, not at collection
        ({"sensor": "sdot-nowhere"}, "unknown sensor"),
        ({"sensor": WATER, "pm25": 10.0}, "do not measure 'pm25'"),
        ({"pm25": 2000.0}, "outside 0..1500"),
        ({"minutes_ago": -30}, "in the future"),
        ({"humidity": -1.0}, "outside 0..100"),
    ],
)
async def test_bad_readings_are_refused_with_a_reason_and_nothing_is_stored(
    ingest: Ingest, records: Records, bad: dict[str, Any], reason: str
) -> None:
    result = await ingest.accept([reading(minutes_ago=2), reading(**bad)], "http")
    assert result.accepted == 0
    assert [(r.index, reason in r.reason) for r in result.rejected] == [(1, True)]
    assert await latest_readings(records, [SDOT, WATER]) == {}
    assert ingest.counts[("http", "refused")] == 1


async def test_without_all_or_nothing_the_good_ones_go_in(ingest: Ingest) -> None:
    result = await ingest.accept(
        [reading(minutes_ago=2), reading("sdot-nowhere")], "mqtt", all_or_nothing=False
    )
    assert (result.accepted, len(result.rejected)) == (1, 1)


async def test_a_retried_batch_is_not_stored_or_published_twice(ingest: Ingest) -> None:
    batch = [reading(minutes_ago=6), reading(minutes_ago=8)]
    first = await ingest.accept(batch, "http")
    second = await ingest.accept(batch, "http")
    assert (first.accepted, second.accepted, second.duplicates) == (2, 0, 2)
    assert second.events == []
    twice = await ingest.accept([reading(minutes_ago=12), reading(minutes_ago=12)], "http")
    assert twice.rejected[0].reason == "the same sensor and time twice"


async def test_alerts_follow_the_readings(ingest: Ingest, records: Records) -> None:
    alerts = ingest.bus.subscribe(Stream.ALERTS, district="11680")
    levels = [20.0, 40.0, 38.0, 80.0, 10.0]
    for step, value in enumerate(levels):
        await ingest.accept([reading(minutes_ago=9 - 2 * step, pm25=value)], "simulator")
    got = [await asyncio.wait_for(alerts.next(), 5) for _ in range(3)]
    assert [(e.data["state"], e.data["severity"]) for e in got] == [
        ("raised", "warning"),
        ("escalated", "critical"),
        ("cleared", "critical"),
    ]
    assert got[0].data["rule"].startswith("CAI PM2.5")
    restarted = await Ingest.start(records, ingest.directory, MemoryBus())
    assert restarted.tracker.levels[(SDOT, "pm25")] == 0


async def test_a_simulator_tick_sends_every_sensor_through_the_pipeline(
    ingest: Ingest, directory: SensorDirectory, records: Records
) -> None:
    from subscriptions.ingest.simulator import Simulator

    simulator = Simulator(ingest, directory, speed=60)
    assert simulator.interval == 2.0
    # the Han River stations' readings come from the water feed, not the simulator
    simulated = [s.id for s in directory.known() if not is_river_station(s.id)]
    assert len(simulated) < len(directory.known())
    live = ingest.bus.subscribe(Stream.READINGS)
    assert await simulator.tick() == len(simulated)
    assert await simulator.tick() == len(simulated)  # a second tick, a later time
    first = await asyncio.wait_for(live.next(), 5)
    sensor = await directory.get(first.data["sensor_id"])
    assert sensor is not None
    assert set(first.data["values"]) == set(sensor.data_types)
    latest = await latest_readings(records, [s.id for s in directory.known()])
    assert set(latest) == set(simulated)
    assert ingest.counts[("simulator", "accepted")] == 2 * len(simulated)


@pytest.mark.parametrize(
    ("measured_at", "code"),
    [
        pytest.param("0001-01-01T00:00:00+14:00", RefusalCode.TOO_OLD, id="year-1-plus-14"),
        pytest.param("0001-01-01T00:00:00-14:00", RefusalCode.TOO_OLD, id="year-1-minus-14"),
        pytest.param("9999-12-31T23:59:59-14:00", RefusalCode.IN_THE_FUTURE, id="year-9999"),
        pytest.param(-timedelta(days=31), RefusalCode.TOO_OLD, id="past-retention"),
        pytest.param(timedelta(minutes=6), RefusalCode.IN_THE_FUTURE, id="6-min-ahead"),
    ],
)
async def test_readings_outside_the_plausible_window_are_refused_with_a_code(
    ingest: Ingest, records: Records, measured_at: str | timedelta, code: RefusalCode
) -> None:
    # given (an offset is from the test's now)
    at = (NOW + measured_at).isoformat() if isinstance(measured_at, timedelta) else measured_at
    bad = ReadingIn.model_validate({"sensor_id": SDOT, "measured_at": at, "values": {"pm25": 5.0}})
    # when
    result = await ingest.accept([bad], "http")
    # then
    assert [(r.code, r.index) for r in result.rejected] == [(code, 0)]
    assert await latest_readings(records, [SDOT]) == {}


async def _warning_raised(ingest: Ingest) -> None:
    await ingest.accept([reading(minutes_ago=4, pm25=20.0)], "http")
    raised = await ingest.accept([reading(minutes_ago=2, pm25=40.0)], "http")
    assert [a.data["state"] for a in raised.alerts] == ["raised"]


@pytest.mark.parametrize(
    "late",
    [
        pytest.param(timedelta(days=4), id="4-days-old-backfill"),
        pytest.param(timedelta(minutes=11), id="older-than-the-live-window"),
        pytest.param(timedelta(minutes=3), id="older-than-the-newest"),
    ],
)
async def test_late_readings_are_stored_but_never_clear_a_live_alert(
    ingest: Ingest, records: Records, late: timedelta
) -> None:
    # given: a live PM2.5 warning
    await _warning_raised(ingest)
    alerts = ingest.bus.subscribe(Stream.ALERTS)
    # when: a clean reading from before arrives
    backfill = ReadingIn(sensor_id=SDOT, measured_at=NOW - late, values={"pm25": 3.0})
    result = await ingest.accept([backfill], "http")
    # then: stored, published as a reading, no alert change and none on the bus
    assert (result.accepted, result.alerts) == (1, [])
    assert len(result.events) == 1
    assert alerts.pending() == 0
    assert ingest.tracker.levels[(SDOT, "pm25")] == 1
    cleared = await ingest.accept([reading(minutes_ago=1, pm25=3.0)], "http")
    assert [a.data["state"] for a in cleared.alerts] == ["cleared"]
