"""The sensing domain's indicator fields (airQuality, districtReadings, readingBands,
alertStatistics, alerts, ingestStatistics) and their store functions, on every backend.

Store cases isolate themselves by data: sensors and gu codes of their own, and times in a
random far-future hour no other case writes to. The GraphQL cases add sensors of their own to
a gu without readings in the last hour, and remove them afterwards.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from graph.city_day import day_start
from graph.records import Records
from graph.records.alerts import (
    AlertRow,
    active_alert_counts,
    count_in_state_since,
    insert_alerts,
    newest_alerts,
)
from graph.records.api_keys import Tier
from graph.records.reading_figures import district_means, ingest_counts
from graph.records.readings import COLUMNS, epoch, insert_readings, pooled_buckets
from resolvers.core import clock
from subscriptions.bands import READING_BANDS
from tests.contract.conftest import Backend, unique
from tests.helpers import error_codes, graphql


@pytest.fixture
def records(backend: Backend) -> Records:
    return backend.stores.records


def far_future_hour() -> datetime:
    """A whole hour in 2040-2060 at 03:00 UTC (12:00 in Seoul): no other case writes there."""
    day = datetime(2040, 1, 1, 3, tzinfo=UTC) + timedelta(days=random.randrange(7000))
    return day


def row(sensor: str, at: datetime, **values: float | None) -> list[Any]:
    found: dict[str, Any] = {"sensor_id": sensor, "measured_at": epoch(at), **values}
    return [found.get(column) for column in COLUMNS]


# -- store functions ------------------------------------------------------------------------


async def test_district_means_average_every_reading_of_the_gu_in_the_window(
    records: Records,
) -> None:
    t = far_future_hour()
    a, b, c, quiet = unique("s"), unique("s"), unique("s"), unique("s")
    g1, g2 = unique("gu"), unique("gu")
    await insert_readings(
        records,
        [
            row(a, t - timedelta(minutes=50), pm25=10.0, noise=50.0),
            row(a, t - timedelta(minutes=10), pm25=20.0),
            row(b, t, pm25=60.0, pm10=90.0),  # at the window's end: in
            row(b, t - timedelta(minutes=61), pm25=999.0),  # before the window: out
            row(b, t + timedelta(seconds=1), pm25=999.0),  # after it: out
            row(c, t - timedelta(minutes=30), noise=40.0),
            row(quiet, t - timedelta(minutes=5), temperature=3.0),  # no air or noise value
        ],
    )
    district_of = {a: g1, b: g1, c: g2, quiet: g2}
    found = await district_means(
        records, district_of, ("pm25", "pm10", "noise"), t - timedelta(hours=1), t
    )
    assert set(found) == {g1, g2}
    assert found[g1].means == {"pm25": 30.0, "pm10": 90.0, "noise": 50.0}  # (10+20+60)/3
    assert (found[g1].sensors, found[g1].newest) == (2, t)
    assert found[g2].means == {"pm25": None, "pm10": None, "noise": 40.0}
    assert (found[g2].sensors, found[g2].newest) == (1, t - timedelta(minutes=30))
    assert await district_means(records, {}, ("pm25",), t, t) == {}


async def test_pooled_buckets_average_readings_not_sensors(records: Records) -> None:
    t = far_future_hour()
    a, b = unique("s"), unique("s")
    await insert_readings(
        records,
        [
            row(a, t, pm25=1.0),
            row(a, t + timedelta(minutes=2), pm25=2.0),
            row(a, t + timedelta(minutes=4), pm25=3.0),
            row(b, t + timedelta(minutes=6), pm25=10.0),
            row(b, t + timedelta(minutes=70), pm25=5.0),
            row(b, t + timedelta(minutes=72), pm25=None, noise=50.0),
        ],
    )
    found = await pooled_buckets(records, [a, b], "pm25", t, t + timedelta(hours=3), 3600)
    summary = [(x.start, x.avg, x.min, x.max, x.count) for x in found]
    assert summary == [
        (t, 4.0, 1.0, 10.0, 4),  # the mean of sensor means would be 6.0
        (t + timedelta(hours=1), 5.0, 5.0, 5.0, 1),
    ]
    assert await pooled_buckets(records, [], "pm25", t, t + timedelta(hours=1), 3600) == []


async def test_ingest_counts_by_measurement_time(records: Records) -> None:
    now = far_future_hour()  # 12:00 in Seoul: the Seoul day began at 15:00 UTC the day before
    began = day_start(now)
    assert began == now - timedelta(hours=12)
    a, b = unique("s"), unique("s")
    await insert_readings(
        records,
        [
            row(a, now - timedelta(seconds=30), pm25=1.0),  # minute, hour, today, recent
            row(b, now - timedelta(seconds=90), pm25=1.0),  # hour, today, recent
            row(a, now - timedelta(minutes=30), pm25=1.0),  # hour, today
            row(b, now - timedelta(hours=11), pm25=1.0),  # today
            row(a, began - timedelta(seconds=1), pm25=1.0),  # yesterday in Seoul
            row(b, now + timedelta(seconds=10), pm25=1.0),  # after now: not yet
        ],
    )
    counts = await ingest_counts(records, now, began)
    assert (counts.last_minute, counts.last_hour, counts.today) == (1, 3, 4)
    assert counts.sensors_recent == 2
    assert counts.newest == now - timedelta(seconds=30)


def alert(
    sensor: str, gu: str, data_type: str, severity: str, state: str, at: datetime
) -> AlertRow:
    return AlertRow(sensor, gu, data_type, severity, state, 50.0, 36.0, "rule", at)


async def test_active_alerts_are_the_latest_rows_not_cleared(records: Records) -> None:
    t = far_future_hour()
    gu, other = unique("gu"), unique("gu")
    s1, s2, s3, s4 = (unique("s") for _ in range(4))
    stored = await insert_alerts(
        records,
        [
            alert(s1, gu, "pm25", "warning", "raised", t - timedelta(hours=2)),
            alert(s2, gu, "noise", "warning", "raised", t - timedelta(days=1)),
            alert(s1, gu, "pm25", "critical", "escalated", t - timedelta(minutes=50)),
            alert(s2, gu, "noise", "warning", "cleared", t - timedelta(minutes=40)),
            alert(s3, gu, "pm10", "warning", "raised", t - timedelta(minutes=10)),
            alert(s4, other, "pm10", "critical", "raised", t - timedelta(minutes=5)),
        ],
    )
    assert await active_alert_counts(records, gu) == {
        ("critical", "pm25"): 1,
        ("warning", "pm10"): 1,
    }
    assert await count_in_state_since(records, "raised", t - timedelta(hours=3), gu) == 2
    assert await count_in_state_since(records, "raised", t - timedelta(hours=1), gu) == 1
    assert await count_in_state_since(records, "raised", t - timedelta(hours=1), other) == 1
    newest = await newest_alerts(records, district=gu, active_only=False, limit=3)
    assert [r.id for r in newest] == [stored[4].id, stored[3].id, stored[2].id]
    active = await newest_alerts(records, district=gu, active_only=True, limit=10)
    assert [r.id for r in active] == [stored[4].id, stored[2].id]
    assert active[1].at == t - timedelta(minutes=50)


# -- GraphQL fields -------------------------------------------------------------------------

AIR = """query($d: String) { airQuality(district: $d) { districtCode pm25 pm10 noise pm25Band
  pm10Band noiseBand sensorsReporting measuredAt } }"""


@pytest.fixture
async def made_sensors(backend: Backend) -> AsyncIterator[list[str]]:
    """Sensor ids a case adds to the graph, removed after it (other cases list a gu's sensors)."""
    made: list[str] = []
    yield made
    for key in made:
        await backend.stores.graph.delete_node("Sensor", key)


async def add_sensor(backend: Backend, made: list[str], gu: str) -> str:
    key = unique("sensor")
    props = {
        "id": key,
        "kind": "sdot",
        "model": "test",
        "serial": key,
        "lat": 37.5,
        "lon": 127.0,
        "district_code": gu,
        "data_types": ["pm25", "pm10", "noise"],
        "status": "active",
        "installed_year": 2024,
    }
    assert await backend.stores.graph.create_node("Sensor", props, [("LOCATED_IN", "District", gu)])
    made.append(key)
    return key


async def quiet_gu(client: httpx.AsyncClient) -> str:
    """A gu without a reading in the last hour (the seeded history ends days ago)."""
    body = await graphql(client, AIR)
    rows = body["data"]["airQuality"]  # type: ignore[index]
    codes = [r["districtCode"] for r in rows]
    assert len(codes) == 25
    assert codes == sorted(codes)
    quiet = [r["districtCode"] for r in rows if r["sensorsReporting"] == 0]
    assert quiet, "every gu has readings in the last hour"
    return str(quiet[0])


async def test_air_quality_of_a_gu_is_the_mean_of_its_last_hour_graded_by_the_bands(
    backend: Backend, client: httpx.AsyncClient, made_sensors: list[str]
) -> None:
    gu = await quiet_gu(client)
    a = await add_sensor(backend, made_sensors, gu)
    b = await add_sensor(backend, made_sensors, gu)
    now = datetime.now(UTC).replace(microsecond=0)
    newest = now - timedelta(minutes=5)
    await insert_readings(
        backend.stores.records,
        [
            row(a, now - timedelta(minutes=20), pm25=30.0, noise=40.0),
            row(a, newest, pm25=40.0, pm10=100.0, noise=60.0),
            row(b, now - timedelta(minutes=10), pm25=50.0),
            row(b, now - timedelta(minutes=90), pm25=500.0),  # older than the hour
        ],
    )
    body = await graphql(client, AIR, {"d": gu})
    (found,) = body["data"]["airQuality"]  # type: ignore[index]
    assert datetime.fromisoformat(found.pop("measuredAt")) == newest
    assert found.pop("noise") == pytest.approx(57.03, abs=0.005)  # by energy: not 50
    assert found == {
        "districtCode": gu,
        "pm25": 40.0,  # arithmetic
        "pm10": 100.0,
        "pm25Band": "Unhealthy",  # 36 <= 40 < 76
        "pm10Band": "Unhealthy",  # 81 <= 100 < 151
        # by the limits in force at the newest reading: 55 <= 57.03 < 65 by day (the
        # arithmetic 50 is within it), 57.03 >= 55 by night
        "noiseBand": noise_band_of_57(newest),
        "sensorsReporting": 2,
    }


def noise_band_of_57(at: datetime) -> str:
    """The band of 57 dB(A) at `at`: over the residential day limit (55) from 06:00 to 22:00
    in Seoul, over the roadside night limit (55) at night."""
    hour = (at.astimezone(UTC).hour + 9) % 24
    return "Over residential day limit" if 6 <= hour < 22 else "Over roadside night limit"


async def test_district_readings_pool_the_gu_sensors_per_bucket(
    backend: Backend, client: httpx.AsyncClient, made_sensors: list[str]
) -> None:
    gu = await quiet_gu(client)
    a = await add_sensor(backend, made_sensors, gu)
    b = await add_sensor(backend, made_sensors, gu)
    t = datetime(2001, 5, 1, 0, tzinfo=UTC)  # long before any seeded history
    await insert_readings(
        backend.stores.records,
        [
            row(a, t, noise=50.0),
            row(a, t + timedelta(minutes=2), noise=52.0),
            row(b, t + timedelta(minutes=4), noise=60.0),
            row(b, t + timedelta(minutes=30), noise=40.0),
        ],
    )
    query = """query($d: String!, $from: DateTime!, $to: DateTime!) {
      districtReadings(district: $d, dataType: NOISE, from: $from, to: $to, bucketMinutes: 15) {
        start avg min max count } }"""
    end = t + timedelta(hours=1)
    body = await graphql(client, query, {"d": gu, "from": t.isoformat(), "to": end.isoformat()})
    first = body["data"]["districtReadings"][0]  # type: ignore[index]
    assert first.pop("avg") == pytest.approx(56.227, abs=0.0005)  # by energy: not 54.0
    first["avg"] = "by energy"
    assert body["data"] == {
        "districtReadings": [
            {
                "start": "2001-05-01T00:00:00+00:00",
                "avg": "by energy",
                "min": 50.0,
                "max": 60.0,
                "count": 3,
            },
            {
                "start": "2001-05-01T00:30:00+00:00",
                "avg": 40.0,
                "min": 40.0,
                "max": 40.0,
                "count": 1,
            },
        ]
    }, body


async def test_reading_bands_are_the_ones_the_alerts_raise_at(client: httpx.AsyncClient) -> None:
    body = await graphql(
        client, "{ readingBands { dataType name lower upper source fromHour toHour } }"
    )
    bands = body["data"]["readingBands"]  # type: ignore[index]
    assert [(b["dataType"], b["name"], b["lower"], b["upper"]) for b in bands] == [
        (b.data_type.upper(), b.name, b.lower, b.upper) for b in READING_BANDS
    ]
    pm25 = [b for b in bands if b["dataType"] == "PM25"]
    assert [b["lower"] for b in pm25] == [0, 16, 36, 76]
    assert all("CAI" in b["source"] for b in pm25)
    assert {(b["fromHour"], b["toHour"]) for b in pm25} == {(None, None)}
    noise = [b for b in bands if b["dataType"] == "NOISE"]
    # by day (06:00-22:00 in Seoul) 55 and 65 dB(A), by night 45 and 55
    assert [(b["fromHour"], b["toHour"], b["lower"]) for b in noise] == [
        (6, 22, 0),
        (6, 22, 55),
        (6, 22, 65),
        (22, 6, 0),
        (22, 6, 45),
        (22, 6, 55),
    ]


async def test_alert_figures_count_the_gu_alerts_for_every_tier(
    backend: Backend, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given one "now" for the whole test, at least 10 minutes into today in Seoul: the
    # alerts below (3 to 1 minutes before it) are today's, and "today" cannot turn over
    real = datetime.now(UTC).replace(microsecond=0)
    now = max(real, day_start(real) + timedelta(minutes=10))
    monkeypatch.setattr(clock, "utc_now", lambda: now)
    gu = "11680"
    query = """query($d: String) { alertStatistics(district: $d) { activeNow raisedToday
      bySeverity { key count suppressed } byDataType { key count suppressed } }
      alerts(district: $d, first: 2) { id sensorId districtCode dataType severity state at }
      active: alerts(district: $d, activeOnly: true, first: 100) { id } }"""
    before = (await graphql(client, query, {"d": gu}))["data"]
    s1, s2 = unique("s"), unique("s")
    stored = await insert_alerts(
        backend.stores.records,
        [
            alert(s1, gu, "pm25", "warning", "raised", now - timedelta(minutes=3)),
            alert(s2, gu, "noise", "critical", "raised", now - timedelta(minutes=2)),
            alert(s2, gu, "noise", "warning", "eased", now - timedelta(minutes=1)),
        ],
    )
    for tier in (None, Tier.ANALYST):
        key = backend.keys[tier] if tier else None
        after = (await graphql(client, query, {"d": gu}, key=key))["data"]
        stats, old = after["alertStatistics"], before["alertStatistics"]  # type: ignore[index]
        assert stats["activeNow"] - old["activeNow"] == 2
        assert stats["raisedToday"] - old["raisedToday"] == 2
        assert [c["key"] for c in stats["bySeverity"]] == ["warning", "critical"]
        assert [c["key"] for c in stats["byDataType"]] == ["pm25", "pm10", "noise"]
        warning = stats["bySeverity"][0]["count"] - old["bySeverity"][0]["count"]
        assert warning == 2  # s2's alert eased to a warning
        assert not any(c["suppressed"] for c in stats["bySeverity"] + stats["byDataType"])
        assert [a["id"] for a in after["alerts"]] == [str(stored[2].id), str(stored[1].id)]  # type: ignore[index]
        assert after["alerts"][0] == {  # type: ignore[index]
            "id": str(stored[2].id),
            "sensorId": s2,
            "districtCode": gu,
            "dataType": "NOISE",
            "severity": "WARNING",
            "state": "EASED",
            "at": after["alerts"][0]["at"],  # type: ignore[index]
        }
        assert datetime.fromisoformat(after["alerts"][0]["at"]) == now - timedelta(minutes=1)  # type: ignore[index]
        active = {a["id"] for a in after["active"]}  # type: ignore[index]
        assert {str(stored[0].id), str(stored[2].id)} <= active
        assert str(stored[1].id) not in active


async def test_ingest_statistics_see_a_new_reading(
    backend: Backend, client: httpx.AsyncClient
) -> None:
    query = """{ ingestStatistics { readingsLastMinute readingsLastHour readingsToday
      sensorsReporting lastReadingAt } }"""
    now = datetime.now(UTC).replace(microsecond=0)
    await insert_readings(backend.stores.records, [row(unique("s"), now, pm25=1.0)])
    stats = (await graphql(client, query))["data"]["ingestStatistics"]  # type: ignore[index]
    assert stats["readingsLastMinute"] >= 1
    assert stats["sensorsReporting"] >= 1
    assert stats["readingsLastHour"] >= stats["readingsLastMinute"]
    assert stats["readingsToday"] >= 1
    assert datetime.fromisoformat(stats["lastReadingAt"]) >= now


REFUSALS = {
    "unknown gu (airQuality)": ('{ airQuality(district: "99999") { districtCode } }', "not_found"),
    "unknown gu (alertStatistics)": (
        '{ alertStatistics(district: "x") { activeNow } }',
        "not_found",
    ),
    "unknown gu (alerts)": ('{ alerts(district: "x") { id } }', "not_found"),
    "first 0": ("{ alerts(first: 0) { id } }", "out_of_range"),
    "first too big": ("{ alerts(first: 101) { id } }", "out_of_range"),
    "unknown gu (districtReadings)": (
        '{ districtReadings(district: "x", dataType: PM25, from: "2026-11-01T00:00:00Z",'
        ' to: "2026-11-02T00:00:00Z", bucketMinutes: 60) { avg } }',
        "not_found",
    ),
    "reversed window": (
        '{ districtReadings(district: "11680", dataType: PM25, from: "2026-11-02T00:00:00Z",'
        ' to: "2026-11-01T00:00:00Z", bucketMinutes: 60) { avg } }',
        "invalid",
    ),
    "window too long": (
        '{ districtReadings(district: "11680", dataType: PM25, from: "2026-01-01T00:00:00Z",'
        ' to: "2026-11-01T00:00:00Z", bucketMinutes: 1440) { avg } }',
        "window_too_large",
    ),
    "bucket of 0 minutes": (
        '{ districtReadings(district: "11680", dataType: PM25, from: "2026-11-01T00:00:00Z",'
        ' to: "2026-11-02T00:00:00Z", bucketMinutes: 0) { avg } }',
        "out_of_range",
    ),
    "too many buckets": (
        '{ districtReadings(district: "11680", dataType: PM25, from: "2026-11-01T00:00:00Z",'
        ' to: "2026-11-03T00:00:00Z", bucketMinutes: 1) { avg } }',
        "window_too_large",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
async def test_bad_arguments_are_typed_refusals(client: httpx.AsyncClient, case: str) -> None:
    query, code = REFUSALS[case]
    body = await graphql(client, query)
    assert error_codes(body) == [code], body
    assert body.get("data") is None, body


async def test_a_dong_is_no_gu(client: httpx.AsyncClient) -> None:
    body = await graphql(client, "{ districts(level: DONG) { code } }")
    dong = body["data"]["districts"][0]["code"]  # type: ignore[index]
    query = "query($d: String) { airQuality(district: $d) { districtCode } }"
    assert error_codes(await graphql(client, query, {"d": dong})) == ["not_found"]
