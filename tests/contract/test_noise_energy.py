"""Noise is a sound level: every mean of it is the energy mean (ISO 1996-1's equivalent
continuous level, Leq = 10·log10(mean(10^(L/10)))), on every backend and through every door:
the gu means (`airQuality`), a gu's pooled buckets (`districtReadings`), a sensor's buckets
(`Sensor.readings`), and hours rolled up after their raw readings are gone. PM and every other
data type keep the arithmetic mean.

The issue's example: 40 and 60 dB average to 57.03 dB, not 50.
"""

from __future__ import annotations

import math
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from graph.records import Records
from graph.records.reading_figures import district_means
from graph.records.readings import (
    COLUMNS,
    bucketed,
    epoch,
    insert_readings,
    latest_readings,
    pooled_buckets,
    roll_up,
)
from tests.conftest import SEED_UNTIL
from tests.contract.conftest import Backend, unique
from tests.contract.test_sensing_indicators import add_sensor, noise_band_of_57, quiet_gu
from tests.helpers import graphql


def leq(*levels: float) -> float:
    """The energy mean of sound levels (dB)."""
    return 10 * math.log10(sum(10 ** (level / 10) for level in levels) / len(levels))


def row(sensor: str, at: datetime, **values: float | None) -> list[Any]:
    found: dict[str, Any] = {"sensor_id": sensor, "measured_at": epoch(at), **values}
    return [found.get(column) for column in COLUMNS]


def old_hour() -> datetime:
    """A whole hour in 2001-2020, older than any retention: a roll-up takes it."""
    return datetime(2001, 1, 1, tzinfo=UTC) + timedelta(hours=random.randrange(19 * 365 * 24))


@pytest.fixture
def records(backend: Backend) -> Records:
    return backend.stores.records


def test_leq_of_the_issue_example() -> None:
    assert leq(40.0, 60.0) == pytest.approx(57.0329, abs=1e-4)
    assert leq(55.0, 55.0, 55.0) == pytest.approx(55.0)


async def test_district_means_of_noise_are_by_energy_and_of_pm_arithmetic(
    records: Records,
) -> None:
    t = old_hour()
    a, b, gu = unique("s"), unique("s"), unique("gu")
    await insert_readings(
        records,
        [
            row(a, t - timedelta(minutes=30), noise=40.0, pm25=10.0),
            row(b, t - timedelta(minutes=20), noise=60.0, pm25=30.0),
            row(b, t - timedelta(minutes=10), pm25=20.0),  # no noise: not counted for it
        ],
    )
    found = await district_means(
        records, {a: gu, b: gu}, ("pm25", "noise"), t - timedelta(hours=1), t
    )
    assert found[gu].means["noise"] == pytest.approx(leq(40.0, 60.0), abs=1e-9)
    assert found[gu].means["pm25"] == pytest.approx(20.0, abs=1e-12)


async def test_buckets_of_noise_are_by_energy_raw_and_rolled_up(records: Records) -> None:
    t = old_hour()
    a, b = unique("s"), unique("s")
    levels_a = [40.0, 60.0, 45.0]
    levels_b = [70.0, 35.0]
    await insert_readings(
        records,
        [row(a, t + timedelta(minutes=2 * i), noise=v, pm25=v) for i, v in enumerate(levels_a)]
        + [row(b, t + timedelta(minutes=3 + 2 * i), noise=v) for i, v in enumerate(levels_b)]
        + [row(a, t + timedelta(hours=1), noise=50.0)],
    )
    window = (t, t + timedelta(hours=2))
    every = levels_a + levels_b

    def check(pooled: list[Any], own: dict[str, list[Any]]) -> None:
        assert [(x.start, x.count, x.min, x.max) for x in pooled] == [
            (t, 5, 35.0, 70.0),
            (t + timedelta(hours=1), 1, 50.0, 50.0),
        ]
        assert pooled[0].avg == pytest.approx(leq(*every), abs=1e-9)
        assert pooled[1].avg == pytest.approx(50.0, abs=1e-9)
        assert own[a][0].avg == pytest.approx(leq(*levels_a), abs=1e-9)
        assert own[b][0].avg == pytest.approx(leq(*levels_b), abs=1e-9)

    # raw readings, in whole-hour and shorter buckets
    check(
        await pooled_buckets(records, [a, b], "noise", *window, 3600),
        await bucketed(records, [a, b], "noise", *window, 3600),
    )
    short = await pooled_buckets(records, [a, b], "noise", t, t + timedelta(minutes=10), 600)
    assert short[0].avg == pytest.approx(leq(*every), abs=1e-9)
    pm = await bucketed(records, [a], "pm25", *window, 3600)
    assert pm[a][0].avg == pytest.approx(sum(levels_a) / 3, abs=1e-9)  # PM: arithmetic

    # rolled up into hours, the raw readings gone: the same answers
    await roll_up(records, keep_days=7, now=SEED_UNTIL)
    assert await latest_readings(records, [a, b]) == {}
    check(
        await pooled_buckets(records, [a, b], "noise", *window, 3600),
        await bucketed(records, [a, b], "noise", *window, 3600),
    )
    pm = await bucketed(records, [a], "pm25", *window, 3600)
    assert pm[a][0].avg == pytest.approx(sum(levels_a) / 3, abs=1e-9)

    # a late reading merges into its rolled-up hour, by energy too
    await insert_readings(records, [row(b, t + timedelta(minutes=59), noise=80.0)])
    await roll_up(records, keep_days=7, now=SEED_UNTIL)
    merged = await pooled_buckets(records, [a, b], "noise", *window, 3600)
    assert merged[0].avg == pytest.approx(leq(*every, 80.0), abs=1e-9)
    assert merged[0].count == 6


@pytest.fixture
async def made_sensors(backend: Backend) -> AsyncIterator[list[str]]:
    made: list[str] = []
    yield made
    for key in made:
        await backend.stores.graph.delete_node("Sensor", key)


SENSOR_READINGS = """query($id: ID!, $from: DateTime!, $to: DateTime!) {
  sensor(id: $id) { readings(dataType: NOISE, from: $from, to: $to, bucketMinutes: 60) {
    start avg count } } }"""
DISTRICT_READINGS = """query($d: String!, $from: DateTime!, $to: DateTime!) {
  districtReadings(district: $d, dataType: NOISE, from: $from, to: $to, bucketMinutes: 60) {
    start avg count } }"""
AIR = """query($d: String) { airQuality(district: $d) { noise noiseBand pm25 } }"""


async def test_every_field_averaging_noise_does_it_by_energy(
    backend: Backend, client: httpx.AsyncClient, made_sensors: list[str]
) -> None:
    gu = await quiet_gu(client)
    a = await add_sensor(backend, made_sensors, gu)
    b = await add_sensor(backend, made_sensors, gu)
    now = datetime.now(UTC).replace(microsecond=0)
    t = datetime(2001, 6, 1, tzinfo=UTC)
    await insert_readings(
        backend.stores.records,
        [
            row(a, now - timedelta(minutes=20), noise=40.0, pm25=10.0),
            row(b, now - timedelta(minutes=10), noise=60.0, pm25=20.0),
            row(a, t, noise=40.0),
            row(a, t + timedelta(minutes=2), noise=60.0),
            row(b, t + timedelta(minutes=4), noise=60.0),
        ],
    )
    # airQuality: the last hour's mean, graded by it
    body = await graphql(client, AIR, {"d": gu})
    (air,) = body["data"]["airQuality"]  # type: ignore[index]
    assert air["noise"] == pytest.approx(leq(40.0, 60.0), abs=1e-9)
    # 57.03 is over the residential day limit (55) by day and the roadside night one (55) by
    # night; the arithmetic 50 would be within the day limit
    assert air["noiseBand"] == noise_band_of_57(now - timedelta(minutes=10))  # the newest
    assert air["pm25"] == pytest.approx(15.0)
    # districtReadings and Sensor.readings: each bucket's mean
    window = {"from": t.isoformat(), "to": (t + timedelta(hours=1)).isoformat()}
    body = await graphql(client, DISTRICT_READINGS, {"d": gu} | window)
    (pooled,) = body["data"]["districtReadings"]  # type: ignore[index]
    assert pooled["count"] == 3
    assert pooled["avg"] == pytest.approx(leq(40.0, 60.0, 60.0), abs=1e-9)
    body = await graphql(client, SENSOR_READINGS, {"id": a} | window)
    (own,) = body["data"]["sensor"]["readings"]  # type: ignore[index]
    assert own["avg"] == pytest.approx(leq(40.0, 60.0), abs=1e-9)
