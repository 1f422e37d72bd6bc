"""What approving and rejecting share: the tier check, the decision through ml.review, the
refusal as a typed error, and for a case routing the case's department.

A case_routing decision reaches its case in the decision's own records transaction: approving
writes an "assigned" event that keeps the proposed department (now final), rejecting one that
moves the case to the analyst's department, with the graph's `agency_responsible` and
ASSIGNED_TO written right after (`resolvers.core.case_assignment`, shared with the services
domain, which this domain does not import). A review about a case that does not exist is
decided without touching any case."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import strawberry
from tortoise.backends.base.client import BaseDBAsyncClient

from ml import review as queue
from ml.review import ReviewError, ReviewKind, ReviewStatus
from resolvers.analytics.errors import AnalyticsError, forbidden, is_analyst
from resolvers.analytics.review_types import Review
from resolvers.core.case_assignment import Reassignment, review_actor
from resolvers.core.context import Context
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
        moving = await _reassignment(context, str(review_id), approve, correction)

        async def write(client: BaseDBAsyncClient, leaf_index: int) -> None:
            if moving is not None:
                await moving.write(context.records, client)

        decided = await queue.decide(
            context.the_log(),
            str(review_id),
            approve,
            by=context.caller_key or "",
            note=note,
            correction=correction,
            then=write,
        )
    except ReviewError as error:
        return AnalyticsError.of(error)
    if moving is not None:
        await moving.apply(context)
    return DecideReviewSuccess(review=Review.of(decided))


async def _reassignment(
    context: Context, review_id: str, approve: bool, correction: Mapping[str, str] | None
) -> Reassignment | None:
    """What a decision on a pending case_routing review does to its case: the department it
    keeps (approved: the proposed one) or takes (rejected: the correction's, which
    ml.review.decide checks before anything is written). None for other kinds, decided
    reviews (decide refuses them) and reviews whose case does not exist. Raises ReviewNotFound."""
    review = await queue.get(context.records, review_id)
    if review.kind is not ReviewKind.CASE_ROUTING or review.status is not ReviewStatus.PENDING:
        return None
    [case] = await context.store.get_nodes("Case", [review.subject])
    if case is None:
        return None
    proposed = str(review.proposal.get("department", ""))
    department = proposed if approve else str((correction or {}).get("department", ""))
    verb = "approved" if approve else "rejected"
    return Reassignment(
        case,
        department,
        review_actor(review.review_id),
        f"routing {verb} by review",
        datetime.now(UTC),  # not the decision's second: the event must sort after the filing's
    )
