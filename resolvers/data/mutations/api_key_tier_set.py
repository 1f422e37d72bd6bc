"""`setApiKeyTier`: an operator gives a live key another tier, effective at once on this worker
(operator tier)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.records import api_keys
from graph.records.api_keys import KeyRefusal
from resolvers.core.info import Info
from resolvers.data.key_errors import ApiKeyError, forbidden, is_operator
from resolvers.data.key_types import ApiKey, ApiKeyTier


@strawberry.input
class SetApiKeyTierInput:
    prefix: str
    tier: ApiKeyTier


@strawberry.type(description="The key with its new tier.")
class SetApiKeyTierSuccess:
    api_key: ApiKey


SetApiKeyTierResult = Annotated[
    SetApiKeyTierSuccess | ApiKeyError, strawberry.union("SetApiKeyTierResult")
]


async def set_api_key_tier(info: Info, input: SetApiKeyTierInput) -> SetApiKeyTierResult:
    if not is_operator(info):
        return forbidden("changing a key's tier")
    context = info.context
    try:
        key = await api_keys.set_tier(context.records, input.prefix[:64], input.tier.tier)
    except KeyRefusal as error:
        return ApiKeyError.of(error)
    context.key_changed(key.prefix)
    return SetApiKeyTierSuccess(api_key=ApiKey.of(key))
