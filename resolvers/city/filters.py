"""Filter inputs of the city domain."""

from __future__ import annotations

import strawberry

from resolvers.city.types import AssetKind
from resolvers.core.filters import BBoxInput, NearInput


@strawberry.input
class AssetFilter:
    district: list[str] | None = strawberry.UNSET
    kind: list[AssetKind] | None = strawberry.UNSET
    status: list[str] | None = strawberry.UNSET
    bbox: BBoxInput | None = None
    near: NearInput | None = None


@strawberry.input
class CitizenFilter:
    district: list[str] | None = strawberry.UNSET
