"""Queries and mutations of the analytics domain: the models, their predictions and the review
queue."""

from __future__ import annotations

import strawberry

from ml.registry import MODELS
from ml.review import ReviewKind
from resolvers.analytics import mutations
from resolvers.analytics.dataloaders import ServingModelByNameLoader
from resolvers.analytics.prediction_types import Prediction, PredictionConnection, PredictionKind
from resolvers.analytics.predictions import prediction_history, predictions
from resolvers.analytics.queue import review_queue
from resolvers.analytics.review_types import Review, review_by_id
from resolvers.analytics.types import Model, model_named
from resolvers.core.info import Info
from resolvers.core.pagination import Connection


@strawberry.type(name="Query")
class AnalyticsQuery:
    @strawberry.field(
        description="The city's four models (routing, water, outbreak, hotspots), each with its "
        "serving version and model card, or `trained: false` and how to train it."
    )
    async def models(self, info: Info) -> list[Model]:
        loaded = await info.context.loader(ServingModelByNameLoader).load_many(list(MODELS))
        return [Model.of(name, found) for name, found in zip(MODELS, loaded, strict=True)]

    @strawberry.field(description="One model by name (NOT_FOUND for a name that is none).")
    async def model(self, info: Info, name: str) -> Model:
        return await model_named(info, name)

    @strawberry.field(
        description="Model outputs waiting for an analyst, newest first (analyst tier), by "
        "kind, gu (`district`, a gu code) and model; `first` of them (default 20) after the "
        "cursor `after`."
    )
    async def review_queue(
        self,
        info: Info,
        kind: ReviewKind | None = None,
        district: str | None = None,
        model: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Review]:
        return await review_queue(info, kind, district, model, first, after)

    @strawberry.field(description="A review by id, pending or decided (analyst tier).")
    async def review(self, info: Info, id: strawberry.ID) -> Review:
        return await review_by_id(info, str(id))

    @strawberry.field(
        description="The newest scored window of a kind (of one gu, when `district`, a gu "
        "code, is given), highest score first (analyst tier): only alarms with `alarmsOnly`; "
        "`first` of them (default 20) after the cursor `after`."
    )
    async def predictions(
        self,
        info: Info,
        kind: PredictionKind,
        district: str | None = None,
        alarms_only: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> PredictionConnection:
        return await predictions(info, kind, district, alarms_only, first, after)

    @strawberry.field(
        description="One subject's windows of a kind that started in the last `hours` hours "
        "(1 to 336), oldest first (analyst tier)."
    )
    async def prediction_history(
        self, info: Info, kind: PredictionKind, subject: str, hours: int = 48
    ) -> list[Prediction]:
        return await prediction_history(info, kind, subject, hours)


@strawberry.type(name="Mutation")
class AnalyticsMutation:
    approve_review: mutations.ApproveReviewResult = strawberry.mutation(
        resolver=mutations.approve_review,
        description="Approve a held model output: one log entry (analyst tier).",
    )
    reject_review: mutations.RejectReviewResult = strawberry.mutation(
        resolver=mutations.reject_review,
        description="Reject a held model output, naming a routing's right department: one log "
        "entry (analyst tier).",
    )
