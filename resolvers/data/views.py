"""The data catalogue's views of entities other domains own: a department (services), which
publishes datasets, and a sensor (sensing), whose readings datasets carry (resolvers/core/
federation.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers.core.dataloaders import NeighborsByKeyLoader
from resolvers.core.federation import extends
from resolvers.core.info import Info
from resolvers.data.dataloaders import DatasetsByDepartmentLoader, DatasetsBySensorLoader

if TYPE_CHECKING:
    from resolvers.data.types import Dataset


async def datasets_by(info: Info, loader: type[NeighborsByKeyLoader], key: str) -> list[Dataset]:
    """The datasets one hop from `key` by `loader`'s relationship (PUBLISHES, MEASURES)."""
    from resolvers.data.types import Dataset

    return [Dataset.from_node(n) for n in await info.context.loader(loader).load(key)]


@extends("Department", keys=["id"])
class Department:
    id: strawberry.ID

    @strawberry.field(description="Datasets this department publishes.")
    async def datasets(
        self, info: Info
    ) -> list[Annotated[Dataset, strawberry.lazy("resolvers.data.types")]]:
        return await datasets_by(info, DatasetsByDepartmentLoader, self.id)


@extends("Sensor", keys=["id"])
class Sensor:
    id: strawberry.ID

    @strawberry.field(description="Datasets this sensor's readings are published in.")
    async def datasets(
        self, info: Info
    ) -> list[Annotated[Dataset, strawberry.lazy("resolvers.data.types")]]:
        return await datasets_by(info, DatasetsBySensorLoader, self.id)
