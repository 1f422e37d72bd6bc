"""Queries of the sensing domain."""

from __future__ import annotations

import strawberry

from resolvers.city.types import CityInfo
from resolvers.core.arguments import checked_districts, equals_map, values
from resolvers.core.errors import not_found
from resolvers.core.listing import node_page
from resolvers.core.pagination import Connection
from resolvers.sensing.dataloaders import SensorByIdLoader
from resolvers.sensing.filters import SensorFilter
from resolvers.sensing.types import Sensor


@strawberry.type
class SensingQuery:
    @strawberry.field(description="S-DoT sensors and water-quality stations, filtered.")
    async def sensors(
        self,
        info: CityInfo,
        filter: SensorFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Sensor]:
        f = filter or SensorFilter()
        equals = equals_map(
            district_code=await checked_districts(info.context, f.district or None),
            kind=values(f.kind or None),
            status=values(f.status or None),
        )
        return await node_page(
            info.context,
            "Sensor",
            Sensor.from_node,
            equals=equals,
            bbox=f.bbox.to_query() if f.bbox else None,
            near=f.near.to_query() if f.near else None,
            first=first,
            after=after,
        )

    @strawberry.field
    async def sensor(self, info: CityInfo, id: strawberry.ID) -> Sensor:
        node = await info.context.loader(SensorByIdLoader).load(id)
        if node is None:
            raise not_found("sensor", id, "id")
        return Sensor.from_node(node)
