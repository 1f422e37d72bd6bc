"""A vendor's steps (any tier, signed with the vendor's secret): commit and reveal a bid;
and the operator's registration of a vendor."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.records.api_keys import Tier
from ledger.procurement import contracts
from ledger.procurement.rules import ProcurementErrorCode
from ledger.procurement.rules import ProcurementRefusal as Refusal
from resolvers.core.info import Info
from resolvers.trust.mutations.procurement_steps import refused, step
from resolvers.trust.procurement_types import Bid, ContractStepResult, ProcurementError, Vendor


@strawberry.input
class CommitBidInput:
    contract_id: strawberry.ID
    vendor_id: strawberry.ID
    vendor_secret: str
    commitment: str = strawberry.field(
        description="SHA-256 hex of the canonical JSON {contract, delivery_days, nonce, "
        "price_krw, vendor}; see docs/api.md."
    )


async def commit_bid(info: Info, input: CommitBidInput) -> ContractStepResult:
    return await step(
        info,
        "bidding",
        lambda log: contracts.commit_bid(
            log, str(input.contract_id), str(input.vendor_id), input.vendor_secret, input.commitment
        ),
        operator=False,
    )


@strawberry.input
class RevealBidInput:
    contract_id: strawberry.ID
    vendor_id: strawberry.ID
    vendor_secret: str
    price_krw: int
    delivery_days: int
    nonce: str


@strawberry.type
class RevealBidSuccess:
    bid: Bid


RevealBidResult = Annotated[
    RevealBidSuccess | ProcurementError, strawberry.union("RevealBidResult")
]


async def reveal_bid(info: Info, input: RevealBidInput) -> RevealBidResult:
    try:
        row = await contracts.reveal_bid(
            info.context.the_log(),
            str(input.contract_id),
            str(input.vendor_id),
            input.vendor_secret,
            input.price_krw,
            input.delivery_days,
            input.nonce,
        )
    except Refusal as error:
        return refused(error)
    return RevealBidSuccess(bid=Bid.of(row))


@strawberry.input
class RegisterVendorInput:
    name: str
    rating: int = strawberry.field(description="0 to 100.")


@strawberry.type
class RegisterVendorSuccess:
    vendor: Vendor
    secret: str = strawberry.field(description="Shown once: the vendor bids with it.")


RegisterVendorResult = Annotated[
    RegisterVendorSuccess | ProcurementError, strawberry.union("RegisterVendorResult")
]


async def register_vendor(info: Info, input: RegisterVendorInput) -> RegisterVendorResult:
    if not info.context.tier.at_least(Tier.OPERATOR):
        return ProcurementError(
            code=ProcurementErrorCode.UNAUTHENTICATED,
            field=None,
            message="registering a vendor needs the operator tier",
        )
    try:
        made = await contracts.register_vendor(info.context.the_log(), input.name, input.rating)
    except Refusal as error:
        return refused(error)
    return RegisterVendorSuccess(vendor=Vendor.of(made.vendor), secret=made.secret)
