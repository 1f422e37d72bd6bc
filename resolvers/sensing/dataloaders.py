"""Loaders of the sensing domain: sensors by relation, readings from the records."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from graph.query import Hop
from graph.records.readings import Bucket, bucketed, latest_readings
from resolvers.core.dataloaders import ContextLoader, NeighborsByKeyLoader, NodeByKeyLoader


class SensorByIdLoader(NodeByKeyLoader):
    label = "Sensor"


class SensorsByDistrictLoader(NeighborsByKeyLoader):
    hop = Hop("LOCATED_IN", "District", "Sensor", direction="in")


class SensorsByAssetLoader(NeighborsByKeyLoader):
    hop = Hop("MOUNTED_ON", "Asset", "Sensor", direction="in")


class MountedOnBySensorLoader(NeighborsByKeyLoader):
    hop = Hop("MOUNTED_ON", "Sensor", "Asset")


class LatestReadingBySensorLoader(ContextLoader[str, dict[str, Any] | None]):
    async def batch_load(self, keys: list[str]) -> Sequence[dict[str, Any] | None]:
        found = await latest_readings(self.context.records, keys)
        return [found.get(k) for k in keys]


BucketKey = tuple[str, str, datetime, datetime, int]
"""(sensor id, data type, start, end, bucket seconds)."""


class ReadingBucketsLoader(ContextLoader[BucketKey, list[Bucket]]):
    """Aggregates per bucket; one query per distinct (type, window, bucket) in the batch."""

    async def batch_load(self, keys: list[BucketKey]) -> Sequence[list[Bucket]]:
        groups: dict[tuple[str, datetime, datetime, int], list[str]] = defaultdict(list)
        for sensor, data_type, start, end, size in keys:
            groups[(data_type, start, end, size)].append(sensor)
        out: dict[BucketKey, list[Bucket]] = {}
        for (data_type, start, end, size), sensors in groups.items():
            found = await bucketed(self.context.records, sensors, data_type, start, end, size)
            out.update({(s, data_type, start, end, size): found[s] for s in sensors})
        return [out[k] for k in keys]
