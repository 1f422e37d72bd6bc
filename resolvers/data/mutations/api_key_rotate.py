"""`rotateApiKey`: the calling key gets a new secret under the same prefix; the old secret stops
working at once on this worker (the door's cache forgets it) and within `CIVIC_KEY_CACHE_
SECONDS` on the others."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.records import api_keys
from graph.records.api_keys import KeyRefusal
from resolvers.core.info import Info
from resolvers.data.key_errors import ApiKeyError, key_required
from resolvers.data.key_types import ApiKey


@strawberry.type(description="The key, and its new secret (shown this once).")
class RotateApiKeySuccess:
    api_key: ApiKey
    secret: str = strawberry.field(description="The new secret: the old one no longer works.")


RotateApiKeyResult = Annotated[
    RotateApiKeySuccess | ApiKeyError, strawberry.union("RotateApiKeyResult")
]


async def rotate_api_key(info: Info) -> RotateApiKeyResult:
    context = info.context
    if context.caller_key is None:
        return key_required("rotating a key")
    try:
        key = await api_keys.find_key(context.records, context.caller_key)
        if key is None:
            raise KeyRefusal("the calling key is gone", api_keys.KeyErrorCode.NOT_FOUND)
        issued = await api_keys.rotate_key(context.records, key)
    except KeyRefusal as error:
        return ApiKeyError.of(error)
    context.key_changed(key.prefix)
    rotated = await api_keys.find_key(context.records, key.prefix)
    assert rotated is not None
    return RotateApiKeySuccess(api_key=ApiKey.of(rotated), secret=issued.secret)
