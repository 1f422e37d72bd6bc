"""Loaders of the services domain: cases, departments and case events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graph.query import Hop, NodeQuery
from graph.records.case_events import CaseEventRow, events_by_case
from graph.records.reviews import ReviewRow, pending_by_subject
from graph.store import Node
from resolvers.core.context import Context
from resolvers.core.dataloaders import ContextLoader, NeighborsByKeyLoader, NodeByKeyLoader
from resolvers.core.pagination import PageRequest


class CaseByIdLoader(NodeByKeyLoader):
    label = "Case"


class DepartmentByIdLoader(NodeByKeyLoader):
    label = "Department"


class DepartmentByCaseLoader(NeighborsByKeyLoader):
    hop = Hop("ASSIGNED_TO", "Case", "Department")


class AssetByCaseLoader(NeighborsByKeyLoader):
    hop = Hop("CONCERNS", "Case", "Asset")


class FilerByCaseLoader(NeighborsByKeyLoader):
    hop = Hop("FILED", "Case", "Citizen", direction="in")


class EventsByCaseLoader(ContextLoader[str, list[CaseEventRow]]):
    async def batch_load(self, keys: list[str]) -> Sequence[list[CaseEventRow]]:
        found = await events_by_case(self.context.records, keys)
        return [found[k] for k in keys]


class PendingRoutingReviewByCaseLoader(ContextLoader[str, ReviewRow | None]):
    """Each case's pending case_routing review (None when its department is final): one
    records query for the batch."""

    async def batch_load(self, keys: list[str]) -> Sequence[ReviewRow | None]:
        found = await pending_by_subject(self.context.records, "case_routing", keys)
        return [found.get(k) for k in keys]


@dataclass(frozen=True)
class CaseFilters:
    """The filters of `District.cases` other than the district (each empty for any value)."""

    service_code: tuple[str, ...] = ()
    status: tuple[str, ...] = ()

    def equals(self) -> dict[str, list[str]]:
        columns = {"service_code": list(self.service_code), "status": list(self.status)}
        return {name: vals for name, vals in columns.items() if vals}


@dataclass(frozen=True)
class DistrictCasesKey:
    """One district's page of cases: its code, the filters and the checked page."""

    district_code: str
    filters: CaseFilters
    page: PageRequest


MAX_DISTRICTS_PER_QUERY = 100
"""Districts whose pages one statement reads (one `UNION ALL` branch each): 100
representations are one query; every dong of the city (467) is five."""


class CasePageByDistrictLoader(ContextLoader[DistrictCasesKey, list[Node]]):
    """Each district's page of cases (up to size + 1 nodes in paging order, as `connection`
    takes them): one store query for the districts asked with the same filters and page."""

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.max_batch_size = MAX_DISTRICTS_PER_QUERY

    async def batch_load(self, keys: list[DistrictCasesKey]) -> Sequence[list[Node]]:
        found: dict[DistrictCasesKey, list[Node]] = {}
        for filters, page in dict.fromkeys((k.filters, k.page) for k in keys):
            codes = [k.district_code for k in keys if (k.filters, k.page) == (filters, page)]
            query = NodeQuery(
                "Case",
                filters.equals(),
                after=page.after,
                before=page.before,
                limit=page.size + 1,
                descending=page.backward,
            )
            pages = await self.context.store.find_nodes_each(query, "district_code", codes)
            found.update((DistrictCasesKey(c, filters, page), pages[c]) for c in codes)
        return [found[key] for key in keys]


class CaseCountByDistrictLoader(ContextLoader[tuple[str, CaseFilters], int]):
    """How many cases of each district match the filters: one grouped count per filter set."""

    async def batch_load(self, keys: list[tuple[str, CaseFilters]]) -> Sequence[int]:
        found: dict[tuple[str, CaseFilters], int] = {}
        for filters in dict.fromkeys(f for _, f in keys):
            codes = list(dict.fromkeys(c for c, f in keys if f == filters))
            equals = {"district_code": codes, **filters.equals()}
            counts = await self.context.store.count_grouped("Case", "district_code", equals, {})
            found.update(((c, filters), counts.get(c, 0)) for c in codes)
        return [found[key] for key in keys]
