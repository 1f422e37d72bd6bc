"""What approving and rejecting share: the tier check, the decision through ml.review, the
refusal as a typed error."""

from __future__ import annotations

from collections.abc import Mapping

import strawberry

from ml import review as queue
from ml.review import ReviewError
from resolvers.analytics.errors import AnalyticsError, forbidden, is_analyst
from resolvers.analytics.review_types import Review
from resolvers.core.info import Info


@strawberry.type(description="The review as decided, with the decision's log leaf.")
class DecideReviewSuccess:
    review: Review


async def decide(
    info: Info,
    action: str,
    review_id: strawberry.ID,
    *,
    approve: bool,
    note: str,
    correction: Mapping[str, str] | None = None,
) -> DecideReviewSuccess | AnalyticsError:
    """Decide review `review_id` as the caller: FORBIDDEN below the analyst tier, else
    ml.review.decide (one log leaf and the review's row, committed together) recorded under
    the caller's key id; each of its refusals returned with its own code."""
    context = info.context
    if not is_analyst(info):
        return forbidden(action)
    try:
        decided = await queue.decide(
            context.the_log(),
            str(review_id),
            approve,
            by=context.caller_key or "",
            note=note,
            correction=correction,
        )
    except ReviewError as error:
        return AnalyticsError.of(error)
    return DecideReviewSuccess(review=Review.of(decided))
