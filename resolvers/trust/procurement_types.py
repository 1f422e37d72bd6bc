"""GraphQL types of procurement: contracts, sealed bids, vendors, and the typed refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import strawberry

from graph.records.procurement import BidRow, ContractRow, VendorRow, bids_for
from ledger.procurement.rules import ContractState, ProcurementErrorCode
from resolvers.core.error_interface import Error, code_field
from resolvers.core.errors import not_found
from resolvers.core.info import Info
from resolvers.trust.dataloaders import ContractByIdLoader
from resolvers.trust.types import LogEntry

strawberry.enum(ContractState, description="Where a purchase stands.")
strawberry.enum(ProcurementErrorCode, description="Why a procurement step was refused.")


@strawberry.type(description="A refused procurement step: an illegal transition or bad input.")
class ProcurementError(Error):
    code: str = code_field("ProcurementErrorCode")


@strawberry.type(description="A sealed bid: the commitment, and its values once revealed.")
class Bid:
    vendor_id: strawberry.ID
    commitment: str = strawberry.field(description="SHA-256 of the sealed values, hex.")
    committed_at: datetime
    price_krw: int | None
    delivery_days: int | None
    revealed_at: datetime | None
    score_ppm: int | None = strawberry.field(description="The formula's score, parts per million.")
    rank: int | None

    @classmethod
    def of(cls, row: BidRow) -> Bid:
        return cls(
            vendor_id=strawberry.ID(row.vendor_id),
            commitment=row.commitment,
            committed_at=row.committed_at,
            price_krw=row.price_krw,
            delivery_days=row.delivery_days,
            revealed_at=row.revealed_at,
            score_ppm=row.score,
            rank=row.rank,
        )


@strawberry.type(description="A registered supplier.")
class Vendor:
    id: strawberry.ID
    name: str
    rating: int

    @classmethod
    def of(cls, row: VendorRow) -> Vendor:
        return cls(id=strawberry.ID(row.vendor_id), name=row.name, rating=row.rating)


@strawberry.federation.type(
    keys=["id"], description="A standardised purchase under 100,000,000 KRW."
)
class Contract:
    id: strawberry.ID
    title: str
    department: str
    receiving_department: str
    ceiling_krw: int
    state: ContractState
    weight_price: int
    weight_delivery: int
    weight_rating: int
    created_at: datetime
    published_at: datetime | None
    bid_deadline: datetime | None
    reveal_deadline: datetime | None
    evaluated_at: datetime | None
    awarded_at: datetime | None
    awarded_vendor: strawberry.ID | None
    awarded_price_krw: int | None
    delivered_at: datetime | None
    paid_at: datetime | None

    @strawberry.field(
        description="Days from creation to payment, or to now while the contract is in flight."
    )
    def cycle_days(self) -> float:
        return cycle_days(self.created_at, self.paid_at, datetime.now(UTC))

    @strawberry.field(description="Sealed bids, in commitment order.")
    async def bids(self, info: Info) -> list[Bid]:
        return [Bid.of(row) for row in await bids_for(info.context.records, str(self.id))]

    @strawberry.field(description="Every logged step of this contract, oldest first.")
    async def history(self, info: Info) -> list[LogEntry]:
        return [
            LogEntry.of(row) for row in await info.context.the_log().entries_about(str(self.id))
        ]

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Contract:
        """Federation's `_entities` door: the contract by its id (NOT_FOUND if none)."""
        found = await info.context.loader(ContractByIdLoader).load(str(id))
        if found is None:
            raise not_found("contract", str(id), "id")
        return cls.of(found)

    @classmethod
    def of(cls, row: ContractRow) -> Contract:
        values = {name: getattr(row, name) for name in row.__dataclass_fields__}
        values["id"] = strawberry.ID(values.pop("contract_id"))
        values["state"] = ContractState(row.state)
        return cls(**values)


def cycle_days(created_at: datetime, paid_at: datetime | None, now: datetime) -> float:
    """Days (fractional) from `created_at` to `paid_at`, or to `now` if unpaid."""
    return ((paid_at or now) - created_at) / timedelta(days=1)


@strawberry.type
class ContractStepSuccess:
    contract: Contract


ContractStepResult = Annotated[
    ContractStepSuccess | ProcurementError, strawberry.union("ContractStepResult")
]
