"""Loaders of the city domain."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from graph.query import Hop
from resolvers.core.dataloaders import ContextLoader, NeighborsByKeyLoader, NodeByKeyLoader


class DistrictByCodeLoader(NodeByKeyLoader):
    label = "District"


class AssetByIdLoader(NodeByKeyLoader):
    label = "Asset"


class CitizenByIdLoader(NodeByKeyLoader):
    label = "Citizen"


class AdjacentDistrictsByCodeLoader(NeighborsByKeyLoader):
    hop = Hop("ADJACENT_TO", "District", "District")


class DongByGuCodeLoader(NeighborsByKeyLoader):
    hop = Hop("LOCATED_IN", "District", "District", direction="in")


class MountedOnByAssetIdLoader(NeighborsByKeyLoader):
    hop = Hop("MOUNTED_ON", "Asset", "Asset")


class MountedAssetsByAssetIdLoader(NeighborsByKeyLoader):
    hop = Hop("MOUNTED_ON", "Asset", "Asset", direction="in")


ResidentKey = tuple[str, int | None, int | None]
"""(district code, born from, born to)."""


class ResidentCountByDistrictLoader(ContextLoader[ResidentKey, int]):
    """Residents per gu or dong, optionally within birth years; one query per year range."""

    async def batch_load(self, keys: list[ResidentKey]) -> Sequence[int]:
        by_range: dict[tuple[int | None, int | None], list[str]] = defaultdict(list)
        for code, low, high in keys:
            by_range[(low, high)].append(code)
        counts: dict[ResidentKey, int] = {}
        for (low, high), codes in by_range.items():
            for column, group in (
                ("district_code", [c for c in codes if len(c) == 5]),
                ("dong_code", [c for c in codes if len(c) != 5]),
            ):
                if not group:
                    continue
                found = await self.context.store.count_grouped(
                    "Citizen", column, {column: group}, {"birth_year": (low, high)}
                )
                counts.update({(code, low, high): found.get(code, 0) for code in group})
        return [counts[key] for key in keys]
