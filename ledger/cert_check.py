"""Checking a certificate's code: offline against the head it carries, online against a fresh one.

Offline needs only the log's verifier key: the signed head, the inclusion proof of the
issuance leaf rebuilt from the claim, and (if the holder shows it) the document's hash.
Online also asks the log for a fresh head, checks that it extends the carried one, and looks
for a revocation leaf, whose inclusion in the fresh head is itself checked.

`check` is the verifier's entry point: it picks the trusted log a code names (its origin) and
asks only that log's configured server; a code naming no trusted log is unknown and nothing is
asked. A code's own URL is never contacted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from ledger.checkpoint import Checkpoint, Verifier, open_checkpoint
from ledger.documents import CertificateKind, DocumentError, canonical_document, document_hash
from ledger.entries import Entry
from ledger.errors import CheckpointError, CheckpointErrorCode, LedgerError, ProofError
from ledger.hashing import hash_leaf
from ledger.qr import REVOKED, PayloadError, QrPayload
from ledger.trusted_logs import TrustedLog, claimed_origin, trusted_log_for
from ledger.verify import verify_consistency, verify_inclusion


class Status(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    TAMPERED = "tampered"
    UNKNOWN = "unknown"


EXIT_CODES = {Status.VALID: 0, Status.REVOKED: 3, Status.TAMPERED: 4, Status.UNKNOWN: 5}


@dataclass(frozen=True)
class Verdict:
    status: Status
    reason: str
    tree_size: int | None = None
    """The signed tree size the certificate was checked against."""
    online: bool = False


@dataclass(frozen=True)
class Revocation:
    leaf_index: int
    leaf_input: bytes
    proof: list[bytes]
    """Inclusion proof of the revocation leaf in the tree size it was asked against."""


@dataclass(frozen=True)
class Registered:
    """What the log's server says about a certificate id."""

    document_sha256: str
    revocation: Revocation | None


class LogSource(Protocol):
    """Where an online check asks (the GraphQL API, or the records directly)."""

    async def head(self) -> str: ...

    async def consistency(self, size1: int, size2: int) -> list[bytes]: ...

    async def registered(self, cert_id: str, tree_size: int) -> Registered | None: ...

    async def full_payload(self, cert_id: str) -> str:
        """The full payload of a link-only code, from this source's own log (never a URL
        taken from the code)."""
        ...


Connect = Callable[[TrustedLog], AbstractAsyncContextManager[LogSource]]
"""Opens a source over a trusted log's configured server (e.g. `ledger.remote.open_source`)."""


def document_digest(kind: str, document: dict[str, object]) -> str:
    """The hash of a holder's document, as issued (canonical JSON of its kind's model)."""
    return document_hash(canonical_document(CertificateKind(kind), document))


def _tampered(reason: str, size: int | None = None) -> Verdict:
    return Verdict(Status.TAMPERED, reason, size)


def _open_head(note: str, verifier: Verifier, origin: str | None) -> Checkpoint | Verdict:
    try:
        return open_checkpoint(note, verifier, origin=origin)
    except CheckpointError as error:
        if error.code in (CheckpointErrorCode.UNKNOWN_KEY, CheckpointErrorCode.WRONG_ORIGIN):
            return Verdict(Status.UNKNOWN, f"not signed by the log we trust: {error}")
        return _tampered(f"the signed head does not check out: {error}")


async def check(
    payload: QrPayload,
    trusted: Mapping[str, TrustedLog],
    document: dict[str, object] | None = None,
    *,
    connect: Connect | None = None,
) -> Verdict:
    """Check a code against the trusted log it names: offline when `connect` is None, else
    online through `connect(log)`, which is called only for a trusted log.

    A code naming no trusted log (by its head's origin, its `origin` field, or for an old
    link-only code its link) is UNKNOWN before anything is asked. Raises what the source
    raises when the server cannot say (e.g. `ledger.remote.RemoteError`).
    """
    log = trusted_log_for(payload, trusted)
    if log is None:
        named = claimed_origin(payload)
        which = f"log {named!r}" if named is not None else f"link {payload.url!r}"
        return Verdict(
            Status.UNKNOWN, f"the code names the {which}, which is not a trusted log: not asked"
        )
    if connect is None:
        return check_offline(payload, log.verifier, document, origin=log.origin)
    async with connect(log) as source:
        return await check_online(payload, log.verifier, source, document, origin=log.origin)


def check_offline(
    payload: QrPayload,
    verifier: Verifier,
    document: dict[str, object] | None = None,
    *,
    origin: str | None = None,
) -> Verdict:
    """Was this certificate in the log as of the signed head its code carries?

    The head must be for `origin` (default: the verifier key's name) and signed by `verifier`.
    """
    if payload.by_reference or payload.checkpoint is None:
        return Verdict(Status.UNKNOWN, "the code holds a link, not a proof: check it online")
    head = _open_head(payload.checkpoint, verifier, origin)
    if isinstance(head, Verdict):
        return head
    if head.size != payload.tree_size or payload.leaf_index is None:
        return _tampered("the code's tree size is not its signed head's", head.size)
    leaf = hash_leaf(payload.claim.entry().encode())
    try:
        verify_inclusion(payload.leaf_index, head.size, leaf, payload.proof, head.root)
    except ProofError as error:
        return _tampered(f"the claim is not in the signed tree: {error}", head.size)
    if document is not None:
        try:
            digest = document_digest(payload.claim.kind, document)
        except (DocumentError, ValueError, TypeError) as error:
            return _tampered(f"the document shown is not a valid {payload.claim.kind}: {error}")
        if digest != payload.claim.document_sha256:
            return _tampered("the document shown is not the one certified", head.size)
    return Verdict(
        Status.VALID,
        f"{payload.claim.cert_id} is leaf {payload.leaf_index} of the tree of {head.size} "
        "leaves signed by the log",
        head.size,
    )


async def check_online(
    payload: QrPayload,
    verifier: Verifier,
    source: LogSource,
    document: dict[str, object] | None = None,
    *,
    origin: str | None = None,
) -> Verdict:
    """The offline check, then a fresh head consistent with the carried one, then revocation.

    `source` must be the server of the log `verifier` and `origin` (default: the key's name)
    describe. A link-only code's full payload is asked of `source` by certificate id; the
    code's URL is not used, and a code naming another origin is UNKNOWN without asking.
    """
    expected = verifier.name if origin is None else origin
    if payload.url is not None:
        if payload.origin is not None and payload.origin != expected:
            return Verdict(Status.UNKNOWN, f"the code is for the log {payload.origin!r}, not ours")
        try:
            fetched = QrPayload.decode(await source.full_payload(payload.claim.cert_id))
        except PayloadError as error:
            return _tampered(f"the linked proof is not a payload: {error}")
        if fetched.claim != payload.claim:
            return _tampered("the linked proof is for another claim")
        payload = fetched
    offline = check_offline(payload, verifier, document, origin=expected)
    if offline.status is not Status.VALID:
        return offline
    assert payload.tree_size is not None
    fresh = _open_head(await source.head(), verifier, expected)
    if isinstance(fresh, Verdict):
        return fresh
    if fresh.size < payload.tree_size:
        return _tampered("the log's fresh head is older than the code's", fresh.size)
    proof = (
        []
        if fresh.size == payload.tree_size
        else await source.consistency(payload.tree_size, fresh.size)
    )
    try:  # equal sizes compare the roots: two heads of one size must be one head
        verify_consistency(
            payload.tree_size,
            fresh.size,
            proof,
            _carried_root(payload, verifier, expected),
            fresh.root,
        )
    except ProofError as error:
        return _tampered(f"the log's heads are inconsistent: {error}", fresh.size)
    registered = await source.registered(payload.claim.cert_id, fresh.size)
    if registered is None:
        return Verdict(
            Status.UNKNOWN, "the log's server does not know this certificate", fresh.size, True
        )
    if registered.document_sha256 != payload.claim.document_sha256:
        return _tampered("the server holds another document for this id", fresh.size)
    revocation = registered.revocation
    if revocation is None:
        return Verdict(
            Status.VALID,
            f"{offline.reason}; not revoked as of {fresh.size} leaves",
            fresh.size,
            True,
        )
    try:
        entry = Entry.decode(revocation.leaf_input)
        verify_inclusion(
            revocation.leaf_index,
            fresh.size,
            hash_leaf(revocation.leaf_input),
            revocation.proof,
            fresh.root,
        )
    except LedgerError as error:
        return _tampered(f"the server's revocation does not check out: {error}", fresh.size)
    if entry.kind != REVOKED or entry.subject != payload.claim.cert_id:
        return _tampered("the server's revocation leaf is about something else", fresh.size)
    reason = entry.body.get("reason", "")
    when = entry.body.get("revoked_at", "")
    return Verdict(Status.REVOKED, f"revoked {when}: {reason}", fresh.size, True)


def _carried_root(payload: QrPayload, verifier: Verifier, origin: str) -> bytes:
    assert payload.checkpoint is not None
    return open_checkpoint(payload.checkpoint, verifier, origin=origin).root
