"""Indicators of the trust domain: certificates issued, revoked and verified; procurement in
flight and its cycle time against Seoul's manual baseline.

Certificates and contracts are things the city issues and buys, not people: their counts are
never withheld. "Today" is the calendar day in Asia/Seoul at the time of the request.
"""

from __future__ import annotations

import strawberry

from graph.city_day import city_day, day_span
from graph.records.certificate_checks import verification_totals
from graph.records.certificates import counts_by_kind
from graph.records.procurement import count_by_state, median_cycle_days
from ledger.documents import CertificateKind
from ledger.procurement.rules import MANUAL_BASELINE_DAYS, ContractState
from resolvers.core import clock
from resolvers.core.info import Info
from resolvers.core.statistics import KeyCount, cells


@strawberry.type(
    description="Certificates the city issued and revoked (from the certificate records) and "
    "the verifications the platform served (the proof door and GraphQL checks), ever and today "
    "(Asia/Seoul). Counts of documents: never withheld."
)
class CertificateStatistics:
    issued: int
    issued_today: int
    revoked: int
    revoked_today: int
    verified: int = strawberry.field(
        description="Verifications served: `GET /certificates/{id}/proof` answered, and "
        "`Certificate.revocationEntry` asked in a query (what an online check asks)."
    )
    verified_today: int
    by_kind: list[KeyCount] = strawberry.field(
        description="Certificates issued per kind (key: the CertificateKind), every kind listed."
    )


@strawberry.type(
    description="Procurement contracts in flight and completed (paid), the median cycle time "
    "of the completed ones beside Seoul's manual baseline. Counts of contracts: never withheld."
)
class ProcurementStatistics:
    in_flight: int = strawberry.field(description="Contracts not yet paid.")
    completed: int = strawberry.field(description="Contracts paid.")
    median_cycle_days: float | None = strawberry.field(
        description="Median days from creation to payment over paid contracts; null if none."
    )
    manual_baseline_days: float = strawberry.field(
        description="Seoul's average cycle by the manual process: 23 days (the Seoul Metropolitan "
        "Government's account of its smart-contract procurement)."
    )
    by_state: list[KeyCount] = strawberry.field(
        description="Contracts per state (key: the ContractState), every state listed."
    )


async def certificate_statistics(info: Info) -> CertificateStatistics:
    """Two queries: certificates grouped by kind, and the verification day rows."""
    context = info.context
    today = city_day(clock.utc_now())
    start, end = day_span(today)
    if context.certificate_checks is not None:
        await context.certificate_checks.drain()  # this worker's verifications, written
    by_kind = {row.kind: row for row in await counts_by_kind(context.records, start, end)}
    verified, verified_today = await verification_totals(context.records, today.isoformat())
    rows = by_kind.values()
    issued = {kind: row.issued for kind, row in by_kind.items()}
    return CertificateStatistics(
        issued=sum(row.issued for row in rows),
        issued_today=sum(row.issued_within for row in rows),
        revoked=sum(row.revoked for row in rows),
        revoked_today=sum(row.revoked_within for row in rows),
        verified=verified,
        verified_today=verified_today,
        by_kind=cells(
            [(kind.name, issued.get(kind.value, 0)) for kind in CertificateKind],
            sees_small_cells=True,
        ),
    )


async def procurement_statistics(info: Info) -> ProcurementStatistics:
    """Two queries: contracts grouped by state, and the median cycle of the paid ones."""
    records = info.context.records
    by_state = await count_by_state(records)
    completed = by_state.get(ContractState.PAID.value, 0)
    return ProcurementStatistics(
        in_flight=sum(by_state.values()) - completed,
        completed=completed,
        median_cycle_days=await median_cycle_days(records),
        manual_baseline_days=MANUAL_BASELINE_DAYS,
        by_state=cells(
            [(state.name, by_state.get(state.value, 0)) for state in ContractState],
            sees_small_cells=True,
        ),
    )
