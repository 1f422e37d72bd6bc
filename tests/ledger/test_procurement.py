"""Procurement's state machine on a simulated clock: the happy path and every refusal."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from graph.records import open_records, sqlite_url
from graph.records.procurement import bids_for
from ledger.checkpoint import Signer
from ledger.entries import Entry
from ledger.log import Log
from ledger.procurement import contracts
from ledger.procurement.contracts import RegisteredVendor
from ledger.procurement.rules import ContractState, ProcurementErrorCode, ProcurementRefusal
from ledger.procurement.sealing import Weights, commitment, new_nonce
from ledger.procurement.simulate import simulate_year

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
BIDS_CLOSE = T0 + timedelta(days=5)
REVEALS_CLOSE = BIDS_CLOSE + timedelta(days=1)
WEIGHTS = Weights(price=60, delivery=20, rating=20)
Code = ProcurementErrorCode


@pytest.fixture
async def log(tmp_path: Path) -> AsyncIterator[Log]:
    records = await open_records(sqlite_url(tmp_path / "records.sqlite3"))
    yield Log(records, Signer("civicgraph.test/log", Ed25519PrivateKey.generate()))
    await records.close()


async def published(log: Log) -> str:
    row = await contracts.create(
        log, "Laptops", "Information Policy", "Mapo-gu Office", 50_000_000, at=T0
    )
    await contracts.publish(log, row.contract_id, WEIGHTS, BIDS_CLOSE, REVEALS_CLOSE, at=T0)
    return row.contract_id


async def bid(
    log: Log, contract_id: str, vendor: RegisteredVendor, price: int, days: int, hours: int = 1
) -> str:
    nonce = new_nonce()
    sealed = commitment(contract_id, vendor.vendor.vendor_id, price, days, nonce)
    await contracts.commit_bid(
        log,
        contract_id,
        vendor.vendor.vendor_id,
        vendor.secret,
        sealed,
        at=T0 + timedelta(hours=hours),
    )
    return nonce


async def reveal(
    log: Log, contract_id: str, vendor: RegisteredVendor, price: int, days: int, nonce: str
) -> None:
    await contracts.reveal_bid(
        log,
        contract_id,
        vendor.vendor.vendor_id,
        vendor.secret,
        price,
        days,
        nonce,
        at=BIDS_CLOSE + timedelta(hours=2),
    )


async def test_a_purchase_runs_from_draft_to_paid_and_logs_every_step(log: Log) -> None:
    # given three vendors bid and reveal
    cheap = await contracts.register_vendor(log, "Cheap Co", 60)
    fast = await contracts.register_vendor(log, "Fast Co", 90)
    late = await contracts.register_vendor(log, "Never Reveals", 100)
    contract_id = await published(log)
    n1 = await bid(log, contract_id, cheap, 40_000_000, 20)
    n2 = await bid(log, contract_id, fast, 45_000_000, 5)
    await bid(log, contract_id, late, 30_000_000, 3)
    await reveal(log, contract_id, cheap, 40_000_000, 20, n1)
    await reveal(log, contract_id, fast, 45_000_000, 5, n2)

    # when the contract is evaluated, awarded, delivered and paid
    evaluated = await contracts.evaluate(log, contract_id, at=REVEALS_CLOSE)
    awarded = await contracts.award(log, contract_id, at=REVEALS_CLOSE)
    await contracts.confirm_delivery(
        log, contract_id, "Mapo-gu Office", at=REVEALS_CLOSE + timedelta(days=5)
    )
    paid = await contracts.pay(log, contract_id, at=REVEALS_CLOSE + timedelta(days=5))

    # then the formula picked Fast Co: 60*40/45 + 20*5/5 + 20*0.9 = 91.33 vs 60 + 20*5/20 + 12 = 77
    assert evaluated.state == ContractState.EVALUATED
    assert (awarded.awarded_vendor, awarded.awarded_price_krw) == (
        fast.vendor.vendor_id,
        45_000_000,
    )
    assert paid.state == ContractState.PAID
    scores = {b.vendor_id: (b.score, b.rank) for b in await bids_for(log.records, contract_id)}
    assert scores[fast.vendor.vendor_id] == (913_333, 1)
    assert scores[cheap.vendor.vendor_id] == (770_000, 2)
    assert scores[late.vendor.vendor_id] == (None, None)  # never revealed: never counted
    kinds = [e.kind for e in await log.entries_about(contract_id)]
    assert kinds == [
        "procurement.created",
        "procurement.published",
        "procurement.bid_committed",
        "procurement.bid_committed",
        "procurement.bid_committed",
        "procurement.bid_revealed",
        "procurement.bid_revealed",
        "procurement.evaluated",
        "procurement.awarded",
        "procurement.delivered",
        "procurement.paid",
    ]


async def test_a_purchase_at_or_over_the_threshold_is_refused(log: Log) -> None:
    with pytest.raises(ProcurementRefusal) as refused:
        await contracts.create(log, "Fire engine", "Safety", "Safety", 100_000_000, at=T0)
    assert refused.value.code == Code.OVER_THRESHOLD


async def test_a_late_bid_is_refused(log: Log) -> None:
    vendor = await contracts.register_vendor(log, "Slow Co", 70)
    contract_id = await published(log)
    with pytest.raises(ProcurementRefusal) as refused:
        await bid(log, contract_id, vendor, 1_000_000, 5, hours=5 * 24)
    assert refused.value.code == Code.LATE_BID


async def test_a_bid_over_the_ceiling_is_refused_at_reveal(log: Log) -> None:
    vendor = await contracts.register_vendor(log, "Greedy Co", 70)
    contract_id = await published(log)
    nonce = await bid(log, contract_id, vendor, 60_000_000, 5)
    with pytest.raises(ProcurementRefusal) as refused:
        await reveal(log, contract_id, vendor, 60_000_000, 5, nonce)
    assert refused.value.code == Code.OVER_THRESHOLD


async def test_a_reveal_that_does_not_match_its_commitment_is_refused(log: Log) -> None:
    vendor = await contracts.register_vendor(log, "Sly Co", 70)
    contract_id = await published(log)
    nonce = await bid(log, contract_id, vendor, 40_000_000, 5)
    with pytest.raises(ProcurementRefusal) as refused:
        await reveal(log, contract_id, vendor, 39_000_000, 5, nonce)
    assert refused.value.code == Code.BAD_REVEAL


async def test_an_early_reveal_or_a_second_bid_is_refused(log: Log) -> None:
    vendor = await contracts.register_vendor(log, "Eager Co", 70)
    contract_id = await published(log)
    nonce = await bid(log, contract_id, vendor, 40_000_000, 5)
    with pytest.raises(ProcurementRefusal) as early:
        await contracts.reveal_bid(
            log,
            contract_id,
            vendor.vendor.vendor_id,
            vendor.secret,
            40_000_000,
            5,
            nonce,
            at=T0 + timedelta(days=1),
        )
    assert early.value.code == Code.BEFORE_DEADLINE
    with pytest.raises(ProcurementRefusal) as twice:
        await bid(log, contract_id, vendor, 30_000_000, 5)
    assert twice.value.code == Code.DUPLICATE_BID


async def test_award_before_the_deadline_is_refused(log: Log) -> None:
    vendor = await contracts.register_vendor(log, "Co", 70)
    contract_id = await published(log)
    await bid(log, contract_id, vendor, 40_000_000, 5)
    with pytest.raises(ProcurementRefusal) as evaluate:
        await contracts.evaluate(log, contract_id, at=BIDS_CLOSE)
    assert evaluate.value.code == Code.BEFORE_DEADLINE
    with pytest.raises(ProcurementRefusal) as award:
        await contracts.award(log, contract_id, at=BIDS_CLOSE)
    assert award.value.code == Code.BEFORE_DEADLINE


async def test_payment_before_delivery_and_a_second_award_are_refused(log: Log) -> None:
    vendor = await contracts.register_vendor(log, "Co", 70)
    contract_id = await published(log)
    nonce = await bid(log, contract_id, vendor, 40_000_000, 5)
    await reveal(log, contract_id, vendor, 40_000_000, 5, nonce)
    await contracts.evaluate(log, contract_id, at=REVEALS_CLOSE)
    await contracts.award(log, contract_id, at=REVEALS_CLOSE)
    with pytest.raises(ProcurementRefusal) as again:
        await contracts.award(log, contract_id, at=REVEALS_CLOSE)
    assert again.value.code == Code.ALREADY_AWARDED
    with pytest.raises(ProcurementRefusal) as unpaid:
        await contracts.pay(log, contract_id, at=REVEALS_CLOSE)
    assert unpaid.value.code == Code.NOT_DELIVERED
    with pytest.raises(ProcurementRefusal) as stranger:
        await contracts.confirm_delivery(log, contract_id, "General Affairs", at=REVEALS_CLOSE)
    assert stranger.value.code == Code.WRONG_DEPARTMENT


async def test_racing_awards_award_once_and_log_once(log: Log) -> None:
    vendor = await contracts.register_vendor(log, "Co", 70)
    contract_id = await published(log)
    nonce = await bid(log, contract_id, vendor, 40_000_000, 5)
    await reveal(log, contract_id, vendor, 40_000_000, 5, nonce)
    await contracts.evaluate(log, contract_id, at=REVEALS_CLOSE)
    results = await asyncio.gather(
        *(contracts.award(log, contract_id, at=REVEALS_CLOSE) for _ in range(5)),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(r.code == Code.ALREADY_AWARDED for r in results if isinstance(r, ProcurementRefusal))
    kinds = [e.kind for e in await log.entries_about(contract_id)]
    assert kinds.count("procurement.awarded") == 1


async def test_a_wrong_vendor_secret_or_a_draft_bid_is_refused(log: Log) -> None:
    vendor = await contracts.register_vendor(log, "Co", 70)
    draft = await contracts.create(log, "Salt", "Roads", "Roads", 9_000_000, at=T0)
    with pytest.raises(ProcurementRefusal) as wrong_state:
        await bid(log, draft.contract_id, vendor, 1_000_000, 3)
    assert wrong_state.value.code == Code.WRONG_STATE
    contract_id = await published(log)
    with pytest.raises(ProcurementRefusal) as impostor:
        await contracts.commit_bid(
            log, contract_id, vendor.vendor.vendor_id, "vs_guess", "0" * 64, at=T0
        )
    assert impostor.value.code == Code.UNAUTHENTICATED


async def test_a_simulated_year_reports_cycle_times_near_seouls_figures(log: Log) -> None:
    await log.append([Entry("test.fact", "before", {})])
    report = await simulate_year(log, purchases=12, year=2026, seed=3)
    assert report.purchases == report.awarded == report.paid == 12
    mean, _median, _p90 = report.summary(report.to_award_days)
    assert 6.0 < mean < 7.5  # publication within a day, 5 days of bids, 1 of reveals
    assert report.log_entries > 12 * 8


async def test_two_first_bids_at_once_are_both_taken(log: Log) -> None:
    vendors = [await contracts.register_vendor(log, f"Co {n}", 70) for n in range(2)]
    contract_id = await published(log)
    await asyncio.gather(*(bid(log, contract_id, v, 40_000_000, 5) for v in vendors))
    assert len(await bids_for(log.records, contract_id)) == 2


async def test_deadlines_without_a_time_zone_are_refused(log: Log) -> None:
    row = await contracts.create(log, "Salt", "Roads", "Roads", 9_000_000, at=T0)
    naive = datetime(2026, 3, 9, 9)
    with pytest.raises(ProcurementRefusal) as refused:
        await contracts.publish(
            log, row.contract_id, WEIGHTS, naive, naive + timedelta(days=1), at=T0
        )
    assert refused.value.code == Code.INVALID


async def test_an_evaluated_contract_without_revealed_bids_cannot_be_awarded(log: Log) -> None:
    vendor = await contracts.register_vendor(log, "Shy Co", 70)
    contract_id = await published(log)
    await bid(log, contract_id, vendor, 40_000_000, 5)
    await contracts.evaluate(log, contract_id, at=REVEALS_CLOSE)
    with pytest.raises(ProcurementRefusal) as refused:
        await contracts.award(log, contract_id, at=REVEALS_CLOSE)
    assert refused.value.code == Code.NO_VALID_BIDS
