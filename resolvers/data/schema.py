"""Queries of the data catalogue."""

from __future__ import annotations

import strawberry

from graph.ontology import DATASET_THEMES
from resolvers.core import clock
from resolvers.core.arguments import equals_map
from resolvers.core.errors import ApiError, ApiErrorCode, not_found
from resolvers.core.info import Info
from resolvers.core.listing import node_page
from resolvers.core.pagination import Connection, PageArgs
from resolvers.data.dataloaders import DatasetByIdLoader
from resolvers.data.filters import DatasetFilter
from resolvers.data.statistics import CatalogueStatistics, catalogue_statistics
from resolvers.data.types import Dataset
from resolvers.data.usage import ApiUsage, api_usage


@strawberry.type(name="Query")
class DataQuery:
    @strawberry.field(description="The open-data catalogue, filtered by theme and publisher.")
    async def datasets(
        self,
        info: Info,
        filter: DatasetFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Dataset]:
        f = filter or DatasetFilter()
        for theme in f.theme or []:
            if theme not in DATASET_THEMES:
                raise ApiError(
                    ApiErrorCode.INVALID,
                    f"unknown theme {theme!r}; one of {', '.join(DATASET_THEMES)}",
                    "theme",
                )
        equals = equals_map(
            theme=list(f.theme or []) or None, publisher_code=list(f.publisher or []) or None
        )
        page = await node_page(
            info.context,
            "Dataset",
            Dataset.from_node,
            equals=equals,
            page=PageArgs(first, after, last, before),
        )
        for edge in page.edges:  # each catalogue entry read is a call of that dataset
            info.context.usage.touch(edge.node.id)
        return page

    @strawberry.field(
        description="Catalogue indicators: datasets published, by theme (and by publisher)."
    )
    def catalogue_statistics(self) -> CatalogueStatistics:
        return catalogue_statistics(clock.utc_now())

    @strawberry.field(description="The theme names of the catalogue.")
    def dataset_themes(self) -> list[str]:
        return list(DATASET_THEMES)

    @strawberry.field
    async def dataset(self, info: Info, id: strawberry.ID) -> Dataset:
        node = await info.context.loader(DatasetByIdLoader).load(id)
        if node is None:
            raise not_found("dataset", id, "id")
        info.context.usage.touch(node["id"])
        return Dataset.from_node(node)

    api_usage: ApiUsage = strawberry.field(
        resolver=api_usage,
        description="API calls over Seoul days [from, to] (at most 92), grouped by day, key, "
        "operation and dataset touched, as of each worker's last flush. A key sees its own "
        "calls; an operator every key's (or one, by `key`); no key: `forbidden`.",
    )
