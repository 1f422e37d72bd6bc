"""What every GraphQL door (HTTP, graphql-transport-ws, legacy graphql-ws) does with a result:
one encoder that never holds the loop for long and stops at the response-size limit, and the
same two refusals of a result (`response_too_large`, `timeout`) in every door."""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping

from graphql import GraphQLError

from civicgraph.graphql_door.encode import encode_json
from resolvers.core.request_errors import RequestErrorCode, request_error

log = logging.getLogger("civicgraph.graphql")

RESULT_MESSAGES = frozenset({"next", "data"})
"""Websocket messages that carry an execution result: graphql-transport-ws `next`, legacy
graphql-ws `data`. Other messages are small (acks, errors of one request, completions)."""


def response_too_large(max_bytes: int) -> GraphQLError:
    """The error that replaces a result whose encoding passes `max_bytes` bytes."""
    log.warning("GraphQL result over %s bytes refused", max_bytes)
    return request_error(
        RequestErrorCode.RESPONSE_TOO_LARGE,
        f"the result is larger than {max_bytes} bytes; ask for less (smaller `first`, fewer "
        "fields or aliases)",
    )


def too_large_result(max_bytes: int) -> dict[str, object]:
    """`{"data": null, "errors": [response_too_large]}`: what every door sends instead of a
    result whose encoding passes `max_bytes`."""
    return {"data": None, "errors": [response_too_large(max_bytes).formatted]}


async def encode_unlimited(value: Mapping[str, object]) -> bytes:
    """`value` as UTF-8 JSON, in slices, whatever its size."""
    encoded = await encode_json(dict(value), sys.maxsize)
    assert encoded is not None  # no limit
    return encoded


def timed_out(seconds: float) -> GraphQLError:
    """The error of a query or mutation cancelled after `seconds` of execution."""
    log.warning("GraphQL operation cancelled after %ss", seconds)
    return request_error(
        RequestErrorCode.TIMEOUT,
        f"the operation ran longer than {seconds:g} s and was cancelled; ask for less "
        "(smaller `first`, fewer fields)",
    )


async def encode_message(message: Mapping[str, object], max_bytes: int) -> bytes:
    """A websocket protocol message as UTF-8 JSON, encoded in slices (the loop is never held for
    more than a few milliseconds). A result message (`RESULT_MESSAGES`) whose encoding passes
    `max_bytes` is sent instead as the same message with the payload
    `{"data": null, "errors": [response_too_large]}`, as HTTP answers it."""
    limit = max_bytes if message.get("type") in RESULT_MESSAGES else sys.maxsize
    encoded = await encode_json(dict(message), limit)
    if encoded is not None:
        return encoded
    return await encode_unlimited({**message, "payload": too_large_result(max_bytes)})
