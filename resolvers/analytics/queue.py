"""`reviewQueue`: the pending reviews as a Relay connection, newest first.

Keyset pages on (created_at, review_id), the queue's index order (graph/records/reviews.py): a
review decided while an analyst pages on leaves the next pages as they were. A cursor is that
key, wrapped as every cursor of the API is (resolvers/core/pagination.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from graph.records.reviews import count_pending, pending_reviews
from ml.errors import UnknownModel
from ml.registry import check_name
from ml.review import InvalidCursor, Review, ReviewKind, queue_key_of
from resolvers.analytics.errors import require_analyst
from resolvers.analytics.review_types import Review as ReviewType
from resolvers.core.arguments import checked_districts
from resolvers.core.context import Context
from resolvers.core.errors import ApiError, ApiErrorCode, not_found
from resolvers.core.info import Info
from resolvers.core.pagination import Connection, PageArgs, connection, page_request


def queue_key(review: Review) -> str:
    """A review's place in the queue: `<created_at, UTC ISO 8601>|<review id>`."""
    return f"{review.created_at.astimezone(UTC).isoformat()}|{review.review_id}"


def key_after(key: str) -> tuple[datetime, str]:
    """The (created_at, review_id) of a `queue_key`. Raises BAD_CURSOR on `after` for any
    other text (a cursor of another connection, or made by hand)."""
    try:
        return queue_key_of(key)
    except InvalidCursor as error:
        raise ApiError(ApiErrorCode.BAD_CURSOR, str(error), "after") from None


async def review_queue(
    info: Info,
    kind: ReviewKind | None = None,
    district: str | None = None,
    model: str | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Connection[ReviewType]:
    """Pending reviews, newest first. Raises FORBIDDEN below the analyst tier, NOT_FOUND for a
    gu or model that is none, OUT_OF_RANGE for `first`, BAD_CURSOR for `after`."""
    require_analyst(info, "reviewQueue")
    context = info.context
    request = page_request(PageArgs(first=first, after=after), context.limits.max_page_size)
    start = key_after(request.after) if request.after is not None else None
    if district is not None:
        await checked_districts(context, [district])
    if model is not None:
        try:
            check_name(model)
        except UnknownModel:
            raise not_found("model", model, "model") from None
    kind_value = kind.value if kind is not None else None
    rows = await pending_reviews(
        context.records,
        kind=kind_value,
        district_code=district,
        model=model,
        after=start,
        limit=request.size + 1,
    )
    reviews = [Review.from_row(row) for row in rows]

    async def count() -> int:
        return await count_queue(context, kind, district, model)

    return connection(
        [ReviewType.of(r) for r in reviews], [queue_key(r) for r in reviews], request, count=count
    )


async def count_queue(
    context: Context, kind: ReviewKind | None, district: str | None, model: str | None
) -> int:
    """How many reviews are pending under the filter: one grouped count in the records."""
    by_kind = await count_pending(context.records, district_code=district, model=model)
    return by_kind.get(kind.value, 0) if kind is not None else sum(by_kind.values())
