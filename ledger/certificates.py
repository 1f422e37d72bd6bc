"""Issuing and revoking certificates: a document in the records, its hash as a log leaf.

The issuance leaf says which certificate, of which kind, over which document hash, issued
when; a revocation is a later leaf about the same certificate. Each leaf commits in one
transaction with the certificate's row, so the records never name a leaf the log lacks.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from graph.records.certificates import (
    CertificateRow,
    find_certificate,
    insert_certificate,
    mark_revoked,
)
from graph.storable_text import storable
from ledger.documents import CertificateKind, canonical_document, document_hash
from ledger.entries import Entry
from ledger.errors import CodedError
from ledger.log import Log, SignedHead
from ledger.qr import REVOKED, CertificateClaim, QrPayload

PREFIX = {
    CertificateKind.BUSINESS_REGISTRATION: "BR",
    CertificateKind.BUILDING_PERMIT: "BP",
    CertificateKind.EVENT_LICENCE: "EL",
}
MAX_REASON = 500


class CertificateErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    ALREADY_REVOKED = "already_revoked"
    INVALID = "invalid"


class CertificateError(CodedError[CertificateErrorCode]):
    """A certificate that cannot be issued or revoked as asked."""


@dataclass(frozen=True)
class Issued:
    certificate: CertificateRow
    head: SignedHead


def claim_of(row: CertificateRow) -> CertificateClaim:
    return CertificateClaim(
        cert_id=row.cert_id,
        kind=row.kind,
        document_sha256=row.document_sha256,
        issued_at=row.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def new_id(kind: CertificateKind, at: datetime) -> str:
    """`BR-2026-3F9A1C7E2B`: the kind, the year, 40 random bits (no sequence to guess)."""
    return f"{PREFIX[kind]}-{at:%Y}-{secrets.token_hex(5).upper()}"


def _moment(at: datetime | None) -> datetime:
    """`at` (an aware instant; default now) in UTC, to the second."""
    return (at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)


async def issue(
    log: Log, kind: CertificateKind, document: Mapping[str, Any], *, at: datetime | None = None
) -> Issued:
    """Check the document against its kind, store it and log its hash, together.

    `at` is when the city issued it (default now; `civicgraph seed` gives past days)."""
    canonical = canonical_document(kind, document)
    at = _moment(at)
    row = CertificateRow(
        cert_id=new_id(kind, at),
        kind=kind.value,
        document=canonical.decode(),
        document_sha256=document_hash(canonical),
        issued_at=at,
        leaf_index=-1,
    )
    stored: list[CertificateRow] = []

    async def store(client: BaseDBAsyncClient, leaf_index: int) -> None:
        stored.append(replace(row, leaf_index=leaf_index))
        await insert_certificate(log.records, client, stored[0])

    appended = await log.append([claim_of(row).entry()], then=store)
    return Issued(stored[0], appended.head)


async def revoke(
    log: Log, cert_id: str, reason: str, *, at: datetime | None = None
) -> CertificateRow:
    """Log a revocation of `cert_id` and mark it revoked, together; it cannot be undone.

    `at` is when (default now); INVALID if it precedes the issuance."""
    reason = reason.strip()
    if not 0 < len(reason) <= MAX_REASON:
        raise CertificateError(
            CertificateErrorCode.INVALID, f"a reason of 1 to {MAX_REASON} characters", "reason"
        )
    found = await find_certificate(log.records, cert_id) if storable(cert_id) else None
    if found is None:
        raise CertificateError(
            CertificateErrorCode.NOT_FOUND, f"no certificate {cert_id[:80]!r}", "id"
        )
    if found.revoked_at is not None:
        raise CertificateError(
            CertificateErrorCode.ALREADY_REVOKED,
            f"{cert_id} was revoked on {found.revoked_at:%Y-%m-%d}",
            "id",
        )
    at = _moment(at)
    if at < found.issued_at:
        raise CertificateError(
            CertificateErrorCode.INVALID, f"{cert_id} was issued after {at:%Y-%m-%d %H:%M}", "at"
        )
    entry = Entry(REVOKED, cert_id, {"reason": reason, "revoked_at": f"{at:%Y-%m-%dT%H:%M:%SZ}"})

    async def mark(client: BaseDBAsyncClient, leaf_index: int) -> None:
        if not await mark_revoked(log.records, client, cert_id, at, reason, leaf_index):
            raise CertificateError(
                CertificateErrorCode.ALREADY_REVOKED, f"{cert_id} is already revoked", "id"
            )

    appended = await log.append([entry], then=mark)
    return replace(
        found, revoked_at=at, revocation_reason=reason, revocation_leaf=appended.first_index
    )


async def certificate(log: Log, cert_id: str) -> CertificateRow:
    found = await find_certificate(log.records, cert_id) if storable(cert_id) else None
    if found is None:
        raise CertificateError(
            CertificateErrorCode.NOT_FOUND, f"no certificate {cert_id[:80]!r}", "id"
        )
    return found


async def qr_payload(log: Log, row: CertificateRow, *, max_bytes: int, proof_url: str) -> QrPayload:
    """The full payload (proof against the current head) or, if over `max_bytes`, a reference
    to `proof_url` where the full one is served."""
    full = await full_payload(log, row)
    if len(full.encode()) <= max_bytes:
        return full
    return QrPayload(claim=claim_of(row), url=proof_url, origin=log.origin)


async def full_payload(log: Log, row: CertificateRow) -> QrPayload:
    head = await log.head()
    proof = await log.inclusion_proof(row.leaf_index, head.size)
    return QrPayload(
        claim=claim_of(row),
        leaf_index=row.leaf_index,
        tree_size=head.size,
        proof=tuple(proof),
        checkpoint=head.note,
    )
