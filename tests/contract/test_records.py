"""The records contract: readings, retention, case events and API keys, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise.exceptions import IntegrityError

from graph.records import Records, api_keys, pending_migrations
from graph.records.api_keys import Tier
from graph.records.case_events import events_by_case, record_event
from graph.records.readings import (
    COLUMNS,
    TIME_INDEX,
    Bucket,
    bucketed,
    epoch,
    insert_readings,
    latest_readings,
    roll_up,
)
from tests.conftest import SEED_UNTIL
from tests.contract.conftest import Backend, unique

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def records(backend: Backend) -> Records:
    return backend.stores.records


def row(sensor: str, at: datetime, pm25: float | None, noise: float | None = None) -> list[Any]:
    values: dict[str, Any] = {"sensor_id": sensor, "measured_at": epoch(at), "pm25": pm25}
    values["noise"] = noise
    return [values.get(column) for column in COLUMNS]


async def test_the_schema_is_fully_migrated(records: Records) -> None:
    assert await pending_migrations(records) == []


async def test_latest_reading_per_sensor(records: Records) -> None:
    a, b, silent = unique("s"), unique("s"), unique("s")
    await insert_readings(
        records,
        [
            row(a, T0, 10.0),
            row(a, T0 + timedelta(minutes=4), 12.0),
            row(a, T0 + timedelta(minutes=2), 11.0),
            row(b, T0, 30.0, noise=55.5),
        ],
    )
    latest = await latest_readings(records, [a, b, silent])
    assert set(latest) == {a, b}
    assert (latest[a]["measured_at"], latest[a]["pm25"]) == (epoch(T0) + 240, 12.0)
    assert (latest[b]["pm25"], latest[b]["noise"], latest[b]["pm10"]) == (30.0, 55.5, None)


async def newest_in_history(records: Records, sensors: list[str]) -> dict[str, dict[str, Any]]:
    """Each sensor's newest raw reading found the slow way, by a maximum over its history: what
    `latest_readings` answered before `reading_latest` kept it (migration 0019)."""
    marks = ", ".join(records.placeholders(len(sensors)))
    rows = await records.query(
        f"SELECT r.* FROM reading r JOIN (SELECT sensor_id, max(measured_at) AS m FROM reading "
        f"WHERE sensor_id IN ({marks}) GROUP BY sensor_id) l "
        f"ON r.sensor_id = l.sensor_id AND r.measured_at = l.m",
        sensors,
    )
    return {row["sensor_id"]: row for row in rows}


async def test_the_latest_reading_stays_the_newest_through_late_and_concurrent_batches(
    records: Records,
) -> None:
    a, b = unique("s"), unique("s")
    minutes = [timedelta(minutes=m) for m in range(12)]
    # given batches that arrive out of order, and two at once
    await insert_readings(records, [row(a, T0 + minutes[4], 4.0), row(b, T0, 0.0)])
    await insert_readings(records, [row(a, T0 + minutes[2], 2.0)])  # late: older than 4
    late = await latest_readings(records, [a, b])
    await asyncio.gather(
        insert_readings(records, [row(a, T0 + minutes[6], 6.0), row(b, T0 + minutes[9], 9.0)]),
        insert_readings(records, [row(a, T0 + minutes[8], 8.0), row(b, T0 + minutes[7], 7.0)]),
    )
    # then the latest is always what a maximum over the history finds
    assert {s: r["pm25"] for s, r in late.items()} == {a: 4.0, b: 0.0}
    latest = await latest_readings(records, [a, b])
    assert {s: r["pm25"] for s, r in latest.items()} == {a: 8.0, b: 9.0}
    assert latest == await newest_in_history(records, [a, b])


async def test_roll_up_leaves_every_latest_reading_as_the_history_has_it(
    records: Records,
) -> None:
    # given sensors whose readings lie all before the cut-off, across it, and after it
    cutoff = SEED_UNTIL - timedelta(days=7)
    gone, across, recent = unique("s"), unique("s"), unique("s")
    await insert_readings(
        records,
        [
            row(gone, cutoff - timedelta(hours=3), 1.0),
            row(across, cutoff - timedelta(hours=2), 2.0),
            row(across, cutoff + timedelta(minutes=2), 3.0),
            row(recent, SEED_UNTIL - timedelta(hours=1), 4.0),
        ],
    )
    # when the old readings are rolled up
    await roll_up(records, keep_days=7, now=SEED_UNTIL)
    # then the latest readings are those the remaining raw history has
    sensors = [gone, across, recent]
    latest = await latest_readings(records, sensors)
    assert {s: r["pm25"] for s, r in latest.items()} == {across: 3.0, recent: 4.0}
    assert latest == await newest_in_history(records, sensors)
    # and a reading arriving later for the emptied sensor is its latest again
    await insert_readings(records, [row(gone, cutoff - timedelta(hours=4), 0.5)])
    assert (await latest_readings(records, [gone]))[gone]["pm25"] == 0.5


async def test_a_batch_with_a_duplicate_is_refused_whole(records: Records) -> None:
    sensor = unique("s")
    with pytest.raises(IntegrityError):
        await insert_readings(records, [row(sensor, T0, 1.0), row(sensor, T0, 2.0)])
    assert await latest_readings(records, [sensor]) == {}


def _summary(
    buckets: list[Bucket],
) -> list[tuple[datetime, float | None, float | None, float | None, int]]:
    return [(b.start, b.avg, b.min, b.max, b.count) for b in buckets]


async def test_time_window_aggregation_in_buckets(records: Records) -> None:
    sensor = unique("s")
    values = [1.0, 3.0, None, 8.0, 2.0, 4.0]  # every 2 minutes from T0; one tick has no PM2.5
    rows = [row(sensor, T0 + timedelta(minutes=2 * i), v) for i, v in enumerate(values)]
    await insert_readings(records, rows)
    found = await bucketed(records, [sensor], "pm25", T0, T0 + timedelta(minutes=12), 360)
    assert _summary(found[sensor]) == [
        (T0, 2.0, 1.0, 3.0, 2),
        (T0 + timedelta(minutes=6), 14 / 3, 2.0, 8.0, 3),
    ]
    narrow = await bucketed(records, [sensor], "pm25", T0, T0 + timedelta(minutes=2), 360)
    assert _summary(narrow[sensor]) == [(T0, 1.0, 1.0, 1.0, 1)]
    nothing = await bucketed(records, [sensor], "noise", T0, T0 + timedelta(hours=1), 360)
    assert nothing == {sensor: []}


async def test_retention_rolls_old_readings_into_hours_and_answers_the_same(
    records: Records,
) -> None:
    sensor = unique("s")
    old = datetime(2026, 11, 10, 5, 0, tzinfo=UTC)  # older than 7 days before SEED_UNTIL
    values = [float(v) for v in range(60)]  # two hours of 2-minute PM2.5
    await insert_readings(
        records, [row(sensor, old + timedelta(minutes=2 * i), v) for i, v in enumerate(values)]
    )
    window = (old, old + timedelta(hours=2))
    before = await bucketed(records, [sensor], "pm25", *window, 3600)

    result = await roll_up(records, keep_days=7, now=SEED_UNTIL)

    assert result.cutoff == SEED_UNTIL - timedelta(days=7)
    assert result.readings >= 60
    assert await latest_readings(records, [sensor]) == {}  # raw rows are gone
    after = await bucketed(records, [sensor], "pm25", *window, 3600)
    assert _summary(after[sensor]) == _summary(before[sensor])
    assert _summary(after[sensor]) == [
        (old, 14.5, 0.0, 29.0, 30),
        (old + timedelta(hours=1), 44.5, 30.0, 59.0, 30),
    ]
    sub_hour = await bucketed(records, [sensor], "pm25", *window, 600)
    assert sub_hour == {sensor: []}  # finer than an hour needs the raw readings

    # a reading that arrives late for a rolled-up hour is merged into it next time
    await insert_readings(records, [row(sensor, old + timedelta(minutes=1), 100.0)])
    await roll_up(records, keep_days=7, now=SEED_UNTIL)
    merged = await bucketed(records, [sensor], "pm25", *window, 3600)
    assert _summary(merged[sensor])[0] == (old, (435.0 + 100.0) / 31, 0.0, 100.0, 31)


async def test_recent_readings_are_kept_raw(records: Records) -> None:
    sensor = unique("s")
    await insert_readings(records, [row(sensor, SEED_UNTIL - timedelta(hours=1), 5.0)])
    await roll_up(records, keep_days=7, now=SEED_UNTIL)
    assert (await latest_readings(records, [sensor]))[sensor]["pm25"] == 5.0
    with pytest.raises(ValueError, match="at least one day"):
        await roll_up(records, keep_days=0, now=SEED_UNTIL)


async def test_case_events_come_back_in_time_order(records: Records) -> None:
    case = unique("case")
    later = T0 + timedelta(hours=1)
    gu = "11110"
    await record_event(records, case, "assigned", "open", later, district_code=gu, department="d")
    await record_event(records, case, "received", "open", T0, district_code=gu, note="접수")
    await record_event(records, case, "status_changed", "closed", later, district_code=gu)
    events = (await events_by_case(records, [case, unique("none")]))[case]
    assert [(e.kind, e.at) for e in events] == [
        ("received", T0),
        ("assigned", T0 + timedelta(hours=1)),
        ("status_changed", T0 + timedelta(hours=1)),
    ]
    assert events[0].note == "접수"
    assert events[1].department == "d"
    assert {e.district_code for e in events} == {gu}


async def test_api_keys_are_stored_hashed_and_revocable(records: Records) -> None:
    issued = await api_keys.create_key(records, unique("app"), Tier.ANALYST)
    assert await api_keys.tier_for(records, issued.secret) is Tier.ANALYST
    stored = [k for k in await api_keys.list_keys(records) if k.prefix == issued.prefix]
    assert len(stored) == 1
    assert stored[0].hash != issued.secret
    await api_keys.revoke_key(records, issued.prefix)
    assert await api_keys.tier_for(records, issued.secret) is None


async def test_inserted_readings_get_increasing_ids_in_row_order(records: Records) -> None:
    sensor = unique("s")
    first = await insert_readings(
        records, [row(sensor, T0, 1.0), row(sensor, T0 + timedelta(minutes=2), 2.0)]
    )
    second = await insert_readings(records, [row(sensor, T0 + timedelta(minutes=4), 3.0)])
    assert len(first) == 2
    assert first[0] < first[1] < second[0]
    stored = await records.query(
        f"SELECT id, pm25 FROM reading WHERE sensor_id = {records.placeholders(1)[0]} ORDER BY id",
        [sensor],
    )
    assert [(r["id"], r["pm25"]) for r in stored] == list(
        zip([*first, *second], [1.0, 2.0, 3.0], strict=True)
    )


async def test_the_seed_leaves_the_readings_time_index_in_place(records: Records) -> None:
    """A seed drops it while it writes the history and builds it at the end (seeds/seed.py)."""
    if records.dialect == "postgres":
        sql = "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'reading'"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reading'"
    assert TIME_INDEX in {row["name"] for row in await records.query(sql)}
