"""Sensor readings: bulk insert, latest per sensor, time-bucketed aggregates, and retention.

Raw 2-minute readings are kept for a retention period; older ones are rolled up into hourly
rows (`reading_hourly`) and deleted. Aggregates in whole-hour buckets read both, so a long
window still answers after its raw readings are gone. A sound level's mean is its energy mean
(graph/records/levels.py): its hourly rows also keep the sum of its readings' energies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from graph.ontology import SDOT_DATA_TYPES, WATER_DATA_TYPES
from graph.records.db import Records
from graph.records.levels import is_level, mean_of_sums, summand

DATA_TYPES: tuple[str, ...] = SDOT_DATA_TYPES + WATER_DATA_TYPES
COLUMNS: tuple[str, ...] = ("sensor_id", "measured_at", *DATA_TYPES)
AGGREGATES = ("avg", "min", "max")
HOUR = 3600


@dataclass(frozen=True)
class Bucket:
    sensor_id: str
    start: datetime
    avg: float | None
    min: float | None
    max: float | None
    count: int


def epoch(moment: datetime) -> int:
    """Requires an aware datetime."""
    return int(moment.timestamp())


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


async def insert_readings(records: Records, rows: list[list[Any]]) -> list[int]:
    """Insert rows shaped like `COLUMNS` (measured_at in epoch seconds), all or none, and keep
    each sensor's newest reading in `reading_latest` in the same transaction.

    Returns the rows' ids, in order: they are the `id`s of the live readings stream. PostgreSQL
    takes the rows through COPY with ids drawn from the table's sequence first; SQLite through
    one prepared statement in a transaction, whose ids are consecutive (SQLite has one writer).
    A reading already stored (same sensor and time) fails the whole batch on both.
    """
    if not rows:
        return []
    if records.dialect == "postgres":
        ids = await records.reserve_ids("reading", len(rows))
        with_ids = [[key, *row] for key, row in zip(ids, rows, strict=True)]
        async with records.transaction() as client:
            await records.copy_rows("reading", ("id", *COLUMNS), with_ids, client=client)
            await _keep_latest(records, client, ids, rows)
        return ids
    marks = ", ".join(records.placeholders(len(COLUMNS)))
    sql = f"INSERT INTO reading ({', '.join(COLUMNS)}) VALUES ({marks})"
    async with records.transaction() as client:
        await client.execute_many(sql, rows)
        found = await client.execute_query_dict("SELECT last_insert_rowid() AS id")
        last = int(found[0]["id"])
        ids = list(range(last - len(rows) + 1, last + 1))
        await _keep_latest(records, client, ids, rows)
    return ids


TIME_INDEX = "reading_measured_at"
"""The index of raw readings by time alone (migration 0011), for the ingest figures."""


async def drop_time_index(records: Records) -> None:
    """Drop TIME_INDEX before a bulk load of history (a seed), to be built once after it by
    `build_time_index`. A history is written sensor by sensor, each over the whole week, so each
    row lands at a scattered place in an index by time: keeping it up to date halved SQLite's
    rate (56,000 against 102,000 readings a second, and 0.4 s to build it after for a million;
    bench/README.md, "A seed at scale 1.0"), as PostgreSQL's manual also advises for bulk loads
    ("Populating a Database", §14.4.3)."""
    await records.query(f"DROP INDEX IF EXISTS {TIME_INDEX}")


async def build_time_index(records: Records) -> None:
    """Build TIME_INDEX if it is not there (see `drop_time_index`)."""
    await records.query(f"CREATE INDEX IF NOT EXISTS {TIME_INDEX} ON reading (measured_at)")


async def clear_readings(records: Records) -> None:
    """Delete every raw reading, hourly roll-up and latest-reading row, together (a fresh seed:
    a latest row left behind would hide an older history loaded after it)."""
    async with records.transaction() as client:
        for table in ("reading_latest", "reading", "reading_hourly"):
            await client.execute_query(f"DELETE FROM {table}")


async def _keep_latest(
    records: Records, client: BaseDBAsyncClient, ids: list[int], rows: list[list[Any]]
) -> None:
    """Point `reading_latest` at the newest of `rows` (with their `ids`) of each sensor, unless
    the sensor already has a newer one (a late batch never moves it back)."""
    newest: dict[str, tuple[int, int]] = {}
    for key, row in zip(ids, rows, strict=True):
        sensor, measured_at = row[0], row[1]
        if sensor not in newest or measured_at > newest[sensor][1]:
            newest[sensor] = (key, measured_at)
    marks = ", ".join(records.placeholders(3))
    await client.execute_many(
        f"INSERT INTO reading_latest (sensor_id, reading_id, measured_at) VALUES ({marks}) "
        "ON CONFLICT (sensor_id) DO UPDATE SET reading_id = excluded.reading_id, "
        "measured_at = excluded.measured_at "
        "WHERE excluded.measured_at > reading_latest.measured_at",
        # in one order of sensors: two batches at once (PostgreSQL) lock their rows alike and
        # never deadlock
        [[sensor, key, measured_at] for sensor, (key, measured_at) in sorted(newest.items())],
    )


async def readings_after(
    records: Records, after: int, *, sensor_ids: Sequence[str] | None, limit: int
) -> list[dict[str, Any]]:
    """Rows with an id above `after` (of `sensor_ids`, if given), oldest first, at most `limit`."""
    where_in = ("sensor_id", sensor_ids) if sensor_ids is not None else None
    return await records.rows_after("reading", COLUMNS, after, limit=limit, where_in=where_in)


async def latest_readings(records: Records, sensor_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The newest raw reading of each sensor that has one; one query for the whole batch,
    by key through `reading_latest` (a sensor whose raw readings were all rolled up has none)."""
    if not sensor_ids:
        return {}
    marks = ", ".join(records.placeholders(len(sensor_ids)))
    sql = (
        f"SELECT r.* FROM reading_latest l JOIN reading r ON r.id = l.reading_id "
        f"WHERE l.sensor_id IN ({marks})"
    )
    rows = records.lookup(sql, sensor_ids)
    if rows is None:
        rows = await records.query(sql, sensor_ids)
    return {row["sensor_id"]: row for row in rows}


def _bucket_parts(
    records: Records,
    sensor_ids: Sequence[str],
    data_type: str,
    start: datetime,
    end: datetime,
    bucket_seconds: int,
) -> tuple[str, list[Any]]:
    """SQL of (sensor_id, b, total, lo, hi, n) per sensor and bucket from raw readings and,
    for whole-hour buckets, the hourly roll-ups; with its parameters. `total` sums the
    readings' `summand`s: their energies for a sound level."""
    if data_type not in DATA_TYPES:
        raise ValueError(f"unknown data type {data_type!r}")
    ids = ", ".join(records.placeholders(len(sensor_ids)))
    low, high, size = records.placeholders(3, start=len(sensor_ids) + 1)
    size_ = int(bucket_seconds)
    raw = (
        f"SELECT sensor_id, (measured_at / {size_}) * {size_} AS b, "
        f"sum({summand(data_type, data_type)}) AS total, "
        f"min({data_type}) AS lo, max({data_type}) AS hi, count({data_type}) AS n FROM reading "
        f"WHERE sensor_id IN ({ids}) AND measured_at >= {low} AND measured_at < {high} "
        f"AND {data_type} IS NOT NULL AND {size} > 0 GROUP BY sensor_id, b"
    )
    params: list[Any] = [*sensor_ids, epoch(start), epoch(end), bucket_seconds]
    parts = [raw]
    if bucket_seconds % HOUR == 0:  # hourly roll-ups fit whole-hour buckets exactly
        ids2 = ", ".join(records.placeholders(len(sensor_ids), start=len(params) + 1))
        low2, high2, kind = records.placeholders(3, start=len(params) + len(sensor_ids) + 1)
        rolled = "energy" if is_level(data_type) else "total"
        parts.append(
            f"SELECT sensor_id, (hour / {size_}) * {size_} AS b, sum({rolled}) AS total, "
            f"min(lo) AS lo, max(hi) AS hi, sum(n) AS n FROM reading_hourly "
            f"WHERE sensor_id IN ({ids2}) AND hour >= {low2} AND hour < {high2} "
            f"AND data_type = {kind} GROUP BY sensor_id, b"
        )
        params += [*sensor_ids, epoch(start), epoch(end), data_type]
    return " UNION ALL ".join(parts), params


async def bucketed(
    records: Records,
    sensor_ids: Sequence[str],
    data_type: str,
    start: datetime,
    end: datetime,
    bucket_seconds: int,
) -> dict[str, list[Bucket]]:
    """avg/min/max of one data type per bucket over [start, end), for each sensor (avg: the
    energy mean of a sound level, graph/records/levels.py).

    Requires `data_type` in DATA_TYPES and bucket_seconds > 0; buckets align to the epoch.
    Whole-hour buckets include rolled-up hours (counted by the hour's start); shorter buckets
    see raw readings only, so they are empty beyond the retention period.
    """
    if data_type not in DATA_TYPES:
        raise ValueError(f"unknown data type {data_type!r}")
    result: dict[str, list[Bucket]] = {s: [] for s in sensor_ids}
    if not sensor_ids:
        return result
    union, params = _bucket_parts(records, sensor_ids, data_type, start, end, bucket_seconds)
    average = mean_of_sums(data_type, "sum(total)", "sum(n)")
    sql = (
        f"SELECT sensor_id, b, {average} AS a, min(lo) AS lo, max(hi) AS hi, "
        f"sum(n) AS n FROM ({union}) parts GROUP BY sensor_id, b ORDER BY sensor_id, b"
    )
    for row in await records.query(sql, params):
        result[row["sensor_id"]].append(
            Bucket(
                row["sensor_id"],
                from_epoch(int(row["b"])),
                row["a"],
                row["lo"],
                row["hi"],
                int(row["n"]),
            )
        )
    return result


POOLED = ""
"""The `sensor_id` of a bucket that pools several sensors' readings."""


async def pooled_buckets(
    records: Records,
    sensor_ids: Sequence[str],
    data_type: str,
    start: datetime,
    end: datetime,
    bucket_seconds: int,
) -> list[Bucket]:
    """avg/min/max of one data type per bucket over [start, end), every reading of the
    sensors pooled (the mean of readings, not of sensors' means; a sound level's by energy),
    as `bucketed` per sensor; buckets without a reading are absent, `sensor_id` is POOLED.
    One query."""
    if data_type not in DATA_TYPES:
        raise ValueError(f"unknown data type {data_type!r}")
    if not sensor_ids:
        return []
    union, params = _bucket_parts(records, sensor_ids, data_type, start, end, bucket_seconds)
    average = mean_of_sums(data_type, "sum(total)", "sum(n)")
    sql = (
        f"SELECT b, {average} AS a, min(lo) AS lo, max(hi) AS hi, sum(n) AS n "
        f"FROM ({union}) parts GROUP BY b ORDER BY b"
    )
    return [
        Bucket(POOLED, from_epoch(int(r["b"])), r["a"], r["lo"], r["hi"], int(r["n"]))
        for r in await records.query(sql, params)
    ]


async def hours_with_readings(
    records: Records, sensor_ids: Sequence[str], start: datetime, end: datetime
) -> dict[str, set[int]]:
    """The hours (epoch seconds of each whole hour's start) in [start, end) in which each of
    `sensor_ids` has a raw reading or an hourly roll-up; one query. Lets a writer of hourly
    readings skip hours already held, so that writing them again neither fails nor counts
    twice when they are rolled up."""
    found: dict[str, set[int]] = {s: set() for s in sensor_ids}
    if not sensor_ids:
        return found
    n = len(sensor_ids)
    ids = ", ".join(records.placeholders(n))
    low, high = records.placeholders(2, start=n + 1)
    ids2 = ", ".join(records.placeholders(n, start=n + 3))
    low2, high2 = records.placeholders(2, start=2 * n + 3)
    sql = (
        f"SELECT DISTINCT sensor_id, (measured_at / {HOUR}) * {HOUR} AS h FROM reading "
        f"WHERE sensor_id IN ({ids}) AND measured_at >= {low} AND measured_at < {high} "
        f"UNION SELECT sensor_id, hour AS h FROM reading_hourly "
        f"WHERE sensor_id IN ({ids2}) AND hour >= {low2} AND hour < {high2}"
    )
    bounds = [epoch(start), epoch(end)]
    for row in await records.query(sql, [*sensor_ids, *bounds, *sensor_ids, *bounds]):
        found[row["sensor_id"]].add(int(row["h"]))
    return found


async def readings_in_window(
    records: Records,
    sensor_id: str,
    start: datetime,
    end: datetime,
    *,
    after: int | None = None,
    limit: int,
) -> list[dict[str, Any]]:
    """Raw readings of one sensor measured in [start, end) (shaped like `COLUMNS`, epoch
    seconds), oldest first, after the instant `after` (epoch seconds) when given, at most
    `limit`: a keyset page, for streaming a window of any length in bounded pieces. Reads
    through the (sensor_id, measured_at) unique index."""
    sensor, low, high, since, most = records.placeholders(5)
    sql = (
        f"SELECT {', '.join(COLUMNS)} FROM reading WHERE sensor_id = {sensor} "
        f"AND measured_at >= {low} AND measured_at < {high} AND measured_at > {since} "
        f"ORDER BY measured_at LIMIT {most}"
    )
    floor = epoch(start) - 1 if after is None else after
    return await records.query(sql, [sensor_id, epoch(start), epoch(end), floor, limit])


async def reading_count(records: Records) -> int:
    rows = await records.query("SELECT count(*) AS n FROM reading")
    return int(rows[0]["n"])


@dataclass(frozen=True)
class RollUp:
    cutoff: datetime
    readings: int
    """Raw readings rolled up and deleted."""
    hours: int
    """Hourly rows written or merged into."""


def _merge_clause(dialect: str) -> str:
    smaller, larger = ("LEAST", "GREATEST") if dialect == "postgres" else ("min", "max")
    return (
        "ON CONFLICT (sensor_id, data_type, hour) DO UPDATE SET "
        "n = reading_hourly.n + excluded.n, total = reading_hourly.total + excluded.total, "
        "energy = reading_hourly.energy + excluded.energy, "
        f"lo = {smaller}(reading_hourly.lo, excluded.lo), "
        f"hi = {larger}(reading_hourly.hi, excluded.hi)"
    )


async def roll_up(records: Records, keep_days: int, now: datetime) -> RollUp:
    """Roll raw readings older than `keep_days` (cut at a whole hour) into hourly rows.

    A sound level's hourly row also holds the sum of its readings' energies (`energy`, NULL
    for other data types), from which its hours average by energy.
    One transaction: the hourly rows and the deletion of what they summarise land together,
    so a crash never counts a reading twice or loses it. Readings that arrive late for an
    hour already rolled up are merged into it the next time. Requires keep_days >= 1.
    """
    if keep_days < 1:
        raise ValueError("raw readings are kept at least one day")
    cutoff = (epoch(now) - keep_days * 86_400) // HOUR * HOUR
    mark = records.placeholders(1)[0]
    merge = _merge_clause(records.dialect)
    async with records.transaction() as client:
        found = await client.execute_query_dict(
            f"SELECT count(*) AS n FROM reading WHERE measured_at < {mark}", [cutoff]
        )
        hours = 0
        for data_type in DATA_TYPES:
            energy = f"sum({summand(data_type, data_type)})" if is_level(data_type) else "NULL"
            count, _ = await client.execute_query(
                f"INSERT INTO reading_hourly "
                f"(sensor_id, data_type, hour, n, total, lo, hi, energy) "
                f"SELECT sensor_id, '{data_type}', (measured_at / {HOUR}) * {HOUR}, "
                f"count({data_type}), sum({data_type}), min({data_type}), max({data_type}), "
                f"{energy} "
                f"FROM reading WHERE measured_at < {mark} AND {data_type} IS NOT NULL "
                f"GROUP BY sensor_id, (measured_at / {HOUR}) * {HOUR} {merge}",
                [cutoff],
            )
            hours += count
        await client.execute_query(f"DELETE FROM reading WHERE measured_at < {mark}", [cutoff])
        await client.execute_query(
            f"DELETE FROM reading_latest WHERE measured_at < {mark}", [cutoff]
        )
    return RollUp(from_epoch(cutoff), int(found[0]["n"]), hours)
