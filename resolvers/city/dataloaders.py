"""Loaders of the city domain."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from graph.query import Hop
from graph.store import GraphStore
from resolvers.city.residents import ResidentCell, ResidentTable, resident_table
from resolvers.core.dataloaders import ContextLoader, NeighborsByKeyLoader, NodeByKeyLoader


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


CELLS_FRESH_S = 60.0
"""How long a gu's cells read through one store are reused while that store writes nothing:
a resident registered by another process shows in counts within this time."""


@dataclass(frozen=True)
class _ReadCells:
    writes: int
    at: float
    cells: list[ResidentCell]


_cells_read: WeakKeyDictionary[GraphStore, dict[str, _ReadCells]] = WeakKeyDictionary()
"""Per store object, the last cells read of each gu: the whole city's cells are one aggregate
over every resident (0.1 s at scale 0.01) and 20,000 objects, which every request asking for
counts paid again while the residents had not changed."""


def forget_read_cells() -> None:
    """Drop every gu's remembered cells (tests that count store calls start from nothing)."""
    _cells_read.clear()


class ResidentCellsByGuLoader(ContextLoader[str, list[ResidentCell]]):
    """The resident cells (dong x birth year, true counts) of each gu: one aggregate query per
    batch for the gu not read through this store since its last write (or `CELLS_FRESH_S`)."""

    async def batch_load(self, keys: list[str]) -> Sequence[list[ResidentCell]]:
        store = self.context.store
        read = _cells_read.setdefault(store, {})
        now = time.monotonic()
        found: dict[str, list[ResidentCell]] = {}
        for key in keys:
            last = read.get(key)
            if last and last.writes == store.writes and now - last.at < CELLS_FRESH_S:
                found[key] = last.cells
        missing = [key for key in keys if key not in found]
        if missing:
            writes = store.writes  # before reading: a write meanwhile makes the next read fresh
            counted = await store.count_cells(
                "Citizen", ("district_code", "dong_code", "birth_year"), {"district_code": missing}
            )
            cells: dict[str, list[ResidentCell]] = {key: [] for key in missing}
            for (gu, dong, year), count in counted.items():
                cells[str(gu)].append(ResidentCell(str(gu), dong, year, count))
            for key in missing:
                read[key] = _ReadCells(writes, now, cells[key])
                found[key] = cells[key]
        return [found[key] for key in keys]


class ResidentTableByGuLoader(ContextLoader[str, ResidentTable]):
    """Each gu's cells as one table, published for the caller's tier (exact for analysts):
    looked up once per gu and request (aliases share it), built once per process for each
    distinct cell set (`resident_table`)."""

    async def batch_load(self, keys: list[str]) -> Sequence[ResidentTable]:
        cells = await self.context.loader(ResidentCellsByGuLoader).load_many(keys)
        context = self.context
        rounding = None if context.sees_personal_data else context.the_rounding()
        return [resident_table(found, rounding) for found in cells]
