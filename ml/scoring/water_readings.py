"""The Han River stations as the water model reads them: graph nodes in river order and their
hourly means from the records, as one (stations, hours, measures) array."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from graph.records import Records
from graph.records.readings import HOUR, bucketed, epoch
from graph.store import GraphStore
from ml.generators.water import MEASURES
from seeds import han_river


@dataclass(frozen=True)
class RiverStationNode:
    """A river station found in the graph: `id`, `district_code` (its gu, or None), `name`."""

    id: str
    district_code: str | None
    name: str


async def river_stations(graph: GraphStore) -> list[RiverStationNode]:
    """The seeded Han River stations the graph holds as water_quality sensors, upstream first
    (the order of `seeds.han_river.stations`); one store call."""
    listed = han_river.stations()
    nodes = await graph.get_nodes("Sensor", [s.id for s in listed])
    return [
        RiverStationNode(s.id, node.get("district_code"), s.name)
        for s, node in zip(listed, nodes, strict=True)
        if node is not None and node.get("kind") == "water_quality"
    ]


@dataclass(frozen=True)
class RiverReadings:
    """Hourly means of the river: `times` (hours,) datetime64[h] UTC, consecutive; `values`
    (stations, hours, len(MEASURES)) float in MEASURES order and units, NaN where a station has
    no reading of a measure in an hour (or one that is not a finite number)."""

    times: np.ndarray
    values: np.ndarray

    def reported(self) -> np.ndarray:
        """(stations, hours) bool: the station has at least one measure in the hour."""
        return np.asarray(~np.isnan(self.values).all(axis=2))


async def hourly_means(
    records: Records, sensor_ids: list[str], start: datetime, end: datetime
) -> RiverReadings:
    """The hourly means of each of `sensor_ids` over [start, end) (aware, whole hours, start <
    end), raw readings and hourly roll-ups alike (`graph.records.readings.bucketed`, one query
    per measure)."""
    first, last = epoch(start) // HOUR, epoch(end) // HOUR
    hours = last - first
    times = (np.arange(hours) + first).astype("datetime64[h]")
    values = np.full((len(sensor_ids), hours, len(MEASURES)), np.nan)
    row = {sensor_id: i for i, sensor_id in enumerate(sensor_ids)}
    for m, measure in enumerate(MEASURES):
        found = await bucketed(records, sensor_ids, measure, start, end, HOUR)
        for sensor_id, buckets in found.items():
            for bucket in buckets:
                index = epoch(bucket.start) // HOUR - first
                if bucket.avg is not None and 0 <= index < hours:
                    values[row[sensor_id], index, m] = float(bucket.avg)
    values[~np.isfinite(values)] = np.nan
    return RiverReadings(times, values)
