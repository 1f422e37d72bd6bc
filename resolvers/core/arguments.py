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
    named = await gu_among(context, codes)
    for code in codes:
        if code not in named:
            raise not_a_gu(code)
    return list(codes)


async def gu_among(context: Context, codes: Sequence[str]) -> set[str]:
    """The codes that name a gu (one batched lookup of the request's district loader)."""
    nodes = await context.loader(DistrictByCodeLoader).load_many(list(codes))
    return {code for code, node in zip(codes, nodes, strict=True) if node and node["level"] == "gu"}


def not_a_gu(code: str) -> ApiError:
    """The refusal of a `district` argument that names no gu."""
    return ApiError(ApiErrorCode.NOT_FOUND, f"no gu with code {code!r}", "district")


def equals_map(**columns: list[str] | None) -> dict[str, list[str]]:
    return {name: vals for name, vals in columns.items() if vals}
