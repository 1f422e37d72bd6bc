"""`rejectReview`: an analyst stops a held model output; a routing gets the right department."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.analytics.errors import AnalyticsError
from resolvers.analytics.mutations.decision import DecideReviewSuccess, decide
from resolvers.core.info import Info


@strawberry.input
class RejectReviewInput:
    id: strawberry.ID
    note: str = strawberry.field(
        default="", description="Why, for the record (at most 2,000 characters)."
    )
    department: str | None = strawberry.field(
        default=None,
        description="A rejected case routing's department instead (a department id, other "
        "than the one proposed): required for a CASE_ROUTING review, refused for the others.",
    )


RejectReviewResult = Annotated[
    DecideReviewSuccess | AnalyticsError, strawberry.union("RejectReviewResult")
]


async def reject_review(info: Info, input: RejectReviewInput) -> RejectReviewResult:
    correction = {"department": input.department} if input.department is not None else None
    return await decide(
        info,
        "rejecting a review",
        input.id,
        approve=False,
        note=input.note,
        correction=correction,
    )
