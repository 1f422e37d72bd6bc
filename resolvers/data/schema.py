"""Queries and mutations of the data domain: the catalogue, and the self-service API keys."""

from __future__ import annotations

import strawberry

from graph.ontology import DATASET_THEMES
from graph.records.api_key_requests import RequestStatus
from resolvers.core import clock
from resolvers.core.arguments import equals_map
from resolvers.core.errors import ApiError, ApiErrorCode, not_found
from resolvers.core.info import Info
from resolvers.core.listing import node_page
from resolvers.core.pagination import Connection, PageArgs
from resolvers.data import mutations
from resolvers.data.dataloaders import DatasetByIdLoader
from resolvers.data.filters import DatasetFilter
from resolvers.data.key_queries import api_key, api_key_requests
from resolvers.data.key_types import ApiKey, ApiKeyRequest, ApiKeyRequestStatus
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

    @strawberry.field(
        description="The calling key (null without one); with `prefix`, that key: the "
        "caller's own at any tier, any key for an operator."
    )
    async def api_key(self, info: Info, prefix: str | None = None) -> ApiKey | None:
        return await api_key(info, prefix)

    @strawberry.field(
        description="Key requests, oldest first (operator tier): those of `status` (default "
        "PENDING; null: all), `first` of them (default 20) after the cursor `after`."
    )
    async def api_key_requests(
        self,
        info: Info,
        status: ApiKeyRequestStatus | None = RequestStatus.PENDING,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ApiKeyRequest]:
        return await api_key_requests(info, status, first, after)

    api_usage: ApiUsage = strawberry.field(
        resolver=api_usage,
        description="API calls over Seoul days [from, to] (at most 92), grouped by day, key, "
        "operation and dataset touched, as of each worker's last flush. A key sees its own "
        "calls; an operator every key's (or one, by `key`); no key: `forbidden`.",
    )


@strawberry.type(name="Mutation")
class DataMutation:
    request_api_key: mutations.RequestApiKeyResult = strawberry.mutation(
        resolver=mutations.request_api_key,
        description="Ask for an API key (no key needed): a pending request and its claim "
        "token, shown once.",
    )
    claim_api_key: mutations.ClaimApiKeyResult = strawberry.mutation(
        resolver=mutations.claim_api_key,
        description="Where a key request stands; once approved, its key's secret, shown to "
        "the first claim only.",
    )
    approve_api_key_request: mutations.ApproveApiKeyRequestResult = strawberry.mutation(
        resolver=mutations.approve_api_key_request,
        description="Approve a pending key request, optionally with another tier (operator tier).",
    )
    reject_api_key_request: mutations.RejectApiKeyRequestResult = strawberry.mutation(
        resolver=mutations.reject_api_key_request,
        description="Reject a pending key request, saying why (operator tier).",
    )
    rotate_api_key: mutations.RotateApiKeyResult = strawberry.mutation(
        resolver=mutations.rotate_api_key,
        description="A new secret for the calling key (same prefix); the old one stops working.",
    )
    revoke_api_key: mutations.RevokeApiKeyResult = strawberry.mutation(
        resolver=mutations.revoke_api_key,
        description="Revoke the calling key, or as an operator any key by prefix.",
    )
    set_api_key_tier: mutations.SetApiKeyTierResult = strawberry.mutation(
        resolver=mutations.set_api_key_tier,
        description="Give a live key another tier (operator tier).",
    )
