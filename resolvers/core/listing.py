"""One helper that turns a filtered `NodeQuery` into a Relay connection page."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Protocol, TypeVar

from graph.ontology import NODE_TYPES
from graph.query import BBox, Near, NodeQuery
from graph.store import Node
from resolvers.core.arguments import checked_districts
from resolvers.core.context import Context
from resolvers.core.filters import BBoxInput, NearInput
from resolvers.core.pagination import Connection, PageArgs, connection, page_request

T = TypeVar("T")


async def node_page(
    context: Context,
    label: str,
    to_type: Callable[[Node], T],
    *,
    equals: Mapping[str, Sequence[str]],
    bbox: BBox | None = None,
    near: Near | None = None,
    page: PageArgs,
) -> Connection[T]:
    request = page_request(page, context.limits.max_page_size)
    query = NodeQuery(
        label,
        dict(equals),
        bbox,
        near,
        after=request.after,
        before=request.before,
        limit=request.size + 1,
        descending=request.backward,
    )
    nodes = await context.store.find_nodes(query)
    key = NODE_TYPES[label].key

    async def count() -> int:
        return await context.store.count_nodes(replace(query, after=None, before=None, limit=None))

    return connection([to_type(n) for n in nodes], [n[key] for n in nodes], request, count=count)


class LocatedFilter(Protocol):
    """What every filter of things placed in the city has: gu codes and geography."""

    district: list[str] | None
    bbox: BBoxInput | None
    near: NearInput | None


async def located_page(
    context: Context,
    label: str,
    to_type: Callable[[Node], T],
    where: LocatedFilter,
    *,
    page: PageArgs,
    **equals: list[str] | None,
) -> Connection[T]:
    """A page of assets, sensors or cases: checked gu codes, other equalities, bbox and near."""
    columns = {"district_code": await checked_districts(context, where.district or None), **equals}
    return await node_page(
        context,
        label,
        to_type,
        equals={name: vals for name, vals in columns.items() if vals},
        bbox=where.bbox.to_query() if where.bbox else None,
        near=where.near.to_query() if where.near else None,
        page=page,
    )
