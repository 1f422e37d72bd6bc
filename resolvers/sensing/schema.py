"""Queries of the sensing domain."""

from __future__ import annotations

import strawberry

from resolvers.core.arguments import values
from resolvers.core.errors import not_found
from resolvers.core.info import Info
from resolvers.core.listing import located_page
from resolvers.core.pagination import Connection, PageArgs
from resolvers.sensing.dataloaders import SensorByIdLoader
from resolvers.sensing.filters import SensorFilter
from resolvers.sensing.types import Sensor


@strawberry.type(name="Query")
class SensingQuery:
    @strawberry.field(description="S-DoT sensors and water-quality stations, filtered.")
    async def sensors(
        self,
        info: Info,
        filter: SensorFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Sensor]:
        f = filter or SensorFilter()
        kinds, statuses = values(f.kind or None), values(f.status or None)
        return await located_page(
            info.context,
            "Sensor",
            Sensor.from_node,
            f,
            page=PageArgs(first, after, last, before),
            kind=kinds,
            status=statuses,
        )

    @strawberry.field
    async def sensor(self, info: Info, id: strawberry.ID) -> Sensor:
        node = await info.context.loader(SensorByIdLoader).load(id)
        if node is None:
            raise not_found("sensor", id, "id")
        return Sensor.from_node(node)
