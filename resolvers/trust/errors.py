"""The trust domain's errors as GraphQL errors with a code."""

from __future__ import annotations

from ledger.errors import LedgerError
from resolvers.core.errors import ApiError, ApiErrorCode


def log_error(error: LedgerError, field: str) -> ApiError:
    """A request the log cannot answer (past its end, sizes out of order) as OUT_OF_RANGE."""
    return ApiError(ApiErrorCode.OUT_OF_RANGE, str(error), field)
