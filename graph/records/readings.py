"""Sensor readings: bulk insert, latest per sensor, and time-bucketed aggregates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graph.ontology import SDOT_DATA_TYPES, WATER_DATA_TYPES
from graph.records.db import Records

DATA_TYPES: tuple[str, ...] = SDOT_DATA_TYPES + WATER_DATA_TYPES
COLUMNS: tuple[str, ...] = ("sensor_id", "measured_at", *DATA_TYPES)
AGGREGATES = ("avg", "min", "max")


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


async def insert_readings(records: Records, rows: list[list[Any]]) -> None:
    """Insert rows shaped like `COLUMNS` (measured_at in epoch seconds) in one transaction."""
    marks = ", ".join(records.placeholders(len(COLUMNS)))
    sql = f"INSERT INTO reading ({', '.join(COLUMNS)}) VALUES ({marks})"
    await records.execute_many(sql, rows)


async def latest_readings(records: Records, sensor_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The newest reading of each sensor that has one; one query for the whole batch."""
    if not sensor_ids:
        return {}
    marks = ", ".join(records.placeholders(len(sensor_ids)))
    sql = (
        f"SELECT r.* FROM reading r JOIN ("
        f"SELECT sensor_id, max(measured_at) AS m FROM reading WHERE sensor_id IN ({marks}) "
        f"GROUP BY sensor_id) l ON r.sensor_id = l.sensor_id AND r.measured_at = l.m"
    )
    return {row["sensor_id"]: row for row in await records.query(sql, list(sensor_ids))}


async def bucketed(
    records: Records,
    sensor_ids: Sequence[str],
    data_type: str,
    start: datetime,
    end: datetime,
    bucket_seconds: int,
) -> dict[str, list[Bucket]]:
    """avg/min/max of one data type per bucket over [start, end), for each sensor.

    Requires `data_type` in DATA_TYPES and bucket_seconds > 0; buckets align to the epoch.
    """
    if data_type not in DATA_TYPES:
        raise ValueError(f"unknown data type {data_type!r}")
    result: dict[str, list[Bucket]] = {s: [] for s in sensor_ids}
    if not sensor_ids:
        return result
    ids = records.placeholders(len(sensor_ids))
    low, high, size = records.placeholders(3, start=len(sensor_ids) + 1)
    bucket = f"(measured_at / {int(bucket_seconds)}) * {int(bucket_seconds)}"
    sql = (
        f"SELECT sensor_id, {bucket} AS b, avg({data_type}) AS a, min({data_type}) AS lo, "
        f"max({data_type}) AS hi, count({data_type}) AS n FROM reading "
        f"WHERE sensor_id IN ({', '.join(ids)}) AND measured_at >= {low} AND measured_at < {high} "
        f"AND {data_type} IS NOT NULL AND {size} > 0 "
        f"GROUP BY sensor_id, b ORDER BY sensor_id, b"
    )
    params = [*sensor_ids, epoch(start), epoch(end), bucket_seconds]
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


async def reading_count(records: Records) -> int:
    rows = await records.query("SELECT count(*) AS n FROM reading")
    return int(rows[0]["n"])
