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
from typing import Any

from graph.errors import GraphError
from graph.records.db import Records, as_datetime

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


MAX_NAME = 200
"""Characters in a key's name (who or what it is for)."""


class ApiKeyError(GraphError):
    """A key operation that cannot be done (unknown prefix, key tier not grantable)."""


@dataclass(frozen=True)
class IssuedKey:
    prefix: str
    secret: str
    tier: Tier
    name: str


@dataclass(frozen=True)
class StoredKey:
    """A key as the records keep it: never the secret, only its hash."""

    prefix: str
    hash: str
    tier: Tier
    name: str
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> StoredKey:
        revoked = row["revoked_at"]
        return cls(
            row["prefix"],
            row["hash"],
            Tier(row["tier"]),
            row["name"],
            as_datetime(row["created_at"]),
            as_datetime(revoked) if revoked is not None else None,
        )


COLUMNS = "prefix, hash, tier, name, created_at, revoked_at"


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_key(records: Records, name: str, tier: Tier) -> IssuedKey:
    """A new key for `name` (1 to MAX_NAME characters, not blank) at `tier`; its secret is in
    the result only. Raises ApiKeyError for the public tier or a blank or overlong name."""
    if tier is Tier.PUBLIC:
        raise ApiKeyError("the public tier needs no key")
    if not name.strip() or len(name) > MAX_NAME:
        raise ApiKeyError(f"a key's name is 1 to {MAX_NAME} characters, not blank")
    prefix = secrets.token_hex(4)
    secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    marks = ", ".join(records.placeholders(5))
    await records.query(
        f"INSERT INTO api_key (prefix, hash, tier, name, created_at) VALUES ({marks})",
        [prefix, hash_key(secret), tier.value, name, datetime.now(UTC)],
    )
    return IssuedKey(prefix, secret, tier, name)


async def list_keys(records: Records) -> list[StoredKey]:
    rows = await records.query(f"SELECT {COLUMNS} FROM api_key ORDER BY created_at, id")
    return [StoredKey.from_row(row) for row in rows]


async def revoke_key(records: Records, prefix: str) -> StoredKey:
    mark = records.placeholders(1)[0]
    when, key_mark = records.placeholders(2)
    await records.query(
        f"UPDATE api_key SET revoked_at = {when} WHERE prefix = {key_mark} AND revoked_at IS NULL",
        [datetime.now(UTC), prefix],
    )
    rows = await records.query(f"SELECT {COLUMNS} FROM api_key WHERE prefix = {mark}", [prefix])
    if not rows:
        raise ApiKeyError(f"no key with prefix {prefix!r}")
    return StoredKey.from_row(rows[0])


async def tier_for(records: Records, secret: str) -> Tier | None:
    """The tier of a live key, or None for an unknown or revoked key."""
    mark = records.placeholders(1)[0]
    rows = await records.query(
        f"SELECT tier FROM api_key WHERE hash = {mark} AND revoked_at IS NULL", [hash_key(secret)]
    )
    return Tier(rows[0]["tier"]) if rows else None


async def live_key(records: Records, secret: str) -> StoredKey | None:
    """The stored key whose hash is that of `secret`, or None if unknown or revoked."""
    return await live_key_by_hash(records, hash_key(secret))


async def live_key_by_hash(records: Records, digest: str) -> StoredKey | None:
    """The stored key whose secret's SHA-256 (hex) is `digest`, or None if unknown or revoked."""
    mark = records.placeholders(1)[0]
    rows = await records.query(
        f"SELECT {COLUMNS} FROM api_key WHERE hash = {mark} AND revoked_at IS NULL", [digest]
    )
    return StoredKey.from_row(rows[0]) if rows else None
