"""A request body read within a limit, the one way every HTTP door reads one (the GraphQL door,
the dashboards' sign-in and callbacks, Open311, the CKAN API, readings ingest): never more than
the limit is held, whether the client declares its length (`Content-Length`) or sends the body
chunked, and a declared length over the limit is refused before a byte is read. Each door turns
the two errors into its own format."""

from __future__ import annotations

from collections.abc import AsyncIterator

from graph.errors import CivicGraphError
from graph.strict_numbers import parse_length


class BodyTooLarge(CivicGraphError):
    """The body is, or says it is, longer than the door takes: HTTP 413."""


class LengthInvalid(CivicGraphError):
    """A `Content-Length` that is not 1-19 ASCII digits (RFC 9110 §8.6): HTTP 400."""


async def read_body(
    declared_length: str | None, chunks: AsyncIterator[bytes], max_bytes: int
) -> bytes:
    """The whole body, at most `max_bytes` long.

    `declared_length` is the request's `Content-Length` header as text (None without one);
    `chunks` its body as the server hands it over (Starlette's `request.stream()`, or ASGI
    `http.request` messages). Raises LengthInvalid for a declared length that is not a number,
    and BodyTooLarge as soon as the declared length or the bytes received pass `max_bytes`,
    without reading the rest.
    """
    if declared_length is not None:
        length = parse_length(declared_length.strip())
        if length is None:  # `str.isdigit` takes "²", which `int` refuses
            raise LengthInvalid("Content-Length is not a number")
        if length > max_bytes:
            raise BodyTooLarge(f"the body is larger than {max_bytes} bytes")
    received = bytearray()
    async for chunk in chunks:
        if len(received) + len(chunk) > max_bytes:
            raise BodyTooLarge(f"the body is larger than {max_bytes} bytes")
        received += chunk
    return bytes(received)
