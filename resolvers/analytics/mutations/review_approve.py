"""`approveReview`: an analyst lets a held model output go ahead (analyst tier)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.analytics.errors import AnalyticsError
from resolvers.analytics.mutations.decision import DecideReviewSuccess, decide
from resolvers.core.info import Info


@strawberry.input
class ApproveReviewInput:
    id: strawberry.ID
    note: str = strawberry.field(
        default="", description="Why, for the record (at most 2,000 characters)."
    )


ApproveReviewResult = Annotated[
    DecideReviewSuccess | AnalyticsError, strawberry.union("ApproveReviewResult")
]


async def approve_review(info: Info, input: ApproveReviewInput) -> ApproveReviewResult:
    return await decide(info, "approving a review", input.id, approve=True, note=input.note)
