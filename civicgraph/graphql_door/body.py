"""Request bodies within limits: read no more than the largest body allowed, decode strict JSON
(UTF-8, no NaN, no lone surrogates, bounded nesting) before anything else looks at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import orjson

from graph.errors import CivicGraphError
from graph.strict_numbers import parse_length


class BodyTooLarge(CivicGraphError):
    """The body is (or says it is) longer than the limit: HTTP 413."""


class JsonInvalid(CivicGraphError):
    """The bytes are not JSON as GraphQL over HTTP takes it: HTTP 400."""


async def read_body(
    declared_length: str | None, chunks: AsyncIterator[bytes], max_bytes: int
) -> bytes:
    """The whole body, at most `max_bytes` long. Raises BodyTooLarge as soon as the declared
    `Content-Length` or the bytes received (chunked bodies) pass the limit, without reading
    the rest; JsonInvalid for a `Content-Length` that is not a number."""
    if declared_length is not None:
        length = parse_length(declared_length.strip())
        if length is None:  # `str.isdigit` takes "²", which `int` refuses
            raise JsonInvalid("Content-Length is not a number")
        if length > max_bytes:
            raise BodyTooLarge(f"the body is larger than {max_bytes} bytes")
    received: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLarge(f"the body is larger than {max_bytes} bytes")
        received.append(chunk)
    return b"".join(received)


def nesting_depth_exceeds(value: object, max_depth: int) -> bool:
    """True when arrays and objects in `value` nest more than `max_depth` deep (iterative)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: list[object] | None = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            children = None
        if children is None:
            continue
        if depth > max_depth:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def decode_json(data: bytes | str, max_depth: int) -> object:
    """The JSON value of `data`. Raises JsonInvalid for bytes that are not UTF-8, text that is
    not JSON (NaN and Infinity are not), strings with a lone UTF-16 surrogate (RFC 8259 §8.2:
    not text any database or hash here takes) and arrays/objects nested deeper than
    `max_depth` (orjson itself stops at 1024, before Python's recursion limit)."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise JsonInvalid(f"the body is not JSON: {error}") from None
    if nesting_depth_exceeds(value, max_depth):
        raise JsonInvalid(f"the JSON nests deeper than {max_depth} levels")
    return value
