"""Identity's views of entities the city domain owns: a district by its code, with the polls
identity adds to it (resolvers/core/federation.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers.core.errors import ApiError, ApiErrorCode
from resolvers.core.federation import extends
from resolvers.core.info import Info
from resolvers.core.pagination import DEFAULT_PAGE_SIZE
from resolvers.identity.dataloaders import PollsByDistrictLoader

if TYPE_CHECKING:
    from resolvers.identity.polls import Poll


@extends("District", keys=["code"])
class District:
    code: str

    @strawberry.field(
        description="Polls a resident of this district may vote in, now or once they open: "
        "those whose eligibility names its gu (a dong: the gu it lies in) and city-wide ones, "
        "closing soonest first; at most `first` (default 20, 1 to 100). Age and welfare "
        "conditions are in each poll's eligibility, for the resident's wallet to check."
    )
    async def polls(
        self, info: Info, first: int | None = None
    ) -> list[Annotated[Poll, strawberry.lazy("resolvers.identity.polls")]]:
        from resolvers.identity.polls import Poll

        wanted = DEFAULT_PAGE_SIZE if first is None else first
        maximum = info.context.limits.max_page_size
        if not 1 <= wanted <= maximum:
            raise ApiError(
                ApiErrorCode.OUT_OF_RANGE, f"first must be between 1 and {maximum}", "first"
            )
        found = await info.context.loader(PollsByDistrictLoader).load(self.code)
        return [Poll.of(poll) for poll in found[:wanted]]
