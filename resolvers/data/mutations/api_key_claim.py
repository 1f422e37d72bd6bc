"""`claimApiKey`: the requester asks with the claim token; an approved request's key secret is
shown once, to the first claim."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.records import api_key_requests as requests
from graph.records.api_keys import KeyRefusal, find_key
from resolvers.core import clock
from resolvers.core.info import Info
from resolvers.data.key_errors import ApiKeyError
from resolvers.data.key_types import ApiKey, ApiKeyRequestStatus, ApiKeyTier


@strawberry.input
class ClaimApiKeyInput:
    token: str = strawberry.field(description="The claim token `requestApiKey` answered.")


@strawberry.type(
    description="Where the request stands. APPROVED: `secret` and `apiKey` (this claim made "
    "the key; the secret is shown this once). PENDING: wait. REJECTED: `reason` says why."
)
class ClaimApiKeySuccess:
    status: ApiKeyRequestStatus  # type: ignore[valid-type]
    tier: ApiKeyTier = strawberry.field(description="Asked for; once approved, granted.")
    reason: str | None = strawberry.field(description="Why it was rejected.")
    api_key: ApiKey | None
    secret: str | None = strawberry.field(
        description="The key's secret, shown once: send it as `X-API-Key`."
    )


ClaimApiKeyResult = Annotated[
    ClaimApiKeySuccess | ApiKeyError, strawberry.union("ClaimApiKeyResult")
]


async def claim_api_key(info: Info, input: ClaimApiKeyInput) -> ClaimApiKeyResult:
    records = info.context.records
    try:
        claim = await requests.claim(records, input.token, clock.utc_now())
    except KeyRefusal as error:
        return ApiKeyError.of(error)
    request, issued = claim.request, claim.issued
    key = await find_key(records, issued.prefix) if issued is not None else None
    return ClaimApiKeySuccess(
        status=request.status,
        tier=ApiKeyTier.of(request.granted_tier or request.tier),
        reason=request.reason,
        api_key=ApiKey.of(key) if key is not None else None,
        secret=issued.secret if issued is not None else None,
    )
