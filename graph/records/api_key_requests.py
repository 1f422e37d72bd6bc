"""Keys by request: a developer asks, an operator approves or rejects, the requester claims once.

A request keeps what the requester gave (name, contact e-mail, purpose, the tier asked for),
the client IP while it is pending (for the bound on pending requests per client), its status
(pending, approved, rejected) and the SHA-256 of its claim token: 32 random bytes shown to the
requester once, a bearer secret like a key, so a fast hash is enough. Approving grants a tier
(the one asked for, or another the operator chooses); the first claim of an approved request
makes the key (graph/records/api_keys.py) and spends the token, in one transaction, so the key's
secret is shown once and stored hashed. Deciding is one conditional UPDATE: of two operators
deciding at once, one wins and the other gets ALREADY_DECIDED.

The contact is personal data: it is never shown below the operator tier (the resolvers' rule),
and `purge` deletes the request (contact, purpose, IP) a retention period after it stops being
needed: a rejected, an unclaimed or a never-decided request after the period from its last
change, an approved one the period after its key was revoked (docs/security.md).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from email_validator import EmailNotValidError, validate_email
from tortoise.backends.base.client import BaseDBAsyncClient

from graph.records.api_keys import (
    MAX_NAME,
    IssuedKey,
    KeyErrorCode,
    KeyRefusal,
    Tier,
    insert_key,
    one_line_problem,
)
from graph.records.db import Records, as_datetime
from graph.storable_text import unstorable

TABLE = "api_key_request"
MAX_CONTACT = 254
"""Characters in a contact address: the longest forward path RFC 5321 §4.5.3.1.3 allows."""
MAX_PURPOSE = 2_000
"""Characters in a request's purpose (what the key is for, for the operator to judge)."""
MAX_REASON = 1_000
"""Characters in an operator's reason for a rejection (shown to the requester)."""
MAX_ID = 40
"""Characters in a request id (`kr-` and 16 hex digits; longer ids name no request)."""
MAX_TOKEN = 128
"""Characters in a claim token (`cgr_` and 43 base64url characters; longer ones are none)."""
REQUESTABLE = (Tier.DEVELOPER, Tier.ANALYST)
"""Tiers a developer may ask for and an operator may grant through a request: an operator key
is made on the command line (`civicgraph keys create`) or by `setApiKeyTier`, never handed
to whoever asked through a public door."""
TOKEN_PREFIX = "cgr_"
LOCK_ID = 0x63_67_6B_72  # "cgkr": PostgreSQL's advisory lock of the pending bound
COLUMNS = (
    "request_id, name, contact, purpose, tier, status, client_ip, created_at, decided_at, "
    "decided_by, granted_tier, reason, key_prefix, claimed_at"
)


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class PendingBounds:
    """Most pending requests per client IP and overall: past them a request is refused
    (TOO_MANY_PENDING, QUEUE_FULL) until an operator decides some or they are purged."""

    per_client: int = 3
    overall: int = 500


@dataclass(frozen=True)
class NewRequest:
    """A request's fields, checked (`checked_request`); `contact` normalised."""

    name: str
    contact: str
    purpose: str
    tier: Tier


@dataclass(frozen=True)
class KeyRequest:
    """A request as the records keep it (never its claim token: only that token's hash)."""

    request_id: str
    name: str
    contact: str
    purpose: str
    tier: Tier
    status: RequestStatus
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    granted_tier: Tier | None
    reason: str | None
    key_prefix: str | None
    claimed_at: datetime | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> KeyRequest:
        def moment(name: str) -> datetime | None:
            value = row[name]
            return as_datetime(value) if value is not None else None

        granted = row["granted_tier"]
        return cls(
            row["request_id"],
            row["name"],
            row["contact"],
            row["purpose"],
            Tier(row["tier"]),
            RequestStatus(row["status"]),
            as_datetime(row["created_at"]),
            moment("decided_at"),
            row["decided_by"],
            Tier(granted) if granted is not None else None,
            row["reason"],
            row["key_prefix"],
            moment("claimed_at"),
        )


@dataclass(frozen=True)
class MadeRequest:
    """A new request and its claim token, which is in this result only."""

    request: KeyRequest
    token: str


@dataclass(frozen=True)
class Claim:
    """What a claim found: the request, and the key made by this claim (its secret shown once)
    when the request is approved and was not claimed before; None while pending or rejected."""

    request: KeyRequest
    issued: IssuedKey | None


@dataclass(frozen=True)
class Purged:
    """Requests deleted by one purge, by why."""

    never_decided: int
    rejected: int
    unclaimed: int
    key_revoked: int

    @property
    def total(self) -> int:
        return self.never_decided + self.rejected + self.unclaimed + self.key_revoked


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _text(value: str, field: str, limit: int, *, one_line: bool = False) -> str:
    """`value` when it is storable, not blank, at most `limit` characters and, if `one_line`,
    free of control characters and bidirectional controls (api_keys.one_line_problem); raises
    KeyRefusal UNSTORABLE_TEXT or INVALID naming `field`."""
    why = unstorable(value)
    if why is not None:
        raise KeyRefusal(f"{field} holds {why}", KeyErrorCode.UNSTORABLE_TEXT, field)
    if not value.strip() or len(value) > limit:
        raise KeyRefusal(f"{field} is 1 to {limit:,} characters, not blank", field=field)
    if one_line and (problem := one_line_problem(value)) is not None:
        raise KeyRefusal(f"{field} is one line, without {problem}", field=field)
    return value


def checked_contact(contact: str) -> str:
    """`contact` as an e-mail address in its normalised form (the `email-validator` library's
    syntax check of RFC 5321/5322 addresses, internationalised ones included; no DNS lookup).
    Raises KeyRefusal INVALID_CONTACT (or UNSTORABLE_TEXT, INVALID for blank or too long). The
    message never quotes the address: it is personal data."""
    _text(contact, "contact", MAX_CONTACT)
    try:
        valid = validate_email(contact.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise KeyRefusal(
            "contact is not an e-mail address", KeyErrorCode.INVALID_CONTACT, "contact"
        ) from None
    if len(valid.normalized) > MAX_CONTACT:
        raise KeyRefusal(f"contact is 1 to {MAX_CONTACT} characters", field="contact")
    return valid.normalized


def checked_tier(tier: Tier) -> Tier:
    """`tier` when a request may ask for it or an approval grant it (REQUESTABLE); raises
    KeyRefusal TIER_NOT_GRANTABLE on field `tier`."""
    if tier not in REQUESTABLE:
        raise KeyRefusal(
            f"a request is for the developer or analyst tier, not {tier.value}",
            KeyErrorCode.TIER_NOT_GRANTABLE,
            "tier",
        )
    return tier


def checked_request(name: str, contact: str, purpose: str, tier: Tier) -> NewRequest:
    """The fields of a request, checked in argument order. Raises KeyRefusal (INVALID,
    UNSTORABLE_TEXT, INVALID_CONTACT, TIER_NOT_GRANTABLE) naming the field at fault."""
    return NewRequest(
        _text(name, "name", MAX_NAME, one_line=True),
        checked_contact(contact),
        _text(purpose, "purpose", MAX_PURPOSE),
        checked_tier(tier),
    )


def checked_reason(reason: str) -> str:
    """A rejection's reason (1 to MAX_REASON characters, storable); raises KeyRefusal."""
    return _text(reason, "reason", MAX_REASON)


async def _select(
    records: Records, client: BaseDBAsyncClient | None, where: str, params: Sequence[Any]
) -> KeyRequest | None:
    sql = f"SELECT {COLUMNS} FROM {TABLE} WHERE {where}"
    rows = await (
        client.execute_query_dict(sql, list(params)) if client else records.query(sql, params)
    )
    return KeyRequest.from_row(rows[0]) if rows else None


async def create_request(
    records: Records, new: NewRequest, client_ip: str, at: datetime, bounds: PendingBounds
) -> MadeRequest:
    """Record `new` as pending from `client_ip` at `at` (aware), with a fresh claim token.
    Raises KeyRefusal TOO_MANY_PENDING when the client has `bounds.per_client` pending
    requests, QUEUE_FULL when `bounds.overall` are pending. The count and the insert are one
    transaction (SQLite's write lock; a PostgreSQL advisory lock), so the bounds hold under
    concurrent requests on any number of workers."""
    request_id = f"kr-{secrets.token_hex(8)}"
    token = f"{TOKEN_PREFIX}{secrets.token_urlsafe(32)}"
    async with records.transaction() as client:
        if records.dialect == "postgres":
            await client.execute_query("SELECT pg_advisory_xact_lock($1)", [LOCK_ID])
        marks = records.placeholders(2)
        [counted] = await client.execute_query_dict(
            f"SELECT COUNT(*) AS pending, "
            f"SUM(CASE WHEN client_ip = {marks[0]} THEN 1 ELSE 0 END) AS mine "
            f"FROM {TABLE} WHERE status = {marks[1]}",
            [client_ip, RequestStatus.PENDING.value],
        )
        if int(counted["mine"] or 0) >= bounds.per_client:
            raise KeyRefusal(
                f"this client has {bounds.per_client} pending key requests: wait for an "
                "operator's decision",
                KeyErrorCode.TOO_MANY_PENDING,
            )
        if int(counted["pending"] or 0) >= bounds.overall:
            raise KeyRefusal(
                "the platform takes no more key requests until operators decide the pending "
                "ones: try again later",
                KeyErrorCode.QUEUE_FULL,
            )
        values = [
            request_id,
            new.name,
            new.contact,
            new.purpose,
            new.tier.value,
            RequestStatus.PENDING.value,
            client_ip,
            hash_token(token),
            at,
        ]
        insert = records.placeholders(len(values))
        await client.execute_query(
            f"INSERT INTO {TABLE} (request_id, name, contact, purpose, tier, status, client_ip, "
            f"claim_hash, created_at) VALUES ({', '.join(insert)})",
            values,
        )
        made = await _select(records, client, f"request_id = {marks[0]}", [request_id])
    assert made is not None
    return MadeRequest(made, token)


async def find_request(records: Records, request_id: str) -> KeyRequest | None:
    """The request `request_id`, or None."""
    if len(request_id) > MAX_ID:
        return None
    return await _select(records, None, f"request_id = {records.placeholders(1)[0]}", [request_id])


async def requests_for_keys(records: Records, prefixes: Sequence[str]) -> dict[str, KeyRequest]:
    """The claimed request behind each key of `prefixes` that came from one, by prefix."""
    wanted = list(dict.fromkeys(prefixes))
    if not wanted:
        return {}
    marks = ", ".join(records.placeholders(len(wanted)))
    rows = await records.query(
        f"SELECT {COLUMNS} FROM {TABLE} WHERE key_prefix IN ({marks})", wanted
    )
    return {row["key_prefix"]: KeyRequest.from_row(row) for row in rows}


async def list_requests(
    records: Records,
    status: RequestStatus | None,
    *,
    after: tuple[datetime, str] | None = None,
    limit: int,
) -> list[KeyRequest]:
    """Requests (of `status`, or all), oldest first by (created_at, request_id), those after
    the key `after`, at most `limit`."""
    conditions: list[str] = []
    params: list[Any] = []

    def mark(value: Any) -> str:
        params.append(value)
        return records.placeholders(1, start=len(params))[0]

    if status is not None:
        conditions.append(f"status = {mark(status.value)}")
    if after is not None:
        at, request_id = after
        first, second = mark(at), mark(at)
        conditions.append(
            f"(created_at > {first} OR (created_at = {second} AND request_id > {mark(request_id)}))"
        )
    where = f"WHERE {' AND '.join(conditions)} " if conditions else ""
    rows = await records.query(
        f"SELECT {COLUMNS} FROM {TABLE} {where}ORDER BY created_at, request_id LIMIT {mark(limit)}",
        params,
    )
    return [KeyRequest.from_row(row) for row in rows]


async def count_requests(records: Records, status: RequestStatus | None) -> int:
    """How many requests there are (of `status`, or all)."""
    if status is None:
        rows = await records.query(f"SELECT COUNT(*) AS n FROM {TABLE}")
    else:
        mark = records.placeholders(1)[0]
        rows = await records.query(
            f"SELECT COUNT(*) AS n FROM {TABLE} WHERE status = {mark}", [status.value]
        )
    return int(rows[0]["n"])


async def _decide(
    records: Records, request_id: str, status: RequestStatus, sets: dict[str, Any]
) -> KeyRequest:
    """Set `status` and `sets` on the pending request `request_id` (one conditional UPDATE)
    and clear its client IP. Raises KeyRefusal NOT_FOUND, ALREADY_DECIDED."""
    names = ["status", *sets]
    values = [status.value, *sets.values()]
    marks = records.placeholders(len(values) + 2)
    assignments = ", ".join(f"{name} = {mark}" for name, mark in zip(names, marks, strict=False))
    rows = await records.query(
        f"UPDATE {TABLE} SET {assignments}, client_ip = NULL "
        f"WHERE request_id = {marks[-2]} AND status = {marks[-1]} RETURNING request_id",
        [*values, request_id, RequestStatus.PENDING.value],
    )
    found = await find_request(records, request_id)
    if found is None:
        raise KeyRefusal(f"no key request {request_id[:MAX_ID]!r}", KeyErrorCode.NOT_FOUND, "id")
    if not rows:
        raise KeyRefusal(
            f"key request {request_id} was {found.status.value} already",
            KeyErrorCode.ALREADY_DECIDED,
            "id",
        )
    return found


async def approve(
    records: Records, request_id: str, *, by: str, at: datetime, tier: Tier | None = None
) -> KeyRequest:
    """Approve the pending request `request_id`, granting `tier` (default: the tier asked
    for; one of REQUESTABLE), decided `by` (an operator key's prefix) `at`. Raises KeyRefusal
    TIER_NOT_GRANTABLE, NOT_FOUND, ALREADY_DECIDED."""
    if tier is not None:
        checked_tier(tier)
    found = await find_request(records, request_id)
    granted = tier or (found.tier if found is not None else Tier.DEVELOPER)
    return await _decide(
        records,
        request_id,
        RequestStatus.APPROVED,
        {"decided_at": at, "decided_by": by, "granted_tier": granted.value},
    )


async def reject(
    records: Records, request_id: str, *, by: str, at: datetime, reason: str
) -> KeyRequest:
    """Reject the pending request `request_id` with `reason` (shown to the requester), decided
    `by` (an operator key's prefix) `at`. Raises KeyRefusal INVALID/UNSTORABLE_TEXT (reason),
    NOT_FOUND, ALREADY_DECIDED."""
    checked_reason(reason)
    return await _decide(
        records,
        request_id,
        RequestStatus.REJECTED,
        {"decided_at": at, "decided_by": by, "reason": reason},
    )


async def claim(records: Records, token: str, at: datetime) -> Claim:
    """What the claim token `token` finds at `at`: a pending or rejected request as it is;
    an approved one not claimed before gets its key now (the granted tier, the request's
    name), the token spent in the same transaction. Raises KeyRefusal INVALID_TOKEN for a
    token no request has, ALREADY_CLAIMED once its key was claimed."""
    unknown = KeyRefusal("no key request has this claim token", KeyErrorCode.INVALID_TOKEN, "token")
    if len(token) > MAX_TOKEN or unstorable(token) is not None:
        raise unknown
    mark = records.placeholders(1)[0]
    async with records.transaction() as client:
        found = await _select(records, client, f"claim_hash = {mark}", [hash_token(token)])
        if found is None:
            raise unknown
        if found.status is not RequestStatus.APPROVED:
            return Claim(found, None)
        if found.claimed_at is not None:
            raise KeyRefusal(
                "this key was claimed already: its secret is shown once",
                KeyErrorCode.ALREADY_CLAIMED,
                "token",
            )
        issued = await insert_key(records, client, found.name, found.granted_tier or found.tier, at)
        marks = records.placeholders(3)
        rows = await client.execute_query_dict(
            f"UPDATE {TABLE} SET claimed_at = {marks[0]}, key_prefix = {marks[1]} "
            f"WHERE request_id = {marks[2]} AND claimed_at IS NULL RETURNING request_id",
            [at, issued.prefix, found.request_id],
        )
        if not rows:  # another claim won (PostgreSQL; SQLite's write lock serialises them)
            raise KeyRefusal(
                "this key was claimed already: its secret is shown once",
                KeyErrorCode.ALREADY_CLAIMED,
                "token",
            )
        claimed = await _select(records, client, f"request_id = {mark}", [found.request_id])
    assert claimed is not None
    return Claim(claimed, issued)


async def purge(records: Records, now: datetime, retention: timedelta) -> Purged:
    """Delete the requests (with their contact, purpose and IP) no longer needed for
    `retention` before `now`: never decided since, rejected, approved but never claimed, or
    whose key was revoked. Safe to repeat and to run from several workers at once."""
    cutoff = now - retention
    marks = records.placeholders(2)

    async def delete(condition: str, params: list[Any]) -> int:
        rows = await records.query(
            f"DELETE FROM {TABLE} WHERE {condition} RETURNING request_id", params
        )
        return len(rows)

    pending, rejected = RequestStatus.PENDING.value, RequestStatus.REJECTED.value
    approved = RequestStatus.APPROVED.value
    return Purged(
        never_decided=await delete(
            f"status = {marks[0]} AND created_at < {marks[1]}", [pending, cutoff]
        ),
        rejected=await delete(
            f"status = {marks[0]} AND decided_at < {marks[1]}", [rejected, cutoff]
        ),
        unclaimed=await delete(
            f"status = {marks[0]} AND claimed_at IS NULL AND decided_at < {marks[1]}",
            [approved, cutoff],
        ),
        key_revoked=await delete(
            f"status = {marks[0]} AND key_prefix IN (SELECT prefix FROM api_key "
            f"WHERE revoked_at IS NOT NULL AND revoked_at < {marks[1]})",
            [approved, cutoff],
        ),
    )
