"""GraphQL types of the review queue: a model output held back until an analyst decides."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from ml.review import Review as DomainReview
from ml.review import ReviewKind, ReviewStatus
from resolvers.analytics.dataloaders import ReviewByIdLoader
from resolvers.analytics.errors import require_analyst
from resolvers.analytics.views import District, LogEntry
from resolvers.core.errors import not_found
from resolvers.core.info import Info

strawberry.enum(ReviewKind, description="What a review holds back, and so which model made it.")
strawberry.enum(ReviewStatus, description="Where a review stands.")


@strawberry.federation.type(
    keys=["id"],
    description="A model output that affects people (a low-confidence routing, a patrol "
    "allocation, an outbreak or water alarm), held until an analyst approves or rejects it: "
    "analyst tier or above.",
)
class Review:
    id: strawberry.ID
    kind: ReviewKind
    model: str = strawberry.field(description="The model that proposed it (ml.registry.MODELS).")
    model_version: str = strawberry.field(description="The version that proposed it.")
    subject: str = strawberry.field(
        description="What the output is about: a case id, `<gu>/<syndrome>`, a shift's cells."
    )
    district_code: str | None = strawberry.field(description="Its gu's code, if it has one.")
    proposal: JSON = strawberry.field(
        description="The model's output as JSON (numbers as decimal strings)."
    )
    proposal_sha256: str = strawberry.field(
        description="SHA-256 of the proposal's canonical JSON, hex: the decision's log entry "
        "names the proposal by it."
    )
    status: ReviewStatus
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None = strawberry.field(
        description="The API key id (public prefix) of the analyst who decided."
    )
    note: str | None = strawberry.field(description="The analyst's note, once decided.")
    corrected_department: str | None = strawberry.field(
        description="A rejected routing's department chosen by the analyst instead."
    )
    leaf_index: int | None = strawberry.field(
        description="The decision's leaf in the verifiable log (`logEntry(index:)`)."
    )

    @strawberry.field(description="Its gu, if it has one.")
    def district(self) -> District | None:
        return District(code=self.district_code) if self.district_code is not None else None

    @strawberry.field(
        description="The decision's leaf in the verifiable log, with its proof; null while pending."
    )
    def decision_entry(self) -> LogEntry | None:
        return LogEntry(index=self.leaf_index) if self.leaf_index is not None else None

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Review:
        """Federation's `_entities` door: analyst tier, like every way to a review."""
        return await review_by_id(info, str(id))

    @classmethod
    def of(cls, review: DomainReview) -> Review:
        decision = review.decision or {}
        correction = decision.get("correction") or {}
        return cls(
            id=strawberry.ID(review.review_id),
            kind=review.kind,
            model=review.model,
            model_version=review.model_version,
            subject=review.subject,
            district_code=review.district_code,
            proposal=JSON(dict(review.proposal)),
            proposal_sha256=review.proposal_sha256,
            status=review.status,
            created_at=review.created_at,
            decided_at=review.decided_at,
            decided_by=review.decided_by,
            note=decision.get("note") if review.decision is not None else None,
            corrected_department=correction.get("department"),
            leaf_index=review.leaf_index,
        )


async def review_by_id(info: Info, review_id: str) -> Review:
    """A review by id, pending or decided. Raises FORBIDDEN below the analyst tier, NOT_FOUND
    for an id that names none."""
    require_analyst(info, "review")
    found = await info.context.loader(ReviewByIdLoader).load(review_id)
    if found is None:
        raise not_found("review", review_id, "id")
    return Review.of(found)
