"""Relay connections over keyset pages: a cursor is the key of the node it points at.

Keyset pages stay cheap at any depth (no OFFSET) and stable while nodes are added. Only forward
paging (`first`/`after`) is offered.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import strawberry

from resolvers.core.errors import ApiError, ApiErrorCode

T = TypeVar("T")
CURSOR_PREFIX = "k:"
DEFAULT_PAGE_SIZE = 20


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{key}".encode()).decode()


def decode_cursor(cursor: str) -> str:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.startswith(CURSOR_PREFIX):
        raise ApiError(ApiErrorCode.BAD_CURSOR, "the cursor is not one this API gave out", "after")
    return text.removeprefix(CURSOR_PREFIX)


def page_size(first: int | None, maximum: int) -> int:
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 1 <= size <= maximum:
        raise ApiError(ApiErrorCode.OUT_OF_RANGE, f"first must be between 1 and {maximum}", "first")
    return size


@strawberry.type
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
    size: int,
    *,
    after: str | None,
    count: Callable[[], Awaitable[int]],
) -> Connection[T]:
    """Build a page from up to size+1 nodes fetched in key order (the extra one means 'more')."""
    shown = list(zip(nodes, keys, strict=True))[:size]
    edges = [Edge(cursor=encode_cursor(key), node=node) for node, key in shown]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(nodes) > size,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _count=count,
    )
