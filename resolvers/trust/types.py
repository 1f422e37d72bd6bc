"""GraphQL types of the trust domain: signed tree heads, log entries and their proofs.

Hashes are base64 (as in checkpoints and transparency-dev's probes); key ids are hex.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import strawberry
from strawberry.scalars import JSON

from graph.records.log_tree import EntryRow
from ledger.entries import Entry
from ledger.errors import LedgerError
from ledger.log import Log, SignedHead
from resolvers.city.types import CityInfo
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


@strawberry.type(description="One leaf of the verifiable log.")
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
    async def inclusion_proof(self, info: CityInfo, tree_size: int | None = None) -> InclusionProof:
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
