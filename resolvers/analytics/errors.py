"""The analytics domain's errors: a typed union member for mutations, ApiError for queries.

Every refusal of the review queue (ml.review.ReviewError) keeps its code: a mutation returns it
as `AnalyticsError.code`, a query raises it as an ApiError with the matching `extensions.code`.
"""

from __future__ import annotations

from enum import StrEnum

import strawberry

from graph.records.api_keys import Tier
from ml.review import ReviewError, ReviewErrorCode
from resolvers.core.error_interface import Error, code_field
from resolvers.core.errors import ApiError, ApiErrorCode
from resolvers.core.info import Info


@strawberry.enum
class AnalyticsErrorCode(StrEnum):
    """Why an analytics mutation was refused: each ml.review.ReviewErrorCode, and FORBIDDEN."""

    NOT_FOUND = ReviewErrorCode.NOT_FOUND.value
    ALREADY_DECIDED = ReviewErrorCode.ALREADY_DECIDED.value
    INVALID_CORRECTION = ReviewErrorCode.INVALID_CORRECTION.value
    NOTE_TOO_LONG = ReviewErrorCode.NOTE_TOO_LONG.value
    INVALID_DECIDER = ReviewErrorCode.INVALID_DECIDER.value
    INVALID_PROPOSAL = ReviewErrorCode.INVALID_PROPOSAL.value
    INVALID_CURSOR = ReviewErrorCode.INVALID_CURSOR.value
    FORBIDDEN = "forbidden"


FIELDS = {"id": "id", "note": "note", "correction": "department", "by": None}
"""ml.review's field names in the API's spelling: a rejected routing's correction is the
`department` input; the decider is the caller's key, no input of theirs."""


def api_field(field: str | None) -> str | None:
    """The input field the caller can fix for ml.review's `field` (None: the whole operation)."""
    return FIELDS.get(field, field) if field is not None else None


@strawberry.type(description="A refused analytics mutation: a bad input, or a decision too late.")
class AnalyticsError(Error):
    code: str = code_field("AnalyticsErrorCode")

    @classmethod
    def of(cls, error: ReviewError) -> AnalyticsError:
        """The review queue's refusal with its own code, its field in the API's spelling."""
        return cls(
            code=AnalyticsErrorCode(error.code.value),
            field=api_field(error.field),
            message=str(error),
        )


def forbidden(action: str) -> AnalyticsError:
    """The refusal of a mutation below the analyst tier."""
    return AnalyticsError(
        code=AnalyticsErrorCode.FORBIDDEN, field=None, message=f"{action} needs the analyst tier"
    )


def is_analyst(info: Info) -> bool:
    """Whether the caller may read and decide reviews: analyst tier or above."""
    return info.context.tier.at_least(Tier.ANALYST)


def require_analyst(info: Info, name: str) -> None:
    """Raises FORBIDDEN (a query's error, on field `name`) below the analyst tier."""
    if not is_analyst(info):
        raise ApiError(
            ApiErrorCode.FORBIDDEN, f"{name} is for analysts: analyst tier or above", name
        )
