"""Relay connections over keyset pages: a cursor is the key of the node it points at.

Keyset pages stay cheap at any depth (no OFFSET) and stable while nodes are added. Both
directions of the Relay spec are offered: `first`/`after` from the start, `last`/`before` from the
end (fetched in descending key order, then turned round).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry

from graph.storable_text import unstorable
from resolvers.core.errors import ApiError, ApiErrorCode

T = TypeVar("T")
CURSOR_PREFIX = "k:"
DEFAULT_PAGE_SIZE = 20


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{key}".encode()).decode()


def decode_cursor(cursor: str, argument: str = "after") -> str:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    # a key holding text the stores cannot hold (a NUL) was never given out either
    if not text.startswith(CURSOR_PREFIX) or unstorable(text) is not None:
        raise ApiError(ApiErrorCode.BAD_CURSOR, "the cursor is not one this API gave out", argument)
    return text.removeprefix(CURSOR_PREFIX)


@dataclass(frozen=True)
class PageArgs:
    """A connection's paging arguments as the client gave them."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


@dataclass(frozen=True)
class PageRequest:
    """Checked paging: a size, the keys bounding the page, and the direction."""

    size: int
    after: str | None
    before: str | None
    backward: bool


def page_request(args: PageArgs, maximum: int) -> PageRequest:
    if args.first is not None and args.last is not None:
        raise ApiError(ApiErrorCode.INVALID, "give first or last, not both", "last")
    backward = args.last is not None
    name, given = ("last", args.last) if backward else ("first", args.first)
    size = DEFAULT_PAGE_SIZE if given is None else given
    if not 1 <= size <= maximum:
        raise ApiError(ApiErrorCode.OUT_OF_RANGE, f"{name} must be between 1 and {maximum}", name)
    return PageRequest(
        size,
        decode_cursor(args.after, "after") if args.after is not None else None,
        decode_cursor(args.before, "before") if args.before is not None else None,
        backward,
    )


@strawberry.federation.type(shareable=True, description="Where a page sits (Relay).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many nodes match the filter, over all pages.")
    async def total_count(self) -> int:
        return await self._count()


def connection(
    nodes: Sequence[T],
    keys: Sequence[str],
    request: PageRequest,
    *,
    count: Callable[[], Awaitable[int]],
) -> Connection[T]:
    """Build a page from up to size+1 nodes fetched in paging order (the extra one means 'more').

    Backward pages arrive in descending key order and are turned round, so edges always run in
    key order. The far side's flag is true when a cursor bounds it, as the Relay spec allows.
    """
    more = len(nodes) > request.size
    shown = list(zip(nodes, keys, strict=True))[: request.size]
    if request.backward:
        shown.reverse()
    edges = [Edge(cursor=encode_cursor(key), node=node) for node, key in shown]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=request.before is not None if request.backward else more,
            has_previous_page=more if request.backward else request.after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _count=count,
    )
