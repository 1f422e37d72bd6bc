"""`revokeApiKey`: revoke the calling key, or as an operator any key by its prefix."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.records import api_keys
from graph.records.api_keys import KeyRefusal
from resolvers.core.info import Info
from resolvers.data.key_errors import ApiKeyError, ApiKeyErrorCode, is_operator, key_required
from resolvers.data.key_types import ApiKey


@strawberry.input
class RevokeApiKeyInput:
    prefix: str | None = strawberry.field(
        default=None,
        description="The key to revoke; default the calling key. Another key's: operator tier.",
    )


@strawberry.type(description="The key as revoked: its secret stops working at once.")
class RevokeApiKeySuccess:
    api_key: ApiKey


RevokeApiKeyResult = Annotated[
    RevokeApiKeySuccess | ApiKeyError, strawberry.union("RevokeApiKeyResult")
]


async def revoke_api_key(info: Info, input: RevokeApiKeyInput | None = None) -> RevokeApiKeyResult:
    context = info.context
    given = input.prefix if input is not None else None
    prefix = given if given is not None else context.caller_key
    if prefix is None:
        return key_required("revoking a key")
    if prefix != context.caller_key and not is_operator(info):
        return ApiKeyError(
            code=ApiKeyErrorCode.FORBIDDEN,
            field="prefix",
            message="revoking another key than the calling one needs the operator tier",
        )
    try:
        key = await api_keys.revoke_key(context.records, prefix[:64])
    except KeyRefusal as error:
        return ApiKeyError.of(error)
    context.key_changed(key.prefix)
    return RevokeApiKeySuccess(api_key=ApiKey.of(key))
