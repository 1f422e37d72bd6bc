"""The sensors the live path needs to know: gu, kind and data types, by id.

Loaded from the graph once (1,100 S-DoT sensors and the water stations at scale 1.0), so that
ingest validates and routes a reading without a graph query per reading. A sensor added later
is looked up on first sight.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.query import NodeQuery
from graph.store import GraphStore


@dataclass(frozen=True)
class SensorInfo:
    id: str
    kind: str
    district_code: str
    data_types: frozenset[str]


class SensorDirectory:
    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self._sensors: dict[str, SensorInfo] = {}

    async def load(self) -> SensorDirectory:
        for node in await self._store.find_nodes(NodeQuery("Sensor")):
            self._remember(node)
        return self

    def _remember(self, node: dict[str, object]) -> SensorInfo:
        types = node.get("data_types") or []
        assert isinstance(types, list)
        info = SensorInfo(
            str(node["id"]), str(node["kind"]), str(node["district_code"]), frozenset(types)
        )
        self._sensors[info.id] = info
        return info

    async def get(self, sensor_id: str) -> SensorInfo | None:
        found = self._sensors.get(sensor_id)
        if found is None:
            [node] = await self._store.get_nodes("Sensor", [sensor_id])
            if node is not None:
                found = self._remember(node)
        return found

    def known(self) -> list[SensorInfo]:
        return list(self._sensors.values())

    def ids(self, *, district: str | None = None, kind: str | None = None) -> list[str]:
        return [
            s.id
            for s in self._sensors.values()
            if (district is None or s.district_code == district)
            and (kind is None or s.kind == kind)
        ]
