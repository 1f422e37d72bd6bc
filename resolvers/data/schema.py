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
        return await node_page(
            info.context,
            "Dataset",
            Dataset.from_node,
            equals=equals,
            page=PageArgs(first, after, last, before),
        )

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
        return Dataset.from_node(node)
