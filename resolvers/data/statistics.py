"""The catalogue's indicators: datasets in the catalogue, published and modified today, and
how many each theme and each publisher holds.

Each figure is one count in the graph store, run only when asked for. Datasets are not
people: no cell is withheld. "Today" is the calendar day in Asia/Seoul at the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import strawberry

from graph.city_day import city_day, day_span
from graph.ontology import DATASET_THEMES
from graph.query import NodeQuery
from graph.records.api_usage import calls_on, epoch_day
from resolvers.core.info import Info
from resolvers.core.statistics import KeyCount, cells


@dataclass(frozen=True)
class Day:
    """One calendar day as an inclusive range of instants in UTC: [start, end]."""

    start: datetime
    end: datetime

    @classmethod
    def in_seoul(cls, now: datetime) -> Day:
        """The Asia/Seoul calendar day holding `now` (aware), from 00:00 to its last microsecond."""
        start, following = day_span(city_day(now))
        return cls(start, following - timedelta(microseconds=1))


@strawberry.type(
    description="Catalogue indicators: datasets published, by theme and by publisher. Counts "
    "of datasets (not people), never withheld; today is the calendar day in Asia/Seoul."
)
class CatalogueStatistics:
    today: strawberry.Private[Day]

    @strawberry.field(description="Datasets in the catalogue.")
    async def datasets(self, info: Info) -> int:
        return await info.context.store.count_nodes(NodeQuery("Dataset"))

    @strawberry.field(description="Datasets first issued (dct:issued) today, Asia/Seoul.")
    async def published_today(self, info: Info) -> int:
        return await self._on_day(info, "issued")

    @strawberry.field(description="Datasets last modified (dct:modified) today, Asia/Seoul.")
    async def modified_today(self, info: Info) -> int:
        return await self._on_day(info, "modified")

    @strawberry.field(
        description="API calls served today (Asia/Seoul), every caller together, as of each "
        "worker's last flush (CIVIC_USAGE_FLUSH_SECONDS)."
    )
    async def api_calls_today(self, info: Info) -> int:
        return await calls_on(info.context.records, epoch_day(city_day(self.today.start)))

    @strawberry.field(
        description="Datasets per theme (dcat:theme): every theme of `datasetThemes` in its "
        "order, 0 included, then any other theme found, by name."
    )
    async def by_theme(self, info: Info) -> list[KeyCount]:
        counted = await info.context.store.count_grouped("Dataset", "theme", {}, {})
        keys = [*DATASET_THEMES, *sorted(set(counted) - set(DATASET_THEMES))]
        return cells([(key, counted.get(key, 0)) for key in keys], sees_small_cells=True)

    @strawberry.field(
        description="Datasets per publisher (dct:publisher, a department id), most first, "
        "then by id; publishers without datasets are absent."
    )
    async def by_publisher(self, info: Info) -> list[KeyCount]:
        counted = await info.context.store.count_grouped("Dataset", "publisher_code", {}, {})
        ordered = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
        return cells(ordered, sees_small_cells=True)

    async def _on_day(self, info: Info, prop: str) -> int:
        query = NodeQuery("Dataset", ranges={prop: (self.today.start, self.today.end)})
        return await info.context.store.count_nodes(query)


def catalogue_statistics(now: datetime) -> CatalogueStatistics:
    """The indicators as of `now` (aware): each figure is counted when it is resolved."""
    return CatalogueStatistics(today=Day.in_seoul(now))
