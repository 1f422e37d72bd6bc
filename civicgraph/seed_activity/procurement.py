"""The seed's procurement: purchases at every stage of the state machine, some paid.

Each purchase follows one timeline through `ledger.procurement.contracts` (the procurement
mutations' functions), each step at its own past time: the draft, publication 4 hours later
with a 5-day bid window and a 1-day reveal window (`ledger.procurement.simulate`'s), sealed
bids from 3 to 5 vendors, their reveals, evaluation when reveals close, the award 2 hours
later, delivery 2 to 6 days after that and payment a day after delivery. A purchase is
created so far back that the seed's "now" falls after the step of its target state and
before the next one; the steps up to "now" are taken, no others.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ledger.log import Log
from ledger.procurement import contracts
from ledger.procurement.contracts import RegisteredVendor
from ledger.procurement.rules import ContractState
from ledger.procurement.sealing import Weights, commitment, new_nonce
from ledger.procurement.simulate import BID_WINDOW, ITEMS, REVEAL_WINDOW

VENDORS = 8
TARGETS = (
    *[ContractState.PAID] * 5,
    ContractState.DELIVERED,
    ContractState.AWARDED,
    ContractState.AWARDED,
    ContractState.EVALUATED,
    ContractState.BIDDING,
    ContractState.BIDDING,
    ContractState.PUBLISHED,
    ContractState.DRAFT,
)
"""The state each seeded purchase stands in after the seed."""
LAST_STEP = {
    ContractState.DRAFT: ("created", "published"),
    ContractState.PUBLISHED: ("published", "first_bid"),
    ContractState.BIDDING: ("first_bid", "bid_deadline"),
    ContractState.EVALUATED: ("evaluated", "awarded"),
    ContractState.AWARDED: ("awarded", "delivered"),
    ContractState.DELIVERED: ("delivered", "paid"),
}
"""For a target state: the last step taken, and the next step, which "now" precedes."""


@dataclass(frozen=True)
class Bidder:
    vendor: RegisteredVendor
    price_krw: int
    delivery_days: int
    nonce: str
    commits: timedelta
    reveals: timedelta


@dataclass(frozen=True)
class Timeline:
    """One purchase's steps, as offsets from its creation."""

    title: str
    department: str
    ceiling_krw: int
    weights: Weights
    bidders: list[Bidder]
    steps: dict[str, timedelta]

    @classmethod
    def draw(cls, vendors: list[RegisteredVendor], chance: random.Random) -> Timeline:
        title, department = chance.choice(ITEMS)
        ceiling = chance.randrange(5_000_000, 99_000_000, 100_000)
        published = timedelta(hours=4)
        bid_deadline = published + BID_WINDOW
        evaluated = bid_deadline + REVEAL_WINDOW
        bidders = [
            Bidder(
                vendor,
                int(ceiling * chance.uniform(0.7, 1.0)) // 1000 * 1000,
                chance.randint(2, 6),
                new_nonce(),
                published + BID_WINDOW * chance.uniform(0.1, 0.9),
                bid_deadline + REVEAL_WINDOW * chance.uniform(0.05, 0.9),
            )
            for vendor in chance.sample(vendors, chance.randint(3, 5))
        ]
        awarded = evaluated + timedelta(hours=2)
        # the winner is known only after evaluation: every bidder delivers in 2 to 6 days,
        # so the delivery step waits for the slowest promise
        delivered = awarded + timedelta(days=max(b.delivery_days for b in bidders), hours=3)
        steps = {
            "created": timedelta(0),
            "published": published,
            "first_bid": min(b.commits for b in bidders),
            "bid_deadline": bid_deadline,
            "evaluated": evaluated,
            "awarded": awarded,
            "delivered": delivered,
            "paid": delivered + timedelta(days=1),
        }
        weights = chance.choice([Weights(60, 20, 20), Weights(50, 30, 20), Weights(70, 15, 15)])
        return cls(title, department, ceiling, weights, bidders, steps)

    def created_for(self, target: ContractState, now: datetime, chance: random.Random) -> datetime:
        """A creation time that leaves the purchase in `target` at `now`."""
        if target is ContractState.PAID:
            return now - self.steps["paid"] - timedelta(days=chance.uniform(0.5, 12))
        last, after = (self.steps[name] for name in LAST_STEP[target])
        return now - last - (after - last) * chance.uniform(0.2, 0.8)


async def run_timeline(log: Log, timeline: Timeline, created: datetime, now: datetime) -> int:
    """Take the purchase's steps that fall before `now`; returns how many were taken."""
    steps = timeline.steps
    at = {name: created + offset for name, offset in steps.items()}
    department = timeline.department
    row = await contracts.create(
        log, timeline.title, department, department, timeline.ceiling_krw, at=created
    )
    taken = 1
    cid = row.contract_id
    if at["published"] > now:
        return taken
    bid_deadline, reveal_deadline = at["bid_deadline"], at["evaluated"]
    await contracts.publish(
        log, cid, timeline.weights, bid_deadline, reveal_deadline, at=at["published"]
    )
    taken += 1
    for bidder in sorted(timeline.bidders, key=lambda b: b.commits):
        if created + bidder.commits > now:
            return taken
        vendor_id = bidder.vendor.vendor.vendor_id
        sealed = commitment(cid, vendor_id, bidder.price_krw, bidder.delivery_days, bidder.nonce)
        await contracts.commit_bid(
            log, cid, vendor_id, bidder.vendor.secret, sealed, at=created + bidder.commits
        )
        taken += 1
    for bidder in sorted(timeline.bidders, key=lambda b: b.reveals):
        if created + bidder.reveals > now:
            return taken
        await contracts.reveal_bid(
            log,
            cid,
            bidder.vendor.vendor.vendor_id,
            bidder.vendor.secret,
            bidder.price_krw,
            bidder.delivery_days,
            bidder.nonce,
            at=created + bidder.reveals,
        )
        taken += 1
    for name in ("evaluated", "awarded", "delivered", "paid"):
        if at[name] > now:
            return taken
        if name == "evaluated":
            await contracts.evaluate(log, cid, at=at[name])
        elif name == "awarded":
            await contracts.award(log, cid, at=at[name])
        elif name == "delivered":
            await contracts.confirm_delivery(log, cid, timeline.department, at=at[name])
        else:
            await contracts.pay(log, cid, at=at[name])
        taken += 1
    return taken


@dataclass(frozen=True)
class ProcurementSeeded:
    contracts: int
    completed: int
    steps: int


async def seed_procurement(
    log: Log, now: datetime, chance: random.Random, progress: Callable[[int, int], None]
) -> ProcurementSeeded:
    """Register vendors, then run one purchase per state of `TARGETS`, oldest first."""
    registered = now - timedelta(days=60)
    vendors = []
    for n in range(1, VENDORS + 1):
        rating = chance.randint(60, 98)
        vendors.append(
            await contracts.register_vendor(log, f"Seoul Supplier {n:02d}", rating, at=registered)
        )
    plans = []
    for target in TARGETS:
        timeline = Timeline.draw(vendors, chance)
        plans.append((timeline.created_for(target, now, chance), timeline))
    plans.sort(key=lambda plan: plan[0])
    steps = 0
    for done, (created, timeline) in enumerate(plans, 1):
        steps += await run_timeline(log, timeline, created, now)
        progress(done, len(plans))
    completed = TARGETS.count(ContractState.PAID)
    return ProcurementSeeded(len(plans), completed, steps)
