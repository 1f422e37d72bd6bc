"""The API keys' errors: a typed union member for mutations, ApiError for queries.

Every refusal of graph/records' key functions (KeyRefusal) keeps its code: a mutation returns
it as `ApiKeyError.code`, with FORBIDDEN (below the tier an operation needs) and KEY_REQUIRED
(an operation on the calling key, called without one) added here. No message quotes a contact.
"""

from __future__ import annotations

from enum import StrEnum

import strawberry

from graph.records.api_keys import KeyErrorCode, KeyRefusal, Tier
from resolvers.core.error_interface import Error, code_field
from resolvers.core.errors import ApiError, ApiErrorCode
from resolvers.core.info import Info


@strawberry.enum
class ApiKeyErrorCode(StrEnum):
    """Why a key mutation was refused: each graph.records KeyErrorCode, FORBIDDEN and
    KEY_REQUIRED."""

    INVALID = KeyErrorCode.INVALID.value
    UNSTORABLE_TEXT = KeyErrorCode.UNSTORABLE_TEXT.value
    INVALID_CONTACT = KeyErrorCode.INVALID_CONTACT.value
    TIER_NOT_GRANTABLE = KeyErrorCode.TIER_NOT_GRANTABLE.value
    TOO_MANY_PENDING = KeyErrorCode.TOO_MANY_PENDING.value
    QUEUE_FULL = KeyErrorCode.QUEUE_FULL.value
    NOT_FOUND = KeyErrorCode.NOT_FOUND.value
    ALREADY_DECIDED = KeyErrorCode.ALREADY_DECIDED.value
    INVALID_TOKEN = KeyErrorCode.INVALID_TOKEN.value
    ALREADY_CLAIMED = KeyErrorCode.ALREADY_CLAIMED.value
    REVOKED = KeyErrorCode.REVOKED.value
    FORBIDDEN = "forbidden"
    KEY_REQUIRED = "key_required"


@strawberry.type(description="A refused key mutation: a bad input, a decision too late, a tier.")
class ApiKeyError(Error):
    code: str = code_field("ApiKeyErrorCode")

    @classmethod
    def of(cls, error: KeyRefusal) -> ApiKeyError:
        """The records' refusal with its own code and field."""
        return cls(code=ApiKeyErrorCode(error.code.value), field=error.field, message=str(error))


def forbidden(action: str) -> ApiKeyError:
    """The refusal of an operator's mutation below the operator tier."""
    return ApiKeyError(
        code=ApiKeyErrorCode.FORBIDDEN, field=None, message=f"{action} needs the operator tier"
    )


def key_required(action: str) -> ApiKeyError:
    """The refusal of a mutation on the calling key, called without a key."""
    return ApiKeyError(
        code=ApiKeyErrorCode.KEY_REQUIRED,
        field=None,
        message=f"{action} acts on the calling key: send it as X-API-Key",
    )


def is_operator(info: Info) -> bool:
    return info.context.tier.at_least(Tier.OPERATOR)


def require_operator(info: Info, name: str) -> None:
    """Raises FORBIDDEN (a query's error, on field `name`) below the operator tier."""
    if not is_operator(info):
        raise ApiError(ApiErrorCode.FORBIDDEN, f"{name} is for operators: operator tier", name)
