"""What both websocket protocols apply to each operation message once it is parsed: the caller's
quota (counted by the handler, which knows the message's `type` as it will act on it) and
the execution time limit of queries and mutations (subscriptions last as long as the client
wants)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from graphql import GraphQLError, OperationType

from civicgraph.auth import OPERATION_QUOTA, OperationQuota, rate_limited
from graph.records.api_usage import PUBLIC
from resolvers.core.context import Context
from resolvers.core.operation_guard import get_operation, parse_document

if TYPE_CHECKING:
    from civicgraph.graphql_door.http import DoorLimits

T = TypeVar("T")

OPERATION_MESSAGES = frozenset({"subscribe", "start"})
"""Messages that start an operation: graphql-transport-ws `subscribe`, legacy graphql-ws `start`."""


async def over_quota(context: Context) -> GraphQLError | None:
    """Counts one operation against the caller's quota (put in the scope by the door); the
    `rate_limited` error when it is over, else None (also when no door counts this socket)."""
    request = context.request
    count: OperationQuota | None = (
        request.scope.get("state", {}).get(OPERATION_QUOTA) if request is not None else None
    )
    if count is None:
        return None
    verdict = await count()
    return None if verdict.allowed else rate_limited(verdict)


def count_operation(context: Context, limits: DoorLimits, payload: Mapping[str, Any]) -> None:
    """Counts one websocket operation (a checked `subscribe`/`start` payload) as a call of the
    caller in the usage tally (graph/usage.py), under its operation's name; nothing when usage
    is not counted."""
    tally = context.usage_tally
    if tally is None:
        return
    caller = context.request.scope.get("state", {}).get("caller") if context.request else None
    client = caller.key_prefix if caller is not None and caller.key_prefix else PUBLIC
    mark = tally.mark(client, context.tier.value, "websocket")
    try:
        document = parse_document(payload["query"], limits.max_tokens)
        operation = get_operation(document, payload.get("operationName") or None)
        mark.name(operation.name.value if operation.name else None)
    except GraphQLError:
        pass
    tally.record(mark)


def time_limit(limits: DoorLimits, query: str, operation_name: str | None) -> float | None:
    """Seconds a query or mutation may execute (`CIVIC_GRAPHQL_TIMEOUT_SECONDS`, as over HTTP);
    None for a subscription. Requires a document already checked (parses are cached)."""
    try:
        document = parse_document(query, limits.max_tokens)
        operation = get_operation(document, operation_name or None)
    except GraphQLError:
        return limits.timeout_seconds  # refused before execution: no time is spent
    if operation.operation is OperationType.SUBSCRIPTION:
        return None
    return limits.timeout_seconds


async def next_result(results: AsyncIterator[T], seconds: float | None) -> T | None:
    """The next item of `results` (None at its end) within `seconds` (None: no limit).
    Raises TimeoutError past it, having cancelled the work in progress."""
    async with asyncio.timeout(seconds):
        return await anext(results, None)
