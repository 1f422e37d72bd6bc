"""Each step of a purchase: checked against the rules, logged, and recorded together.

Every step appends one leaf about the contract and, in the same transaction, moves the
contract's row only if it is still in the state the step was checked against: two racing
steps cannot both succeed (the loser's leaf is rolled back with it).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from graph.records import procurement as store
from graph.records.procurement import BidRow, ContractRow, VendorRow
from graph.storable_text import storable
from ledger.entries import Entry
from ledger.log import Log
from ledger.procurement.rules import (
    THRESHOLD_KRW,
    ContractState,
    ProcurementErrorCode,
    ProcurementRefusal,
    require_move,
)
from ledger.procurement.sealing import NONCE, Offer, Weights, commitment, rank

Code = ProcurementErrorCode
S = ContractState


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _now(at: datetime | None) -> datetime:
    return (at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class RegisteredVendor:
    vendor: VendorRow
    secret: str
    """Shown once: the vendor signs its bids with it."""


async def register_vendor(
    log: Log, name: str, rating: int, at: datetime | None = None
) -> RegisteredVendor:
    if not name.strip() or len(name) > 200:
        raise ProcurementRefusal(Code.INVALID, "a vendor name of 1 to 200 characters", "name")
    if not 0 <= rating <= 100:
        raise ProcurementRefusal(Code.INVALID, "rating is 0 to 100", "rating")
    secret = f"vs_{secrets.token_urlsafe(24)}"
    vendor = VendorRow(
        f"V-{secrets.token_hex(5).upper()}", name.strip(), rating, _hash(secret), _now(at)
    )
    await store.insert_vendor(log.records, vendor)
    return RegisteredVendor(vendor, secret)


async def _vendor(log: Log, vendor_id: str, secret: str) -> VendorRow:
    vendor = await store.find_vendor(log.records, vendor_id)
    if vendor is None or not secrets.compare_digest(vendor.secret_hash, _hash(secret)):
        raise ProcurementRefusal(
            Code.UNAUTHENTICATED, "unknown vendor or wrong vendor secret", "vendorSecret"
        )
    return vendor


async def contract(log: Log, contract_id: str) -> ContractRow:
    found = await store.find_contract(log.records, contract_id) if storable(contract_id) else None
    if found is None:
        raise ProcurementRefusal(Code.NOT_FOUND, f"no contract {contract_id!r}", "id")
    return found


async def _step(
    log: Log,
    row: ContractRow,
    kind: str,
    body: dict[str, Any],
    target: ContractState,
    changes: dict[str, Any],
    lost: ProcurementErrorCode = Code.WRONG_STATE,
    also: Callable[[BaseDBAsyncClient], Awaitable[None]] | None = None,
    from_states: tuple[ContractState, ...] | None = None,
) -> ContractRow:
    """Log `kind` about the contract and move it to `target`, if it has not moved meanwhile
    (to a state other than `from_states`, by default the state it was checked in)."""
    require_move(row.state, target)
    allowed = [state.value for state in from_states] if from_states else [row.state]

    async def move(client: BaseDBAsyncClient, leaf_index: int) -> None:
        if also is not None:
            await also(client)
        moved = await store.move_contract(
            log.records, client, row.contract_id, allowed, {"state": target.value, **changes}
        )
        if not moved:
            raise ProcurementRefusal(lost, f"{row.contract_id} changed meanwhile: try again")

    await log.append([Entry(f"procurement.{kind}", row.contract_id, body)], then=move)
    return await contract(log, row.contract_id)


async def create(
    log: Log,
    title: str,
    department: str,
    receiving_department: str,
    ceiling_krw: int,
    at: datetime | None = None,
) -> ContractRow:
    """A draft purchase; refused at or above the 100,000,000 KRW threshold."""
    for name, value in (
        ("title", title),
        ("department", department),
        ("receivingDepartment", receiving_department),
    ):
        if not value.strip() or len(value) > 200:
            raise ProcurementRefusal(Code.INVALID, f"{name} must be 1 to 200 characters", name)
    if ceiling_krw <= 0:
        raise ProcurementRefusal(Code.INVALID, "the ceiling is a positive amount", "ceilingKrw")
    if ceiling_krw >= THRESHOLD_KRW:
        raise ProcurementRefusal(
            Code.OVER_THRESHOLD,
            f"{ceiling_krw:,} KRW is not under the {THRESHOLD_KRW:,} KRW threshold",
            "ceilingKrw",
        )
    now = _now(at)
    row = ContractRow(
        contract_id=f"PC-{now:%Y}-{secrets.token_hex(5).upper()}",
        title=title.strip(),
        department=department.strip(),
        receiving_department=receiving_department.strip(),
        ceiling_krw=ceiling_krw,
        state=S.DRAFT.value,
        weight_price=0,
        weight_delivery=0,
        weight_rating=0,
        created_at=now,
    )
    body = {
        "title": row.title,
        "department": row.department,
        "receiving_department": row.receiving_department,
        "ceiling_krw": ceiling_krw,
        "at": stamp(now),
    }

    async def insert(client: BaseDBAsyncClient, leaf_index: int) -> None:
        await store.insert_contract(log.records, client, row)

    await log.append([Entry("procurement.created", row.contract_id, body)], then=insert)
    return row


async def publish(
    log: Log,
    contract_id: str,
    weights: Weights,
    bid_deadline: datetime,
    reveal_deadline: datetime,
    at: datetime | None = None,
) -> ContractRow:
    """Publish the criteria and their weights (summing to 100) and the two deadlines."""
    row = await contract(log, contract_id)
    now = _now(at)
    if not weights.valid():
        raise ProcurementRefusal(
            Code.INVALID, "weights are whole numbers summing to 100", "weights"
        )
    if bid_deadline.tzinfo is None or reveal_deadline.tzinfo is None:
        raise ProcurementRefusal(
            Code.INVALID,
            "deadlines need a time zone (e.g. 2026-05-01T10:00:00+09:00)",
            "bidDeadline",
        )
    bid_deadline, reveal_deadline = _now(bid_deadline), _now(reveal_deadline)
    if not now < bid_deadline < reveal_deadline:
        raise ProcurementRefusal(
            Code.INVALID,
            "the bid deadline must be ahead, and the reveal deadline after it",
            "bidDeadline",
        )
    body = {
        "weights": {"price": weights.price, "delivery": weights.delivery, "rating": weights.rating},
        "bid_deadline": stamp(bid_deadline),
        "reveal_deadline": stamp(reveal_deadline),
        "at": stamp(now),
    }
    changes = {
        "weight_price": weights.price,
        "weight_delivery": weights.delivery,
        "weight_rating": weights.rating,
        "published_at": now,
        "bid_deadline": bid_deadline,
        "reveal_deadline": reveal_deadline,
    }
    return await _step(log, row, "published", body, S.PUBLISHED, changes)


async def commit_bid(
    log: Log, contract_id: str, vendor_id: str, secret: str, sealed: str, at: datetime | None = None
) -> ContractRow:
    """Log a vendor's sealed bid (a commitment) before the bid deadline."""
    row = await contract(log, contract_id)
    vendor = await _vendor(log, vendor_id, secret)
    now = _now(at)
    if row.state not in (S.PUBLISHED, S.BIDDING):
        raise ProcurementRefusal(Code.WRONG_STATE, f"a {row.state} contract takes no bids")
    assert row.bid_deadline is not None
    if now >= row.bid_deadline:
        raise ProcurementRefusal(Code.LATE_BID, f"bids closed at {stamp(row.bid_deadline)}")
    if not NONCE.match(sealed):
        raise ProcurementRefusal(
            Code.INVALID, "a commitment is 64 lowercase hex digits", "commitment"
        )
    bid = BidRow(contract_id, vendor.vendor_id, sealed, now)

    async def insert(client: BaseDBAsyncClient) -> None:
        try:
            await store.insert_bid(log.records, client, bid)
        except IntegrityError:
            raise ProcurementRefusal(
                Code.DUPLICATE_BID, f"{vendor.vendor_id} already bid on {contract_id}"
            ) from None

    body = {"vendor_id": vendor.vendor_id, "commitment": sealed, "at": stamp(now)}
    return await _step(
        log,
        row,
        "bid_committed",
        body,
        S.BIDDING,
        {},
        also=insert,
        from_states=(S.PUBLISHED, S.BIDDING),
    )


async def reveal_bid(
    log: Log,
    contract_id: str,
    vendor_id: str,
    secret: str,
    price_krw: int,
    delivery_days: int,
    nonce: str,
    at: datetime | None = None,
) -> BidRow:
    """Open a sealed bid after the bid deadline: it must match its commitment."""
    row = await contract(log, contract_id)
    vendor = await _vendor(log, vendor_id, secret)
    now = _now(at)
    if row.state != S.BIDDING:
        raise ProcurementRefusal(Code.WRONG_STATE, f"a {row.state} contract has no bids to reveal")
    assert row.bid_deadline is not None
    assert row.reveal_deadline is not None
    if now < row.bid_deadline:
        raise ProcurementRefusal(Code.BEFORE_DEADLINE, f"bids open at {stamp(row.bid_deadline)}")
    if now >= row.reveal_deadline:
        raise ProcurementRefusal(
            Code.LATE_REVEAL, f"reveals closed at {stamp(row.reveal_deadline)}"
        )
    bids = {bid.vendor_id: bid for bid in await store.bids_for(log.records, contract_id)}
    bid = bids.get(vendor.vendor_id)
    if bid is None:
        raise ProcurementRefusal(Code.NOT_FOUND, f"{vendor.vendor_id} did not bid on {contract_id}")
    if not 1 <= delivery_days <= 365:
        raise ProcurementRefusal(Code.INVALID, "delivery takes 1 to 365 days", "deliveryDays")
    if (
        not NONCE.match(nonce)
        or commitment(contract_id, vendor.vendor_id, price_krw, delivery_days, nonce)
        != bid.commitment
    ):
        raise ProcurementRefusal(Code.BAD_REVEAL, "the values do not match the sealed commitment")
    if not 0 < price_krw <= row.ceiling_krw:
        raise ProcurementRefusal(
            Code.OVER_THRESHOLD,
            f"{price_krw:,} KRW is over the ceiling of {row.ceiling_krw:,} KRW",
            "priceKrw",
        )
    opened = BidRow(
        contract_id,
        vendor.vendor_id,
        bid.commitment,
        bid.committed_at,
        price_krw,
        delivery_days,
        now,
    )

    async def record(client: BaseDBAsyncClient) -> None:
        if not await store.reveal_bid(log.records, client, opened):
            raise ProcurementRefusal(Code.BAD_REVEAL, "this bid is already revealed")

    body = {
        "vendor_id": vendor.vendor_id,
        "price_krw": price_krw,
        "delivery_days": delivery_days,
        "nonce": nonce,
        "at": stamp(now),
    }
    await _step(log, row, "bid_revealed", body, S.BIDDING, {}, also=record)
    return opened


async def evaluate(log: Log, contract_id: str, at: datetime | None = None) -> ContractRow:
    """Score the revealed bids by the published formula, once reveals have closed."""
    row = await contract(log, contract_id)
    now = _now(at)
    if row.state in (S.DRAFT,):
        raise ProcurementRefusal(Code.WRONG_STATE, "a draft has no bids")
    if (
        row.reveal_deadline is not None
        and now < row.reveal_deadline
        and row.state in (S.PUBLISHED, S.BIDDING)
    ):
        raise ProcurementRefusal(
            Code.BEFORE_DEADLINE, f"bids are evaluated after {stamp(row.reveal_deadline)}"
        )
    revealed = [b for b in await store.bids_for(log.records, contract_id) if b.revealed_at]
    ratings = await store.vendor_ratings(log.records, [b.vendor_id for b in revealed])
    offers = [
        Offer(b.vendor_id, b.price_krw or 0, b.delivery_days or 0, ratings.get(b.vendor_id, 0))
        for b in revealed
    ]
    weights = Weights(row.weight_price, row.weight_delivery, row.weight_rating)
    ranked = rank(offers, weights)

    async def store_ranks(client: BaseDBAsyncClient) -> None:
        await store.rank_bids(
            log.records, client, contract_id, [(o.vendor_id, s) for o, s in ranked]
        )

    body = {
        "formula": "(wp*min_price/price + wd*min_days/days + wr*rating/100)/100, in ppm",
        "ranking": [
            {
                "vendor_id": offer.vendor_id,
                "price_krw": offer.price_krw,
                "delivery_days": offer.delivery_days,
                "rating": offer.rating,
                "score_ppm": value,
            }
            for offer, value in ranked
        ],
        "at": stamp(now),
    }
    return await _step(
        log, row, "evaluated", body, S.EVALUATED, {"evaluated_at": now}, also=store_ranks
    )


async def award(log: Log, contract_id: str, at: datetime | None = None) -> ContractRow:
    """Award the contract to the best-scored bid: once, and only after evaluation."""
    row = await contract(log, contract_id)
    now = _now(at)
    if row.state in (S.AWARDED, S.DELIVERED, S.PAID):
        raise ProcurementRefusal(
            Code.ALREADY_AWARDED, f"{contract_id} was awarded to {row.awarded_vendor}"
        )
    if row.state in (S.PUBLISHED, S.BIDDING):
        raise ProcurementRefusal(Code.BEFORE_DEADLINE, "bids are not evaluated yet")
    require_move(row.state, S.AWARDED)
    winners = [b for b in await store.bids_for(log.records, contract_id) if b.rank == 1]
    if not winners:
        raise ProcurementRefusal(Code.NO_VALID_BIDS, "no revealed bid to award")
    winner = winners[0]
    changes = {
        "awarded_at": now,
        "awarded_vendor": winner.vendor_id,
        "awarded_price_krw": winner.price_krw,
    }
    body = {"vendor_id": winner.vendor_id, "price_krw": winner.price_krw, "at": stamp(now)}
    return await _step(log, row, "awarded", body, S.AWARDED, changes, lost=Code.ALREADY_AWARDED)


async def confirm_delivery(
    log: Log, contract_id: str, department: str, at: datetime | None = None
) -> ContractRow:
    """The receiving department confirms the goods arrived."""
    row = await contract(log, contract_id)
    now = _now(at)
    if department != row.receiving_department:
        raise ProcurementRefusal(
            Code.WRONG_DEPARTMENT,
            f"only {row.receiving_department} confirms this delivery",
            "department",
        )
    body = {"department": department, "at": stamp(now)}
    return await _step(log, row, "delivered", body, S.DELIVERED, {"delivered_at": now})


async def pay(log: Log, contract_id: str, at: datetime | None = None) -> ContractRow:
    """Release payment of the awarded price, only after delivery is confirmed."""
    row = await contract(log, contract_id)
    now = _now(at)
    if row.state in (S.EVALUATED, S.AWARDED, S.PUBLISHED, S.BIDDING, S.DRAFT):
        raise ProcurementRefusal(Code.NOT_DELIVERED, f"{contract_id} is {row.state}, not delivered")
    body = {
        "vendor_id": row.awarded_vendor or "",
        "amount_krw": row.awarded_price_krw or 0,
        "at": stamp(now),
    }
    return await _step(log, row, "paid", body, S.PAID, {"paid_at": now})
