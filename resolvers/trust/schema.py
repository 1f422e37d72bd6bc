"""Queries of the trust domain: the log's head, its entries, consistency between heads."""

from __future__ import annotations

import strawberry

from ledger import certificates
from ledger.certificates import CertificateError
from ledger.errors import LedgerError
from resolvers.city.types import CityInfo
from resolvers.core.errors import not_found
from resolvers.trust import mutations
from resolvers.trust.errors import log_error
from resolvers.trust.types import Certificate, ConsistencyProof, LogEntry, SignedTreeHead, b64


@strawberry.type
class TrustQuery:
    @strawberry.field(description="The verifiable log's current signed tree head.")
    async def log_head(self, info: CityInfo) -> SignedTreeHead:
        log = info.context.the_log()
        return SignedTreeHead.of(await log.head(), log)

    @strawberry.field(description="One leaf of the log by index (from 0), with its proof.")
    async def log_entry(self, info: CityInfo, index: int) -> LogEntry:
        try:
            return LogEntry.of(await info.context.the_log().entry(index))
        except LedgerError as error:
            raise log_error(error, "index") from None

    @strawberry.field(
        description="Proof that the tree at toSize (default: the head) extends fromSize."
    )
    async def log_consistency(
        self, info: CityInfo, from_size: int, to_size: int | None = None
    ) -> ConsistencyProof:
        log = info.context.the_log()
        try:
            size = to_size if to_size is not None else (await log.head()).size
            hashes = await log.consistency_proof(from_size, size)
            from_root, to_root = await log.root(from_size), await log.root(size)
        except LedgerError as error:
            raise log_error(error, "fromSize") from None
        return ConsistencyProof(
            from_size=from_size,
            to_size=size,
            from_root=b64(from_root),
            to_root=b64(to_root),
            hashes=[b64(h) for h in hashes],
        )

    @strawberry.field(description="A certificate by id: its document, log leaves and QR code.")
    async def certificate(self, info: CityInfo, id: strawberry.ID) -> Certificate:
        try:
            return Certificate.of(await certificates.certificate(info.context.the_log(), id))
        except CertificateError:
            raise not_found("certificate", id, "id") from None


@strawberry.type
class TrustMutation:
    issue_certificate: mutations.IssueCertificateResult = strawberry.mutation(
        resolver=mutations.issue_certificate,
        description="Issue a certificate and log its document's hash (operator tier).",
    )
    revoke_certificate: mutations.RevokeCertificateResult = strawberry.mutation(
        resolver=mutations.revoke_certificate,
        description="Revoke a certificate with a log entry (operator tier).",
    )
