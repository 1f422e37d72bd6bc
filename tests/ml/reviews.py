"""Pending reviews for tests: one sample proposal of each kind, about a subject of its own."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from graph.records import Records
from graph.records.reviews import pending_reviews
from ml import review
from ml.review import MODEL_OF, ReviewKind

MODEL_VERSION = "20261130T090000Z-0123abcd"


async def pending_review(
    records: Records,
    kind: ReviewKind,
    *,
    district: str | None,
    at: datetime | None = None,
    subject: str | None = None,
    subject_prefix: str = "test",
    **proposal: Any,
) -> review.Review:
    """A new pending review of `kind` in gu `district` proposed `at` (default now) about
    `subject` (default a new one): a case routing to roads at 41 % unless `proposal` says
    otherwise, any other kind a score of 0.93."""
    if kind is ReviewKind.CASE_ROUTING:
        proposal = {"department": "roads", "confidence": 0.41, **proposal}
    proposed = await review.propose(
        records,
        kind=kind,
        model=MODEL_OF[kind],
        model_version=MODEL_VERSION,
        subject=subject or f"{subject_prefix}-{uuid.uuid4().hex[:12]}",
        proposal=proposal or {"score": 0.93},
        district_code=district,
        at=at,
    )
    assert proposed.created
    return proposed.review


async def queued(
    records: Records,
    *,
    kind: ReviewKind | None = None,
    district: str | None = None,
    model: str | None = None,
    after: tuple[datetime, str] | None = None,
    limit: int = 1000,
) -> list[review.Review]:
    """The pending reviews newest first, through the store's keyset listing (`reviewQueue`'s)."""
    rows = await pending_reviews(
        records,
        kind=kind.value if kind is not None else None,
        district_code=district,
        model=model,
        after=after,
        limit=limit,
    )
    return [review.Review.from_row(row) for row in rows]
