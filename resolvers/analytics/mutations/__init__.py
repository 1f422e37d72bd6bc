"""Mutations of the analytics domain, one per module."""

from resolvers.analytics.mutations.review_approve import (
    ApproveReviewInput,
    ApproveReviewResult,
    approve_review,
)
from resolvers.analytics.mutations.review_reject import (
    RejectReviewInput,
    RejectReviewResult,
    reject_review,
)

__all__ = [
    "ApproveReviewInput",
    "ApproveReviewResult",
    "RejectReviewInput",
    "RejectReviewResult",
    "approve_review",
    "reject_review",
]
