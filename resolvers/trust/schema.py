"""Queries of the trust domain: the log's head, its entries, consistency between heads."""

from __future__ import annotations

import strawberry

from graph.records.log_tree import heads_newest_first
from graph.records.procurement import latest_contracts
from ledger.errors import LedgerError
from ledger.log import SignedHead
from ledger.procurement.rules import ContractState
from resolvers.core.errors import ApiError, ApiErrorCode
from resolvers.core.info import Info
from resolvers.core.pagination import DEFAULT_PAGE_SIZE
from resolvers.trust import mutations
from resolvers.trust.errors import log_error
from resolvers.trust.mutations import bids, procurement_steps
from resolvers.trust.procurement_types import Contract, ContractStepResult
from resolvers.trust.statistics import (
    CertificateStatistics,
    ProcurementStatistics,
    certificate_statistics,
    procurement_statistics,
)
from resolvers.trust.types import Certificate, ConsistencyProof, LogEntry, SignedTreeHead, b64


@strawberry.type(name="Query")
class TrustQuery:
    @strawberry.field(description="The verifiable log's current signed tree head.")
    async def log_head(self, info: Info) -> SignedTreeHead:
        log = info.context.the_log()
        return SignedTreeHead.of(await log.head(), log)

    @strawberry.field(description="One leaf of the log by index (from 0), with its proof.")
    async def log_entry(self, info: Info, index: int) -> LogEntry:
        try:
            return LogEntry.of(await info.context.the_log().entry(index))
        except LedgerError as error:
            raise log_error(error, "index") from None

    @strawberry.field(
        description="Proof that the tree at toSize (default: the head) extends fromSize."
    )
    async def log_consistency(
        self, info: Info, from_size: int, to_size: int | None = None
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
    async def certificate(self, info: Info, id: strawberry.ID) -> Certificate:
        return await Certificate.resolve_reference(info, id)

    @strawberry.field(description="A procurement contract by id, with its bids and log history.")
    async def contract(self, info: Info, id: strawberry.ID) -> Contract:
        return await Contract.resolve_reference(info, id)

    @strawberry.field(
        description="Signed tree heads the log has published, newest first: `first` of them "
        "(default 20, 1 to 100). Every append signs one, and every one is kept."
    )
    async def log_checkpoints(
        self, info: Info, first: int | None = DEFAULT_PAGE_SIZE
    ) -> list[SignedTreeHead]:
        wanted = checked_first(info, first)
        log = info.context.the_log()
        rows = await heads_newest_first(info.context.records, wanted)
        return [SignedTreeHead.of(SignedHead.from_row(row, log.origin), log) for row in rows]

    @strawberry.field(
        description="Procurement contracts, newest first: `first` of them (default 20, 1 to "
        "100), in the given states (none given or an empty list: every state)."
    )
    async def contracts(
        self,
        info: Info,
        state: list[ContractState] | None = None,
        first: int | None = DEFAULT_PAGE_SIZE,
    ) -> list[Contract]:
        wanted = checked_first(info, first)
        states = [s.value for s in dict.fromkeys(state)] if state else None
        rows = await latest_contracts(info.context.records, states, wanted)
        return [Contract.of(row) for row in rows]

    certificate_statistics: CertificateStatistics = strawberry.field(
        resolver=certificate_statistics,
        description="Certificates issued, revoked and verified, ever and today (Asia/Seoul).",
    )
    procurement_statistics: ProcurementStatistics = strawberry.field(
        resolver=procurement_statistics,
        description="Procurement in flight and completed, with the median cycle time in days "
        "beside Seoul's 23-day manual baseline.",
    )


def checked_first(info: Info, first: int | None) -> int:
    """`first` (null: the default page) if 1 <= first <= the page size limit; else
    OUT_OF_RANGE on `first`."""
    maximum = info.context.limits.max_page_size
    first = DEFAULT_PAGE_SIZE if first is None else first
    if not 1 <= first <= maximum:
        raise ApiError(ApiErrorCode.OUT_OF_RANGE, f"first must be between 1 and {maximum}", "first")
    return first


@strawberry.type(name="Mutation")
class TrustMutation:
    issue_certificate: mutations.IssueCertificateResult = strawberry.mutation(
        resolver=mutations.issue_certificate,
        description="Issue a certificate and log its document's hash (operator tier).",
    )
    revoke_certificate: mutations.RevokeCertificateResult = strawberry.mutation(
        resolver=mutations.revoke_certificate,
        description="Revoke a certificate with a log entry (operator tier).",
    )
    register_vendor: bids.RegisterVendorResult = strawberry.mutation(
        resolver=bids.register_vendor, description="Register a supplier (operator tier)."
    )
    create_contract: ContractStepResult = strawberry.mutation(
        resolver=procurement_steps.create_contract,
        description="Draft a purchase under 100,000,000 KRW (operator tier).",
    )
    publish_contract: ContractStepResult = strawberry.mutation(
        resolver=procurement_steps.publish_contract,
        description="Publish criteria weights and deadlines (operator tier).",
    )
    commit_bid: ContractStepResult = strawberry.mutation(
        resolver=bids.commit_bid,
        description="A vendor's sealed bid, before the bid deadline (vendor secret).",
    )
    reveal_bid: bids.RevealBidResult = strawberry.mutation(
        resolver=bids.reveal_bid,
        description="Open a sealed bid between the two deadlines (vendor secret).",
    )
    evaluate_contract: ContractStepResult = strawberry.mutation(
        resolver=procurement_steps.evaluate_contract,
        description="Score revealed bids by the published formula (operator tier).",
    )
    award_contract: ContractStepResult = strawberry.mutation(
        resolver=procurement_steps.award_contract,
        description="Award to the best score, once (operator tier).",
    )
    confirm_delivery: ContractStepResult = strawberry.mutation(
        resolver=procurement_steps.confirm_delivery,
        description="The receiving department confirms delivery (operator tier).",
    )
    pay_contract: ContractStepResult = strawberry.mutation(
        resolver=procurement_steps.pay_contract,
        description="Release payment after delivery (operator tier).",
    )
