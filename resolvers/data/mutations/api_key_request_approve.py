"""`approveApiKeyRequest`: an operator approves a pending request, optionally with another tier
(operator tier)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.records import api_key_requests as requests
from graph.records.api_keys import KeyRefusal
from resolvers.core import clock
from resolvers.core.info import Info
from resolvers.data.key_errors import ApiKeyError, forbidden, is_operator
from resolvers.data.key_types import ApiKeyRequest, ApiKeyTier


@strawberry.input
class ApproveApiKeyRequestInput:
    id: strawberry.ID
    tier: ApiKeyTier | None = strawberry.field(
        default=None,
        description="Grant this tier (DEVELOPER or ANALYST) instead of the one asked for.",
    )


@strawberry.type(description="The request as decided.")
class DecideApiKeyRequestSuccess:
    request: ApiKeyRequest


ApproveApiKeyRequestResult = Annotated[
    DecideApiKeyRequestSuccess | ApiKeyError, strawberry.union("ApproveApiKeyRequestResult")
]


async def approve_api_key_request(
    info: Info, input: ApproveApiKeyRequestInput
) -> ApproveApiKeyRequestResult:
    if not is_operator(info):
        return forbidden("approving a key request")
    context = info.context
    try:
        decided = await requests.approve(
            context.records,
            str(input.id),
            by=context.caller_key or "",
            at=clock.utc_now(),
            tier=input.tier.tier if input.tier is not None else None,
        )
    except KeyRefusal as error:
        return ApiKeyError.of(error)
    return DecideApiKeyRequestSuccess(request=ApiKeyRequest.of(decided))
