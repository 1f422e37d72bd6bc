"""`rejectApiKeyRequest`: an operator rejects a pending request, saying why (operator tier)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.records import api_key_requests as requests
from graph.records.api_keys import KeyRefusal
from resolvers.core import clock
from resolvers.core.info import Info
from resolvers.data.key_errors import ApiKeyError, forbidden, is_operator
from resolvers.data.key_types import ApiKeyRequest
from resolvers.data.mutations.api_key_request_approve import DecideApiKeyRequestSuccess


@strawberry.input
class RejectApiKeyRequestInput:
    id: strawberry.ID
    reason: str = strawberry.field(
        description="Why, shown to the requester when they claim (1 to 1,000 characters)."
    )


RejectApiKeyRequestResult = Annotated[
    DecideApiKeyRequestSuccess | ApiKeyError, strawberry.union("RejectApiKeyRequestResult")
]


async def reject_api_key_request(
    info: Info, input: RejectApiKeyRequestInput
) -> RejectApiKeyRequestResult:
    if not is_operator(info):
        return forbidden("rejecting a key request")
    context = info.context
    try:
        decided = await requests.reject(
            context.records,
            str(input.id),
            by=context.caller_key or "",
            at=clock.utc_now(),
            reason=input.reason,
        )
    except KeyRefusal as error:
        return ApiKeyError.of(error)
    return DecideApiKeyRequestSuccess(request=ApiKeyRequest.of(decided))
