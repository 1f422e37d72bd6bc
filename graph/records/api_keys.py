"""API keys: created once, shown once, stored as SHA-256 hashes, looked up per request.

Keys are 32 random bytes, so a fast hash is enough: there is nothing to brute-force that a
slow password hash would protect. The short public prefix lets operators name a key in
`civicgraph keys list|revoke` without ever holding the secret again.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from graph.errors import GraphError
from graph.records.db import Records
from graph.records.models import ApiKey

KEY_PREFIX = "cg_"


class Tier(StrEnum):
    """Access tiers, lowest first."""

    PUBLIC = "public"
    DEVELOPER = "developer"
    ANALYST = "analyst"
    OPERATOR = "operator"

    @property
    def rank(self) -> int:
        return list(Tier).index(self)

    def at_least(self, other: Tier) -> bool:
        return self.rank >= other.rank


class ApiKeyError(GraphError):
    """A key operation that cannot be done (unknown prefix, key tier not grantable)."""


@dataclass(frozen=True)
class IssuedKey:
    prefix: str
    secret: str
    tier: Tier
    name: str


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_key(records: Records, name: str, tier: Tier) -> IssuedKey:
    if tier is Tier.PUBLIC:
        raise ApiKeyError("the public tier needs no key")
    prefix = secrets.token_hex(4)
    secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    await ApiKey.create(
        prefix=prefix,
        hash=hash_key(secret),
        tier=tier.value,
        name=name,
        created_at=datetime.now(UTC),
        using_db=records.client,
    )
    return IssuedKey(prefix, secret, tier, name)


async def list_keys(records: Records) -> list[ApiKey]:
    return await ApiKey.all().using_db(records.client).order_by("created_at", "id")


async def revoke_key(records: Records, prefix: str) -> ApiKey:
    key = await ApiKey.filter(prefix=prefix).using_db(records.client).first()
    if key is None:
        raise ApiKeyError(f"no key with prefix {prefix!r}")
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        await key.save(update_fields=["revoked_at"], using_db=records.client)
    return key


async def tier_for(records: Records, secret: str) -> Tier | None:
    """The tier of a live key, or None for an unknown or revoked key."""
    live = ApiKey.filter(hash=hash_key(secret), revoked_at=None).using_db(records.client)
    key = await live.first()
    return Tier(key.tier) if key is not None else None
