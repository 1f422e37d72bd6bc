"""`apiKey` (the calling key, or any by prefix for an operator) and `apiKeyRequests` (the
operators' queue of key requests, a Relay connection oldest first).

Keyset pages on (created_at, request_id), the request table's index order: a request decided
while an operator pages on leaves the next pages as they were.
"""

from __future__ import annotations

from datetime import UTC, datetime

from graph.records.api_key_requests import (
    MAX_ID,
    RequestStatus,
    count_requests,
    list_requests,
)
from graph.records.api_keys import find_key
from resolvers.core.errors import ApiError, ApiErrorCode
from resolvers.core.info import Info
from resolvers.core.pagination import Connection, PageArgs, connection, page_request
from resolvers.data.key_errors import is_operator, require_operator
from resolvers.data.key_types import ApiKey, ApiKeyRequest

MAX_PREFIX = 16
"""Characters in a key prefix (8 hex digits today); a longer one names no key."""


async def api_key(info: Info, prefix: str | None) -> ApiKey | None:
    """The calling key (null without one), or with `prefix` the key of that prefix: the
    caller's own at any tier, any key for an operator (FORBIDDEN otherwise; NOT_FOUND for a
    prefix no key has)."""
    context = info.context
    wanted = prefix if prefix is not None else context.caller_key
    if wanted is None:
        return None
    if wanted != context.caller_key and not is_operator(info):
        raise ApiError(
            ApiErrorCode.FORBIDDEN, "another key than the calling one: operator tier", "prefix"
        )
    key = await find_key(context.records, wanted) if len(wanted) <= MAX_PREFIX else None
    if key is None:
        raise ApiError(ApiErrorCode.NOT_FOUND, "no key with that prefix", "prefix")
    return ApiKey.of(key)


def request_key(request: ApiKeyRequest) -> str:
    """A request's place in the queue: `<created_at, UTC ISO 8601>|<request id>`."""
    return f"{request.created_at.astimezone(UTC).isoformat()}|{request.id}"


def key_after(key: str) -> tuple[datetime, str]:
    """The (created_at, request_id) of a `request_key`; BAD_CURSOR for any other text."""
    at, _, request_id = key.partition("|")
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or not request_id or len(request_id) > MAX_ID:
        raise ApiError(ApiErrorCode.BAD_CURSOR, "the cursor is not one this API gave out", "after")
    return moment, request_id


async def api_key_requests(
    info: Info, status: RequestStatus | None, first: int | None, after: str | None
) -> Connection[ApiKeyRequest]:
    """Key requests (of `status`, or all), oldest first. Raises FORBIDDEN below the operator
    tier, OUT_OF_RANGE for `first`, BAD_CURSOR for `after`."""
    require_operator(info, "apiKeyRequests")
    context = info.context
    request = page_request(PageArgs(first=first, after=after), context.limits.max_page_size)
    start = key_after(request.after) if request.after is not None else None
    found = await list_requests(context.records, status, after=start, limit=request.size + 1)
    shown = [ApiKeyRequest.of(r) for r in found]

    async def count() -> int:
        return await count_requests(context.records, status)

    return connection(shown, [request_key(r) for r in shown], request, count=count)
