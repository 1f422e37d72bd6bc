"""Error codes the API promises, and the GraphQL errors that carry them in `extensions.code`."""

from __future__ import annotations

from enum import StrEnum

import strawberry
from graphql import GraphQLError

from graph.errors import CivicGraphError


@strawberry.enum
class ApiErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    BAD_CURSOR = "bad_cursor"
    OUT_OF_RANGE = "out_of_range"
    WINDOW_TOO_LARGE = "window_too_large"
    FORBIDDEN = "forbidden"
    UNAUTHENTICATED = "unauthenticated"
    RATE_LIMITED = "rate_limited"
    TOO_MANY_SUBSCRIPTIONS = "too_many_subscriptions"
    QUERY_TOO_COSTLY = "query_too_costly"
    TOO_MANY_WRITES = "too_many_writes"
    SERVICE_UNAVAILABLE = "service_unavailable"
    """A store the field reads cannot be reached now (StoreUnavailable): retry after
    `extensions.retryAfter` seconds; nothing about the request was wrong."""


RETRY_AFTER_OUTAGE_S = 5
"""Seconds a client is asked to wait before retrying while a store cannot be reached (the
GraphQL `retryAfter`, HTTP `Retry-After` of a 503, as for persisted documents)."""
STORES_UNAVAILABLE = "the city's stores cannot be reached now; try again shortly"
"""What a caller is told of an outage: the store's address and the driver's words are logged,
never shown (they name hosts and databases)."""


MAX_MESSAGE_CHARS = 1000
"""Longest message of an ApiError: whatever value of the caller's it quotes, an answer's errors
stay small."""


class ApiError(GraphQLError, CivicGraphError):
    """A user mistake in a query's arguments: shown to the caller with its code. A GraphQL
    error (graphql-core shows its message and extensions) and, like every project error, a
    CivicGraphError."""

    def __init__(self, code: ApiErrorCode, message: str, field: str | None = None) -> None:
        extensions: dict[str, object] = {"code": code.value}
        if field is not None:
            extensions["field"] = field
        if len(message) > MAX_MESSAGE_CHARS:  # a message quoting a caller's huge value
            message = message[: MAX_MESSAGE_CHARS - 1] + "…"
        super().__init__(message, extensions=extensions)
        self.code = code
        self.field = field


def quoted(value: object, limit: int = 80) -> str:
    """`repr(value)` for a message, at most `limit` characters (a caller's value may be 1 MB)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def not_found(kind: str, key: str, field: str) -> ApiError:
    return ApiError(ApiErrorCode.NOT_FOUND, f"no {kind} {quoted(key)}", field)
