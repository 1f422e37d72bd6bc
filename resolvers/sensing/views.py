"""Sensing's views of entities the city domain owns: a district and an asset by their keys,
with the sensors sensing adds to them (resolvers/core/federation.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers.core.federation import extends
from resolvers.core.info import Info
from resolvers.sensing.dataloaders import SensorsByAssetLoader, SensorsByDistrictLoader
from resolvers.sensing.prefetch import with_latest_readings

if TYPE_CHECKING:
    from resolvers.sensing.types import Sensor


@extends("District", keys=["code"])
class District:
    code: str

    @strawberry.field(description="Sensors located in this gu.")
    async def sensors(
        self, info: Info
    ) -> list[Annotated[Sensor, strawberry.lazy("resolvers.sensing.types")]]:
        from resolvers.sensing.types import Sensor

        nodes = await info.context.loader(SensorsByDistrictLoader).load(self.code)
        return await with_latest_readings(info, [Sensor.from_node(n) for n in nodes])


@extends("Asset", keys=["id"])
class Asset:
    id: strawberry.ID

    @strawberry.field(description="Sensors mounted on this asset.")
    async def sensors(
        self, info: Info
    ) -> list[Annotated[Sensor, strawberry.lazy("resolvers.sensing.types")]]:
        from resolvers.sensing.types import Sensor

        nodes = await info.context.loader(SensorsByAssetLoader).load(self.id)
        return await with_latest_readings(info, [Sensor.from_node(n) for n in nodes])
