"""GraphQL types of the trust domain: signed tree heads, log entries and their proofs.

Hashes are base64 (as in checkpoints and transparency-dev's probes); key ids are hex.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import strawberry
from graphql import OperationType
from strawberry.scalars import JSON

from graph.records.certificates import CertificateRow
from graph.records.log_tree import EntryRow
from ledger import certificates
from ledger.documents import CertificateKind
from ledger.entries import Entry
from ledger.errors import LedgerError
from ledger.log import Log, SignedHead
from ledger.qr import QrPayload
from resolvers.core.errors import not_found
from resolvers.core.info import Info
from resolvers.trust.dataloaders import CertificateByIdLoader, LogEntryByIndexLoader
from resolvers.trust.errors import log_error


def b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


@strawberry.type(
    description="A signed tree head: a C2SP checkpoint note with an Ed25519 signature."
)
class SignedTreeHead:
    origin: str = strawberry.field(description="The log's origin line (and key name).")
    tree_size: int
    root_hash: str = strawberry.field(description="MTH of the first treeSize leaves, base64.")
    signed_at: datetime
    checkpoint: str = strawberry.field(
        description="The signed note itself: save it, audit it later with `civicgraph log audit`."
    )
    key_id: str = strawberry.field(description="The 4-byte signed-note key id, hex.")
    verifier_key: str = strawberry.field(
        description="NAME+KEYID+KEY: what a verifier configures to check heads offline."
    )

    @classmethod
    def of(cls, head: SignedHead, log: Log) -> SignedTreeHead:
        verifier = log.signer.verifier
        return cls(
            origin=head.checkpoint.origin,
            tree_size=head.size,
            root_hash=b64(head.root),
            signed_at=head.signed_at,
            checkpoint=head.note,
            key_id=verifier.key_id.hex(),
            verifier_key=verifier.encode(),
        )


@strawberry.type(description="RFC 9162 §2.1.3: the path from a leaf to the root of a tree size.")
class InclusionProof:
    leaf_index: int
    tree_size: int
    leaf_hash: str
    root_hash: str
    hashes: list[str] = strawberry.field(description="PATH(leafIndex, D[treeSize]), leaf first.")


@strawberry.type(description="RFC 9162 §2.1.4: that one tree size extends an earlier one.")
class ConsistencyProof:
    from_size: int
    to_size: int
    from_root: str
    to_root: str
    hashes: list[str] = strawberry.field(description="PROOF(fromSize, D[toSize]).")


@strawberry.federation.type(keys=["index"], description="One leaf of the verifiable log.")
class LogEntry:
    index: int
    kind: str
    subject: str
    leaf_input: str = strawberry.field(description="The exact bytes hashed, base64.")
    leaf_hash: str
    appended_at: datetime
    row: strawberry.Private[EntryRow]

    @strawberry.field(description="The leaf's fields, decoded from its canonical JSON.")
    def body(self) -> JSON:
        return JSON(dict(Entry.decode(self.row.leaf_input).body))

    @strawberry.field(description="Proof of this leaf against a tree size (default: the head).")
    async def inclusion_proof(self, info: Info, tree_size: int | None = None) -> InclusionProof:
        log = info.context.the_log()
        try:
            size = tree_size if tree_size is not None else (await log.head()).size
            hashes = await log.inclusion_proof(self.index, size)
            root = await log.root(size)
        except LedgerError as error:
            raise log_error(error, "treeSize") from None
        return InclusionProof(
            leaf_index=self.index,
            tree_size=size,
            leaf_hash=self.leaf_hash,
            root_hash=b64(root),
            hashes=[b64(h) for h in hashes],
        )

    @classmethod
    async def resolve_reference(cls, info: Info, index: int) -> LogEntry:
        """Federation's `_entities` door: the leaf at `index` (NOT_FOUND past the log's end)."""
        return cls.of(await entry_at(info, index))

    @classmethod
    def of(cls, row: EntryRow) -> LogEntry:
        return cls(
            index=row.leaf_index,
            kind=row.kind,
            subject=row.subject,
            leaf_input=b64(row.leaf_input),
            leaf_hash=b64(row.leaf_hash),
            appended_at=datetime.fromtimestamp(row.appended_at / 1000, UTC),
            row=row,
        )


strawberry.enum(CertificateKind, description="What a certificate certifies.")


@strawberry.federation.type(
    keys=["id"], description="A certificate the city issued, with its hash in the log."
)
class Certificate:
    id: strawberry.ID
    kind: CertificateKind
    document_sha256: str = strawberry.field(description="SHA-256 of the canonical document, hex.")
    issued_at: datetime
    leaf_index: int = strawberry.field(description="The issuance leaf in the log.")
    revoked_at: datetime | None
    revocation_reason: str | None
    row: strawberry.Private[CertificateRow]

    @strawberry.field(description="The certified document (canonical JSON).")
    def document(self) -> JSON:
        return JSON(json.loads(self.row.document))

    @strawberry.field(description="The issuance leaf, with its inclusion proof.")
    async def issuance_entry(self, info: Info) -> LogEntry:
        return LogEntry.of(await entry_at(info, self.row.leaf_index))

    @strawberry.field(
        description="The revocation leaf, if revoked: what an online check asks (a query asking "
        "it counts once per certificate in `certificateStatistics.verified`)."
    )
    async def revocation_entry(self, info: Info) -> LogEntry | None:
        count_verification(info, self.row.cert_id)
        if self.row.revocation_leaf is None:
            return None
        return LogEntry.of(await entry_at(info, self.row.revocation_leaf))

    @strawberry.field(description="What the certificate's QR code carries (ASCII JSON).")
    async def qr_payload(self, info: Info) -> str:
        return (await payload_for(info, self.row)).encode()

    @strawberry.field(description="The QR code as an SVG document.")
    async def qr_svg(self, info: Info) -> str:
        return (await payload_for(info, self.row)).svg()

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Certificate:
        """Federation's `_entities` door: the certificate by its id (NOT_FOUND if none)."""
        found = await info.context.loader(CertificateByIdLoader).load(str(id))
        if found is None:
            raise not_found("certificate", str(id), "id")
        return cls.of(found)

    @classmethod
    def of(cls, row: CertificateRow) -> Certificate:
        return cls(
            id=strawberry.ID(row.cert_id),
            kind=CertificateKind(row.kind),
            document_sha256=row.document_sha256,
            issued_at=row.issued_at,
            leaf_index=row.leaf_index,
            revoked_at=row.revoked_at,
            revocation_reason=row.revocation_reason or None,
            row=row,
        )


class CountedChecks:
    """The certificates whose verification one request has counted (built per request by
    `Context.loader`, so aliases of one certificate count once)."""

    def __init__(self, context: object) -> None:
        self.cert_ids: set[str] = set()


def count_verification(info: Info, cert_id: str) -> None:
    """Count a verification of `cert_id` served by a query (not a mutation's answer), once per
    request; writing the count happens in the background (ledger.verification_tally)."""
    checks = info.context.certificate_checks
    if checks is None or info.operation.operation is not OperationType.QUERY:
        return
    counted = info.context.loader(CountedChecks).cert_ids
    if cert_id not in counted:
        counted.add(cert_id)
        checks.record()


async def entry_at(info: Info, index: int) -> EntryRow:
    """The log's leaf at `index`, through the request's loader. Raises NOT_FOUND."""
    found = await info.context.loader(LogEntryByIndexLoader).load(index)
    if found is None:
        raise not_found("log entry", str(index), "index")
    return found


async def payload_for(info: Info, row: CertificateRow) -> QrPayload:
    context = info.context
    return await certificates.qr_payload(
        context.the_log(),
        row,
        max_bytes=context.trust.qr_max_bytes,
        proof_url=f"{context.trust.public_url}/certificates/{row.cert_id}/proof",
    )
