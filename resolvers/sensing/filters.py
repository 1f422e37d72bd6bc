"""Filter inputs of the sensing domain."""

from __future__ import annotations

import strawberry

from resolvers.core.filters import BBoxInput, NearInput
from resolvers.sensing.types import SensorKind


@strawberry.input
class SensorFilter:
    district: list[str] | None = strawberry.UNSET
    kind: list[SensorKind] | None = strawberry.UNSET
    status: list[str] | None = strawberry.UNSET
    bbox: BBoxInput | None = None
    near: NearInput | None = None
