"""Queries and mutations of the services domain."""

from __future__ import annotations

import strawberry

from graph.catalogue import services
from graph.query import NodeQuery
from resolvers.core.arguments import values
from resolvers.core.errors import not_found
from resolvers.core.info import Info
from resolvers.core.listing import located_page
from resolvers.core.pagination import Connection, PageArgs
from resolvers.services import mutations
from resolvers.services.dataloaders import CaseByIdLoader
from resolvers.services.filters import CaseFilter
from resolvers.services.statistics import CaseStatistics, case_statistics
from resolvers.services.types import Case, Department, Service


@strawberry.type(name="Query")
class ServicesQuery:
    @strawberry.field(description="Complaints (Open311 requests), filtered, as a connection.")
    async def cases(
        self,
        info: Info,
        filter: CaseFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Case]:
        f = filter or CaseFilter()
        codes, statuses = list(f.service_code or []) or None, values(f.status or None)
        return await located_page(
            info.context,
            "Case",
            Case.from_node,
            f,
            page=PageArgs(first, after, last, before),
            service_code=codes,
            status=statuses,
        )

    @strawberry.field(name="case")
    async def case_(self, info: Info, id: strawberry.ID) -> Case:
        node = await info.context.loader(CaseByIdLoader).load(id)
        if node is None:
            raise not_found("case", id, "id")
        return Case.from_node(node)

    @strawberry.field(description="The Open311 services: what residents can report.")
    def services(self) -> list[Service]:
        return [Service.from_catalogue(s) for s in services()]

    case_statistics: CaseStatistics = strawberry.field(
        resolver=case_statistics,
        description="Case indicators, city-wide or for one gu (its 5-digit code).",
    )

    @strawberry.field(description="City bureaus and gu offices.")
    async def departments(self, info: Info) -> list[Department]:
        return [
            Department.from_node(n)
            for n in await info.context.store.find_nodes(NodeQuery("Department"))
        ]


@strawberry.type(name="Mutation")
class ServicesMutation:
    file_case: mutations.FileCaseResult = strawberry.mutation(
        resolver=mutations.file_case, description="File a complaint (no key needed)."
    )
    update_case_status: mutations.UpdateCaseStatusResult = strawberry.mutation(
        resolver=mutations.update_case_status, description="Change a case's status (operator tier)."
    )
