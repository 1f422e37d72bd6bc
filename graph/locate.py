"""Which gu a point lies in, from the District boundaries stored in the graph."""

from __future__ import annotations

import json

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from graph.query import NodeQuery
from graph.store import GraphStore


class DistrictLocator:
    """Point-in-polygon over the 25 gu, with prepared geometries."""

    def __init__(self, boundaries: dict[str, BaseGeometry]) -> None:
        self._boundaries = boundaries
        for geometry in boundaries.values():
            shapely.prepare(geometry)

    @classmethod
    async def from_store(cls, store: GraphStore) -> DistrictLocator:
        nodes = await store.find_nodes(NodeQuery("District", {"level": ["gu"]}))
        return cls({n["code"]: shape(json.loads(n["boundary"])) for n in nodes})

    @property
    def gu_codes(self) -> tuple[str, ...]:
        """The codes of the gu, in code order (the 25 of Seoul in a seeded city)."""
        return tuple(sorted(self._boundaries))

    def gu_at(self, lat: float, lon: float) -> str | None:
        for code, geometry in self._boundaries.items():
            if shapely.contains_xy(geometry, lon, lat):
                return code
        return None
