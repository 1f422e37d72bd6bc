"""The trust domain's errors: GraphQL errors for queries, a typed union member for mutations."""

from __future__ import annotations

from enum import StrEnum

import strawberry

from ledger.certificates import CertificateError
from ledger.documents import DocumentError
from ledger.errors import LedgerError
from resolvers.core.error_interface import Error, code_field
from resolvers.core.errors import ApiError, ApiErrorCode


def log_error(error: LedgerError, field: str) -> ApiError:
    """A request the log cannot answer (past its end, sizes out of order) as OUT_OF_RANGE."""
    return ApiError(ApiErrorCode.OUT_OF_RANGE, str(error), field)


@strawberry.enum
class TrustErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    ALREADY_REVOKED = "already_revoked"
    FORBIDDEN = "forbidden"


@strawberry.type(description="A user mistake in a trust mutation.")
class TrustError(Error):
    code: str = code_field("TrustErrorCode")

    @classmethod
    def of(cls, error: CertificateError | DocumentError) -> TrustError:
        if isinstance(error, DocumentError):
            return cls(code=TrustErrorCode.INVALID, field=error.field, message=str(error))
        return cls(code=TrustErrorCode(error.code.value), field=error.field, message=str(error))


def forbidden(action: str) -> TrustError:
    return TrustError(
        code=TrustErrorCode.FORBIDDEN, field=None, message=f"{action} needs the operator tier"
    )
