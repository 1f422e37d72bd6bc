"""Services' views of entities the city domain owns: a district (to which services adds its
cases), an asset and a citizen, each by its key (resolvers/core/federation.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers.core.arguments import values
from resolvers.core.federation import extends
from resolvers.core.info import Info
from resolvers.core.pagination import Connection, PageArgs, connection, page_request
from resolvers.services.dataloaders import (
    CaseCountByDistrictLoader,
    CaseFilters,
    CasePageByDistrictLoader,
    DistrictCasesKey,
)

if TYPE_CHECKING:
    from resolvers.services.types import Case, CaseStatus


@extends("District", keys=["code"])
class District:
    code: str

    @strawberry.field(
        description="Complaints located in this gu, filtered, as a connection (a dong has none "
        "of its own: cases carry their gu's code)."
    )
    async def cases(
        self,
        info: Info,
        status: list[Annotated[CaseStatus, strawberry.lazy("resolvers.services.types")]]
        | None = None,
        service_code: list[str] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Annotated[Case, strawberry.lazy("resolvers.services.types")]]:
        from resolvers.services.types import Case

        context = info.context
        request = page_request(PageArgs(first, after, last, before), context.limits.max_page_size)
        filters = CaseFilters(tuple(service_code or ()), tuple(values(status or None) or ()))
        key = DistrictCasesKey(self.code, filters, request)
        nodes = await context.loader(CasePageByDistrictLoader).load(key)

        async def count() -> int:
            return await context.loader(CaseCountByDistrictLoader).load((self.code, filters))

        return connection(
            [Case.from_node(n) for n in nodes], [n["id"] for n in nodes], request, count=count
        )


@extends("Asset", keys=["id"])
class Asset:
    id: strawberry.ID


@extends("Citizen", keys=["id"])
class Citizen:
    id: strawberry.ID
