"""Turning filter inputs into `equals` maps, checking district codes on the way."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import Enum

from resolvers.core.context import Context
from resolvers.core.dataloaders import DistrictByCodeLoader
from resolvers.core.errors import ApiError, ApiErrorCode


def values(items: Iterable[str | Enum] | None) -> list[str] | None:
    if not items:
        return None
    return [i.value if isinstance(i, Enum) else str(i) for i in items]


async def checked_districts(context: Context, codes: Sequence[str] | None) -> list[str] | None:
    """Requires every code to name a gu; raises not_found for the first that does not."""
    if not codes:
        return None
    nodes = await context.loader(DistrictByCodeLoader).load_many(list(codes))
    for code, node in zip(codes, nodes, strict=True):
        if node is None or node["level"] != "gu":
            raise ApiError(ApiErrorCode.NOT_FOUND, f"no gu with code {code!r}", "district")
    return list(codes)


def equals_map(**columns: list[str] | None) -> dict[str, list[str]]:
    return {name: vals for name, vals in columns.items() if vals}
