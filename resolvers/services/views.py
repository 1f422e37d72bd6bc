"""Services' views of entities the city domain owns: a district (to which services adds its
cases), an asset and a citizen, each by its key (resolvers/core/federation.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers.core.arguments import values
from resolvers.core.federation import extends
from resolvers.core.info import Info
from resolvers.core.listing import node_page
from resolvers.core.pagination import Connection, PageArgs

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

        equals = {
            "district_code": [self.code],
            "service_code": list(service_code or []),
            "status": values(status or None) or [],
        }
        return await node_page(
            info.context,
            "Case",
            Case.from_node,
            equals={name: vals for name, vals in equals.items() if vals},
            page=PageArgs(first, after, last, before),
        )


@extends("Asset", keys=["id"])
class Asset:
    id: strawberry.ID


@extends("Citizen", keys=["id"])
class Citizen:
    id: strawberry.ID
