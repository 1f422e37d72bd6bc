"""Loaders of the city domain."""

from __future__ import annotations

from collections.abc import Sequence

from graph.query import Hop
from resolvers.city.residents import ResidentCell, ResidentTable, resident_table
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


class ResidentCellsByGuLoader(ContextLoader[str, list[ResidentCell]]):
    """The resident cells (dong x birth year, true counts) of each gu: one aggregate query per
    batch, whatever the number of gu, dong and year ranges asked."""

    async def batch_load(self, keys: list[str]) -> Sequence[list[ResidentCell]]:
        found = await self.context.store.count_cells(
            "Citizen", ("district_code", "dong_code", "birth_year"), {"district_code": keys}
        )
        cells: dict[str, list[ResidentCell]] = {key: [] for key in keys}
        for (gu, dong, year), count in found.items():
            cells[str(gu)].append(ResidentCell(str(gu), dong, year, count))
        return [cells[key] for key in keys]


class ResidentTableByGuLoader(ContextLoader[str, ResidentTable]):
    """Each gu's cells as one table, published for the caller's tier (exact for analysts):
    looked up once per gu and request (aliases share it), built once per process for each
    distinct cell set (`resident_table`)."""

    async def batch_load(self, keys: list[str]) -> Sequence[ResidentTable]:
        cells = await self.context.loader(ResidentCellsByGuLoader).load_many(keys)
        context = self.context
        rounding = None if context.sees_personal_data else context.the_rounding()
        return [resident_table(found, rounding) for found in cells]
