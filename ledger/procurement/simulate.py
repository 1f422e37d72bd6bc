"""A year of standardised purchases through the real state machine, on a simulated clock.

The timings are assumptions, stated here so the result can be argued with: a department
publishes its draft 2 to 20 hours after writing it; bids are open 5 days (KONEPS's shortest
notice for small goods purchases) and reveals 1 day; 3 to 8 of 40 registered vendors bid
70 to 100 % of the ceiling with 3 to 30 days' delivery, and 1 in 20 never reveals; evaluation
and award follow the reveal deadline at once; the receiving department confirms delivery 0 to
24 hours after the promised day, and payment follows confirmation. Cycle time is from the draft
to the award, the span Seoul's figures (23 days manual, 7 automated) describe.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ledger.log import Log
from ledger.procurement import contracts
from ledger.procurement.rules import ProcurementRefusal
from ledger.procurement.sealing import Weights, commitment, new_nonce

MANUAL_DAYS = 23
AUTOMATED_DAYS = 7
BID_WINDOW = timedelta(days=5)
REVEAL_WINDOW = timedelta(days=1)
VENDORS = 40
ITEMS = (
    ("Office paper, A4, 2,000 boxes", "General Affairs"),
    ("Laptops for district offices", "Information Policy"),
    ("Air-quality sensor spare parts", "Climate and Environment"),
    ("Street tree saplings", "Parks and Landscaping"),
    ("Winter de-icing salt", "Road Management"),
    ("Library books", "Culture"),
    ("Protective equipment", "Safety"),
    ("School meal cooking equipment", "Education"),
)


@dataclass
class Report:
    purchases: int = 0
    awarded: int = 0
    paid: int = 0
    without_bids: int = 0
    to_award_days: list[float] = field(default_factory=list)
    to_payment_days: list[float] = field(default_factory=list)
    log_entries: int = 0

    def summary(self, days: list[float]) -> tuple[float, float, float]:
        if not days:
            return (0.0, 0.0, 0.0)
        ordered = sorted(days)
        return (
            statistics.mean(ordered),
            statistics.median(ordered),
            ordered[int(0.9 * (len(ordered) - 1))],
        )


def _days(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 86_400


async def simulate_year(
    log: Log,
    *,
    purchases: int,
    year: int,
    seed: int = 1,
    advance: Callable[[int], None] = lambda done: None,
) -> Report:
    """Run `purchases` purchases spread over `year`; `advance(1)` after each one."""
    chance = random.Random(seed)
    start_size = (await log.head()).size
    begin = datetime(year, 1, 1, 9, tzinfo=UTC)
    vendors = [
        await contracts.register_vendor(log, f"Vendor {n:02d}", chance.randint(50, 100), begin)
        for n in range(VENDORS)
    ]
    report = Report()
    days = sorted(chance.uniform(0, 330) for _ in range(purchases))
    for offset in days:
        created = begin + timedelta(days=offset)
        title, department = chance.choice(ITEMS)
        ceiling = chance.randrange(5_000_000, 99_000_000, 100_000)
        row = await contracts.create(log, title, department, department, ceiling, at=created)
        published = created + timedelta(hours=chance.uniform(2, 20))
        bid_deadline = published + BID_WINDOW
        reveal_deadline = bid_deadline + REVEAL_WINDOW
        weights = chance.choice([Weights(60, 20, 20), Weights(50, 30, 20), Weights(70, 15, 15)])
        await contracts.publish(
            log, row.contract_id, weights, bid_deadline, reveal_deadline, at=published
        )
        bidders = chance.sample(vendors, chance.randint(3, 8))
        sealed = []
        for bidder in bidders:
            price = int(ceiling * chance.uniform(0.7, 1.0)) // 1000 * 1000
            delivery = chance.randint(3, 30)
            nonce = new_nonce()
            vendor_id = bidder.vendor.vendor_id
            committed = published + (bid_deadline - published) * chance.uniform(0.05, 0.95)
            await contracts.commit_bid(
                log,
                row.contract_id,
                vendor_id,
                bidder.secret,
                commitment(row.contract_id, vendor_id, price, delivery, nonce),
                at=committed,
            )
            sealed.append((bidder, price, delivery, nonce))
        for bidder, price, delivery, nonce in sealed:
            if chance.random() < 0.05:
                continue  # never revealed: the bid does not count
            revealed = bid_deadline + REVEAL_WINDOW * chance.uniform(0.05, 0.9)
            await contracts.reveal_bid(
                log,
                row.contract_id,
                bidder.vendor.vendor_id,
                bidder.secret,
                price,
                delivery,
                nonce,
                at=revealed,
            )
        evaluated = await contracts.evaluate(log, row.contract_id, at=reveal_deadline)
        report.purchases += 1
        try:
            awarded = await contracts.award(
                log, row.contract_id, at=reveal_deadline + timedelta(minutes=1)
            )
        except ProcurementRefusal:
            report.without_bids += 1
            advance(1)
            continue
        assert awarded.awarded_at is not None
        report.awarded += 1
        report.to_award_days.append(_days(created, awarded.awarded_at))
        promised = next(d for b, _, d, _ in sealed if b.vendor.vendor_id == awarded.awarded_vendor)
        arrived = awarded.awarded_at + timedelta(days=promised, hours=chance.uniform(0, 24))
        await contracts.confirm_delivery(log, row.contract_id, department, at=arrived)
        paid = await contracts.pay(log, row.contract_id, at=arrived + timedelta(minutes=5))
        assert paid.paid_at is not None
        assert evaluated.evaluated_at is not None
        report.paid += 1
        report.to_payment_days.append(_days(created, paid.paid_at))
        advance(1)
    report.log_entries = (await log.head()).size - start_size
    return report
