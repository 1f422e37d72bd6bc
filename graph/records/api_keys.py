"""API keys: created once, shown once, stored as SHA-256 hashes, looked up per request.

Keys are 32 random bytes, so a fast hash is enough: there is nothing to brute-force that a
slow password hash would protect. The short public prefix lets operators name a key in
`civicgraph keys list|revoke` without ever holding the secret again. The prefix is the key's
identity for good: rotating a key gives it a new secret under the same prefix (the old secret
stops working), so whatever is counted per key (usage, quotas) carries on across rotations.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

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


class KeyErrorCode(StrEnum):
    """Why a key or key-request operation was refused (the GraphQL `ApiKeyErrorCode` names)."""

    INVALID = "invalid"
    """A text field blank or too long (`field` names it)."""
    UNSTORABLE_TEXT = "unstorable_text"
    """A text field holding what the stores cannot hold (graph/storable_text.py)."""
    INVALID_CONTACT = "invalid_contact"
    """The contact is not an e-mail address."""
    TIER_NOT_GRANTABLE = "tier_not_grantable"
    """A tier that cannot be asked for or granted here (public; operator through a request)."""
    TOO_MANY_PENDING = "too_many_pending"
    """The client already has as many pending requests as one client may."""
    QUEUE_FULL = "queue_full"
    """As many requests are pending as the platform takes: try again later."""
    NOT_FOUND = "not_found"
    """No key with that prefix, no request with that id."""
    ALREADY_DECIDED = "already_decided"
    """The request was approved or rejected already (by another operator, perhaps)."""
    INVALID_TOKEN = "invalid_token"
    """No request has that claim token (never issued, or purged after the retention period)."""
    ALREADY_CLAIMED = "already_claimed"
    """The approved key was claimed already: its secret is shown once."""
    REVOKED = "revoked"
    """The key is revoked (or was rotated meanwhile): it cannot be changed any more."""


class KeyRefusal(GraphError):
    """A key operation that cannot be done (unknown prefix, key tier not grantable), with its
    `code` and the `field` (argument) at fault, None when it is about the whole operation."""

    def __init__(
        self, message: str, code: KeyErrorCode = KeyErrorCode.INVALID, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


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
    rotated_at: datetime | None = None
    """When its secret was last replaced (None: never rotated)."""

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> StoredKey:
        revoked, rotated = row["revoked_at"], row.get("rotated_at")
        return cls(
            row["prefix"],
            row["hash"],
            Tier(row["tier"]),
            row["name"],
            as_datetime(row["created_at"]),
            as_datetime(revoked) if revoked is not None else None,
            as_datetime(rotated) if rotated is not None else None,
        )


COLUMNS = "prefix, hash, tier, name, created_at, revoked_at, rotated_at"


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str) -> str:
    """A fresh secret of the key `prefix`: `cg_<prefix>_<32 random bytes, base64url>`."""
    return f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def check_grantable(tier: Tier) -> None:
    """Raises KeyRefusal (TIER_NOT_GRANTABLE, field `tier`) for the public tier."""
    if tier is Tier.PUBLIC:
        raise KeyRefusal("the public tier needs no key", KeyErrorCode.TIER_NOT_GRANTABLE, "tier")


BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
"""Unicode's explicit directional formatting characters and marks (UAX #9 §2): in a name shown
to operators they can make `evil\u202etxt.exe` read as `evilexe.txt`."""


def one_line_problem(value: str) -> str | None:
    """Why `value` cannot be a one-line name shown as written (control characters, Unicode Cc:
    newlines, escapes; or bidirectional controls), else None."""
    if any(unicodedata.category(c) == "Cc" for c in value):
        return "control characters"
    if not BIDI_CONTROLS.isdisjoint(value):
        return "bidirectional text controls"
    return None


def check_new_key(name: str, tier: Tier) -> None:
    """Raises KeyRefusal for the public tier, or a blank, overlong or not one-line name
    (`one_line_problem`)."""
    check_grantable(tier)
    if not name.strip() or len(name) > MAX_NAME:
        raise KeyRefusal(f"a key's name is 1 to {MAX_NAME} characters, not blank", field="name")
    if (problem := one_line_problem(name)) is not None:
        raise KeyRefusal(f"a key's name is one line, without {problem}", field="name")


async def create_key(records: Records, name: str, tier: Tier) -> IssuedKey:
    """A new key for `name` (1 to MAX_NAME characters, not blank) at `tier`; its secret is in
    the result only. Raises KeyRefusal for the public tier or a blank or overlong name."""
    check_new_key(name, tier)  # before any query
    async with records.transaction() as client:
        return await insert_key(records, client, name, tier, datetime.now(UTC))


async def insert_key(
    records: Records, client: BaseDBAsyncClient, name: str, tier: Tier, at: datetime
) -> IssuedKey:
    """`create_key` inside `client`'s transaction (a claimed request's key), created `at`."""
    check_new_key(name, tier)
    prefix = secrets.token_hex(4)
    secret = new_secret(prefix)
    marks = ", ".join(records.placeholders(5))
    await client.execute_query(
        f"INSERT INTO api_key (prefix, hash, tier, name, created_at) VALUES ({marks})",
        [prefix, hash_key(secret), tier.value, name, at],
    )
    return IssuedKey(prefix, secret, tier, name)


async def find_key(records: Records, prefix: str) -> StoredKey | None:
    """The key with `prefix`, live or revoked; None when there is none."""
    mark = records.placeholders(1)[0]
    rows = await records.query(f"SELECT {COLUMNS} FROM api_key WHERE prefix = {mark}", [prefix])
    return StoredKey.from_row(rows[0]) if rows else None


async def rotate_key(records: Records, key: StoredKey) -> IssuedKey:
    """A new secret for the live `key` (as read, with its current hash): same prefix, name and
    tier, `rotated_at` now; the old secret matches no key from then on. The hash check and the
    write are one statement, so of two rotations at once one wins. Raises KeyRefusal REVOKED
    when the key is revoked or its secret changed since it was read."""
    secret = new_secret(key.prefix)
    marks = records.placeholders(4)
    rows = await records.query(
        f"UPDATE api_key SET hash = {marks[0]}, rotated_at = {marks[1]} "
        f"WHERE prefix = {marks[2]} AND hash = {marks[3]} AND revoked_at IS NULL "
        "RETURNING prefix",
        [hash_key(secret), datetime.now(UTC), key.prefix, key.hash],
    )
    if not rows:
        raise KeyRefusal(
            f"key {key.prefix} is revoked or was rotated meanwhile", KeyErrorCode.REVOKED
        )
    return IssuedKey(key.prefix, secret, key.tier, key.name)


async def set_tier(records: Records, prefix: str, tier: Tier) -> StoredKey:
    """Give the live key `prefix` another tier (not public). Raises KeyRefusal NOT_FOUND for
    an unknown prefix, REVOKED for a revoked key, TIER_NOT_GRANTABLE for the public tier."""
    check_grantable(tier)
    marks = records.placeholders(2)
    await records.query(
        f"UPDATE api_key SET tier = {marks[0]} WHERE prefix = {marks[1]} AND revoked_at IS NULL",
        [tier.value, prefix],
    )
    key = await find_key(records, prefix)
    if key is None:
        raise KeyRefusal(f"no key with prefix {prefix!r}", KeyErrorCode.NOT_FOUND, "prefix")
    if key.revoked_at is not None:
        raise KeyRefusal(f"key {prefix} is revoked", KeyErrorCode.REVOKED, "prefix")
    return key


async def list_keys(records: Records) -> list[StoredKey]:
    rows = await records.query(f"SELECT {COLUMNS} FROM api_key ORDER BY created_at, id")
    return [StoredKey.from_row(row) for row in rows]


async def revoke_key(records: Records, prefix: str) -> StoredKey:
    """Revoke the key `prefix` (a revoked key stays revoked, its first revocation time kept).
    Raises KeyRefusal NOT_FOUND for an unknown prefix."""
    when, key_mark = records.placeholders(2)
    await records.query(
        f"UPDATE api_key SET revoked_at = {when} WHERE prefix = {key_mark} AND revoked_at IS NULL",
        [datetime.now(UTC), prefix],
    )
    key = await find_key(records, prefix)
    if key is None:
        raise KeyRefusal(f"no key with prefix {prefix!r}", KeyErrorCode.NOT_FOUND, "prefix")
    return key


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
