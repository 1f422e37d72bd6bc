"""`requestApiKey`: a developer asks for a key (no key needed); the answer's claim token is
shown once."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.records import api_key_requests as requests
from graph.records.api_keys import KeyRefusal
from resolvers.core import clock
from resolvers.core.info import Info
from resolvers.data.key_errors import ApiKeyError
from resolvers.data.key_types import ApiKeyRequest, ApiKeyTier


@strawberry.input
class RequestApiKeyInput:
    name: str = strawberry.field(
        description="Who or what the key is for, e.g. your app (1 to 200 characters); it "
        "becomes the key's name."
    )
    contact: str = strawberry.field(
        description="An e-mail address operators may write to (at most 254 characters). "
        "Personal data: shown to operators only, deleted after the retention period."
    )
    purpose: str = strawberry.field(
        description="What you will use the key for (1 to 2,000 characters)."
    )
    tier: ApiKeyTier | None = strawberry.field(
        default=None, description="DEVELOPER (the default) or ANALYST."
    )


@strawberry.type(description="The request, pending, and its claim token (shown this once).")
class RequestApiKeySuccess:
    request: ApiKeyRequest
    claim_token: str = strawberry.field(
        description="Keep it: `claimApiKey` with it says whether the request was decided, and "
        "once approved shows the key's secret once. It is stored hashed and shown only now."
    )


RequestApiKeyResult = Annotated[
    RequestApiKeySuccess | ApiKeyError, strawberry.union("RequestApiKeyResult")
]


async def request_api_key(info: Info, input: RequestApiKeyInput) -> RequestApiKeyResult:
    context = info.context
    try:
        tier = (input.tier or ApiKeyTier.DEVELOPER).tier
        new = requests.checked_request(input.name, input.contact, input.purpose, tier)
        made = await requests.create_request(
            context.records,
            new,
            context.client_ip or "unknown",
            clock.utc_now(),
            context.key_requests,
        )
    except KeyRefusal as error:
        return ApiKeyError.of(error)
    return RequestApiKeySuccess(request=ApiKeyRequest.of(made.request), claim_token=made.token)
