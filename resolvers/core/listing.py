"""One helper that turns a filtered `NodeQuery` into a Relay connection page."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TypeVar

from graph.query import BBox, Near, NodeQuery
from graph.store import Node
from resolvers.core.context import Context
from resolvers.core.ontology_keys import key_of
from resolvers.core.pagination import Connection, connection, decode_cursor, page_size

T = TypeVar("T")


async def node_page(
    context: Context,
    label: str,
    to_type: Callable[[Node], T],
    *,
    equals: Mapping[str, Sequence[str]],
    bbox: BBox | None = None,
    near: Near | None = None,
    first: int | None,
    after: str | None,
) -> Connection[T]:
    size = page_size(first, context.limits.max_page_size)
    after_key = decode_cursor(after) if after is not None else None
    query = NodeQuery(label, {k: v for k, v in equals.items()}, bbox, near, after_key, size + 1)
    nodes = await context.store.find_nodes(query)
    key = key_of(label)

    async def count() -> int:
        return await context.store.count_nodes(replace(query, after=None, limit=None))

    return connection(
        [to_type(n) for n in nodes], [n[key] for n in nodes], size, after=after_key, count=count
    )
