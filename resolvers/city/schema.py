"""Queries of the city domain."""

from __future__ import annotations

import strawberry

from graph.query import NodeQuery
from resolvers.city.filters import AssetFilter, CitizenFilter
from resolvers.city.types import (
    Asset,
    Citizen,
    District,
    DistrictLevel,
    asset_by_id,
    citizen_by_id,
    require_personal,
)
from resolvers.core.arguments import checked_districts, equals_map, values
from resolvers.core.errors import not_found
from resolvers.core.info import Info
from resolvers.core.listing import located_page, node_page
from resolvers.core.pagination import Connection, PageArgs


@strawberry.type(name="Query")
class CityQuery:
    @strawberry.field(description="The 25 gu (default), or the dong of one gu.")
    async def districts(
        self,
        info: Info,
        level: DistrictLevel = DistrictLevel.GU,
        parent_code: str | None = None,
    ) -> list[District]:
        equals = {"level": [level.value]}
        if parent_code is not None:
            equals["parent_code"] = [parent_code]
        nodes = await info.context.store.find_nodes(NodeQuery("District", equals))
        return [District.from_node(n) for n in nodes]

    @strawberry.field(description="A gu or dong by its official code.")
    async def district(self, info: Info, code: str) -> District:
        from resolvers.city.types import district_by_code

        found = await district_by_code(info, code)
        if found is None:
            raise not_found("district", code, "code")
        return found

    @strawberry.field(description="City assets, filtered, as a Relay connection.")
    async def assets(
        self,
        info: Info,
        filter: AssetFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Asset]:
        f = filter or AssetFilter()
        kinds, statuses = values(f.kind or None), values(f.status or None)
        return await located_page(
            info.context,
            "Asset",
            Asset.from_node,
            f,
            page=PageArgs(first, after, last, before),
            kind=kinds,
            status=statuses,
        )

    @strawberry.field
    async def asset(self, info: Info, id: strawberry.ID) -> Asset:
        found = await asset_by_id(info, id)
        if found is None:
            raise not_found("asset", id, "id")
        return found

    @strawberry.field(
        description="Residents under pseudonymous ids: analyst tier or above (listing people "
        "counts them; public counts are `District.residentCount`)."
    )
    async def citizens(
        self,
        info: Info,
        filter: CitizenFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Citizen]:
        require_personal(info, "citizens")
        f = filter or CitizenFilter()
        equals = equals_map(district_code=await checked_districts(info.context, f.district or None))
        return await node_page(
            info.context,
            "Citizen",
            Citizen.from_node,
            equals=equals,
            page=PageArgs(first, after, last, before),
        )

    @strawberry.field(description="A resident by pseudonymous id: analyst tier or above.")
    async def citizen(self, info: Info, id: strawberry.ID) -> Citizen:
        return await citizen_by_id(info, str(id))
