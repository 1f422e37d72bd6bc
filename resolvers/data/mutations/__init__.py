"""Mutations of the data domain, one per module: the self-service API keys."""

from resolvers.data.mutations.api_key_claim import (
    ClaimApiKeyInput,
    ClaimApiKeyResult,
    claim_api_key,
)
from resolvers.data.mutations.api_key_request import (
    RequestApiKeyInput,
    RequestApiKeyResult,
    request_api_key,
)
from resolvers.data.mutations.api_key_request_approve import (
    ApproveApiKeyRequestInput,
    ApproveApiKeyRequestResult,
    approve_api_key_request,
)
from resolvers.data.mutations.api_key_request_reject import (
    RejectApiKeyRequestInput,
    RejectApiKeyRequestResult,
    reject_api_key_request,
)
from resolvers.data.mutations.api_key_revoke import (
    RevokeApiKeyInput,
    RevokeApiKeyResult,
    revoke_api_key,
)
from resolvers.data.mutations.api_key_rotate import RotateApiKeyResult, rotate_api_key
from resolvers.data.mutations.api_key_tier_set import (
    SetApiKeyTierInput,
    SetApiKeyTierResult,
    set_api_key_tier,
)

__all__ = [
    "ApproveApiKeyRequestInput",
    "ApproveApiKeyRequestResult",
    "ClaimApiKeyInput",
    "ClaimApiKeyResult",
    "RejectApiKeyRequestInput",
    "RejectApiKeyRequestResult",
    "RequestApiKeyInput",
    "RequestApiKeyResult",
    "RevokeApiKeyInput",
    "RevokeApiKeyResult",
    "RotateApiKeyResult",
    "SetApiKeyTierInput",
    "SetApiKeyTierResult",
    "approve_api_key_request",
    "claim_api_key",
    "reject_api_key_request",
    "request_api_key",
    "revoke_api_key",
    "rotate_api_key",
    "set_api_key_tier",
]
