"""Indicator figures over the readings: per-gu means of a recent window and ingest counts.

Each figure is one aggregate query; readings carry no gu, so the caller hands in each sensor's
gu (from the graph) and the query joins it in as a VALUES list. Every window is over
`measured_at` (epoch seconds, UTC) and ends at `now` inclusive: a reading stamped after the
request's `now` (a sensor's clock ahead) waits for its time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph.records.db import Records
from graph.records.levels import mean
from graph.records.readings import DATA_TYPES, epoch, from_epoch


@dataclass(frozen=True)
class DistrictMeans:
    """One gu's readings in a window: the mean of each data type over every reading that has
    it (None when none has; a sound level's is its energy mean, graph/records/levels.py), the
    sensors with at least one such reading, the newest one's time."""

    district_code: str
    means: dict[str, float | None]
    sensors: int
    newest: datetime | None


async def district_means(
    records: Records,
    district_of: Mapping[str, str],
    data_types: Sequence[str],
    start: datetime,
    end: datetime,
) -> dict[str, DistrictMeans]:
    """Means of `data_types` per gu over readings in [start, end] of the sensors in
    `district_of` (sensor id -> gu code). A gu without a reading of those types is absent.

    Requires every data type in DATA_TYPES (ValueError otherwise). One query.
    """
    unknown = [t for t in data_types if t not in DATA_TYPES]
    if unknown or not data_types:
        raise ValueError(f"unknown data types {unknown!r}")
    if not district_of:
        return {}
    pairs = list(district_of.items())
    marks = records.placeholders(2 * len(pairs) + 2)
    rows = ", ".join(f"({marks[2 * i]}, {marks[2 * i + 1]})" for i in range(len(pairs)))
    low, high = marks[-2:]
    means = ", ".join(f"{mean(t, f'r.{t}')} AS {t}_mean" for t in data_types)
    present = " OR ".join(f"r.{t} IS NOT NULL" for t in data_types)
    sql = (
        f"SELECT s.column2 AS gu, {means}, count(DISTINCT r.sensor_id) AS sensors, "
        f"max(r.measured_at) AS newest FROM reading r JOIN (VALUES {rows}) s "
        f"ON r.sensor_id = s.column1 WHERE r.measured_at >= {low} AND r.measured_at <= {high} "
        f"AND ({present}) GROUP BY s.column2"
    )
    params: list[Any] = [value for pair in pairs for value in pair]
    params += [epoch(start), epoch(end)]
    found = {}
    for row in await records.query(sql, params):
        values = {
            t: float(row[f"{t}_mean"]) if row[f"{t}_mean"] is not None else None for t in data_types
        }
        found[row["gu"]] = DistrictMeans(
            row["gu"], values, int(row["sensors"]), from_epoch(int(row["newest"]))
        )
    return found


@dataclass(frozen=True)
class IngestCounts:
    """Readings measured in the last minute, hour and since the day's start, the distinct
    sensors of the last `recent` window, and the newest reading's time (None: no reading)."""

    last_minute: int
    last_hour: int
    today: int
    sensors_recent: int
    newest: datetime | None


async def ingest_counts(
    records: Records, now: datetime, day_start: datetime, recent_seconds: int = 600
) -> IngestCounts:
    """Counts of readings by `measured_at` up to `now`: in (now-60 s, now], (now-1 h, now],
    [day_start, now], distinct sensors in (now-recent_seconds, now], and the newest reading
    measured at or before now. One query (the newest is a subquery on the time index)."""
    at = epoch(now)
    minute, hour, recent, today = at - 60, at - 3600, at - recent_seconds, epoch(day_start)
    m = records.placeholders(7)
    sql = (
        f"SELECT sum(CASE WHEN measured_at > {m[0]} THEN 1 ELSE 0 END) AS minute, "
        f"sum(CASE WHEN measured_at > {m[1]} THEN 1 ELSE 0 END) AS hour, "
        f"sum(CASE WHEN measured_at >= {m[2]} THEN 1 ELSE 0 END) AS today, "
        f"count(DISTINCT CASE WHEN measured_at > {m[3]} THEN sensor_id END) AS sensors, "
        f"(SELECT max(measured_at) FROM reading WHERE measured_at <= {m[4]}) AS newest "
        f"FROM reading WHERE measured_at >= {m[5]} AND measured_at <= {m[6]}"
    )
    params = [minute, hour, today, recent, at, min(today, hour, recent), at]
    row = (await records.query(sql, params))[0]
    newest = row["newest"]
    return IngestCounts(
        int(row["minute"] or 0),
        int(row["hour"] or 0),
        int(row["today"] or 0),
        int(row["sensors"] or 0),
        from_epoch(int(newest)) if newest is not None else None,
    )
