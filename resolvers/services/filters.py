"""Filter inputs of the services domain."""

from __future__ import annotations

import strawberry

from resolvers.core.filters import BBoxInput, NearInput
from resolvers.services.types import CaseStatus


@strawberry.input
class CaseFilter:
    district: list[str] | None = strawberry.UNSET
    service_code: list[str] | None = strawberry.UNSET
    status: list[CaseStatus] | None = strawberry.UNSET
    bbox: BBoxInput | None = None
    near: NearInput | None = None
