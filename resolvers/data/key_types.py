"""GraphQL types of API keys and key requests (the Open Data Plaza's self-service keys).

A key's `prefix` is its identity for good (a rotation keeps it): usage and quotas are counted
against it. Contact details are personal data: `contact` raises FORBIDDEN below the operator
tier, on every type that has it.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from graph.records.api_key_requests import KeyRequest, RequestStatus, requests_for_keys
from graph.records.api_keys import StoredKey, Tier
from resolvers.core.info import Info
from resolvers.data.key_errors import require_operator


@strawberry.enum(description="The tiers a key can have (the public tier needs none).")
class ApiKeyTier(Enum):
    DEVELOPER = "developer"
    ANALYST = "analyst"
    OPERATOR = "operator"

    @property
    def tier(self) -> Tier:
        return Tier(self.value)

    @classmethod
    def of(cls, tier: Tier) -> ApiKeyTier:
        return cls(tier.value)


ApiKeyRequestStatus = strawberry.enum(
    RequestStatus,
    name="ApiKeyRequestStatus",
    description="A key request's state: pending until an operator approves or rejects it.",
)


@strawberry.type(description="An API key, without its secret (shown once, stored hashed).")
class ApiKey:
    prefix: str = strawberry.field(
        description="The key's public id, kept across rotations: its usage is counted under it."
    )
    name: str
    tier: ApiKeyTier
    created_at: datetime
    rotated_at: datetime | None = strawberry.field(
        description="When its secret was last replaced (null: never)."
    )
    revoked_at: datetime | None

    @strawberry.field(
        description="Personal: the requester's e-mail address, for a key made by request "
        "(operator tier; null for keys made on the command line or once purged)."
    )
    async def contact(self, info: Info) -> str | None:
        require_operator(info, "contact")
        found = await requests_for_keys(info.context.records, [self.prefix])
        request = found.get(self.prefix)
        return request.contact if request is not None else None

    @classmethod
    def of(cls, key: StoredKey) -> ApiKey:
        return cls(
            prefix=key.prefix,
            name=key.name,
            tier=ApiKeyTier.of(key.tier),
            created_at=key.created_at,
            rotated_at=key.rotated_at,
            revoked_at=key.revoked_at,
        )


@strawberry.type(description="A developer's request for an API key.")
class ApiKeyRequest:
    id: strawberry.ID
    name: str = strawberry.field(description="Who or what the key is for; the key's name.")
    purpose: str
    tier: ApiKeyTier = strawberry.field(description="The tier asked for.")
    status: ApiKeyRequestStatus  # type: ignore[valid-type]
    created_at: datetime
    decided_at: datetime | None
    granted_tier: ApiKeyTier | None = strawberry.field(
        description="The tier granted on approval (the one asked for, unless the operator chose "
        "another)."
    )
    reason: str | None = strawberry.field(description="Why it was rejected.")
    key_prefix: str | None = strawberry.field(
        description="The key made when the requester claimed it (null before)."
    )
    claimed_at: datetime | None
    _contact: strawberry.Private[str]

    @strawberry.field(description="Personal: the requester's e-mail address (operator tier).")
    def contact(self, info: Info) -> str:
        require_operator(info, "contact")
        return self._contact

    @classmethod
    def of(cls, request: KeyRequest) -> ApiKeyRequest:
        granted = request.granted_tier
        return cls(
            id=strawberry.ID(request.request_id),
            name=request.name,
            purpose=request.purpose,
            tier=ApiKeyTier.of(request.tier),
            status=request.status,
            created_at=request.created_at,
            decided_at=request.decided_at,
            granted_tier=ApiKeyTier.of(granted) if granted is not None else None,
            reason=request.reason,
            key_prefix=request.key_prefix,
            claimed_at=request.claimed_at,
            _contact=request.contact,
        )
