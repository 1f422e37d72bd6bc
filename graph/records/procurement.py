"""Procurement as records: vendors, contracts where their state machine stands, sealed bids."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from graph.records.db import Records, as_datetime


def _times(row: dict[str, Any], names: Sequence[str]) -> dict[str, Any]:
    return {name: (as_datetime(row[name]) if row[name] is not None else None) for name in names}


@dataclass(frozen=True)
class VendorRow:
    vendor_id: str
    name: str
    rating: int
    secret_hash: str
    registered_at: datetime


@dataclass(frozen=True)
class ContractRow:
    contract_id: str
    title: str
    department: str
    receiving_department: str
    ceiling_krw: int
    state: str
    weight_price: int
    weight_delivery: int
    weight_rating: int
    created_at: datetime
    published_at: datetime | None = None
    bid_deadline: datetime | None = None
    reveal_deadline: datetime | None = None
    evaluated_at: datetime | None = None
    awarded_at: datetime | None = None
    awarded_vendor: str | None = None
    awarded_price_krw: int | None = None
    delivered_at: datetime | None = None
    paid_at: datetime | None = None


@dataclass(frozen=True)
class BidRow:
    contract_id: str
    vendor_id: str
    commitment: str
    committed_at: datetime
    price_krw: int | None = None
    delivery_days: int | None = None
    revealed_at: datetime | None = None
    score: int | None = None
    rank: int | None = None


CONTRACT_TIMES = (
    "created_at",
    "published_at",
    "bid_deadline",
    "reveal_deadline",
    "evaluated_at",
    "awarded_at",
    "delivered_at",
    "paid_at",
)
CONTRACT_COLUMNS = tuple(f.name for f in fields(ContractRow))
BID_COLUMNS = tuple(f.name for f in fields(BidRow))
VENDOR_COLUMNS = tuple(f.name for f in fields(VendorRow))


def _contract(row: dict[str, Any]) -> ContractRow:
    return ContractRow(**(row | _times(row, CONTRACT_TIMES)))


def _bid(row: dict[str, Any]) -> BidRow:
    return BidRow(**(row | _times(row, ("committed_at", "revealed_at"))))


async def _insert(
    records: Records, client: BaseDBAsyncClient, table: str, columns: Sequence[str], row: Any
) -> None:
    marks = ", ".join(records.placeholders(len(columns)))
    await client.execute_query(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
        [getattr(row, name) for name in columns],
    )


async def insert_vendor(records: Records, vendor: VendorRow) -> None:
    async with records.transaction() as client:
        await _insert(records, client, "procurement_vendor", VENDOR_COLUMNS, vendor)


async def find_vendor(records: Records, vendor_id: str) -> VendorRow | None:
    mark = records.placeholders(1)[0]
    rows = await records.query(
        f"SELECT {', '.join(VENDOR_COLUMNS)} FROM procurement_vendor WHERE vendor_id = {mark}",
        [vendor_id],
    )
    if not rows:
        return None
    return VendorRow(**(rows[0] | _times(rows[0], ("registered_at",))))


async def vendor_ratings(records: Records, vendor_ids: Sequence[str]) -> dict[str, int]:
    if not vendor_ids:
        return {}
    marks = ", ".join(records.placeholders(len(vendor_ids)))
    rows = await records.query(
        f"SELECT vendor_id, rating FROM procurement_vendor WHERE vendor_id IN ({marks})",
        list(vendor_ids),
    )
    return {row["vendor_id"]: int(row["rating"]) for row in rows}


async def insert_contract(records: Records, client: BaseDBAsyncClient, row: ContractRow) -> None:
    await _insert(records, client, "procurement_contract", CONTRACT_COLUMNS, row)


async def find_contract(records: Records, contract_id: str) -> ContractRow | None:
    mark = records.placeholders(1)[0]
    rows = await records.query(
        f"SELECT {', '.join(CONTRACT_COLUMNS)} FROM procurement_contract "
        f"WHERE contract_id = {mark}",
        [contract_id],
    )
    return _contract(rows[0]) if rows else None


async def find_contracts(records: Records, contract_ids: Sequence[str]) -> dict[str, ContractRow]:
    """The contracts among `contract_ids` that exist, by id: one query for the whole batch."""
    wanted = list(dict.fromkeys(contract_ids))
    if not wanted:
        return {}
    marks = ", ".join(records.placeholders(len(wanted)))
    rows = await records.query(
        f"SELECT {', '.join(CONTRACT_COLUMNS)} FROM procurement_contract "
        f"WHERE contract_id IN ({marks})",
        wanted,
    )
    return {row["contract_id"]: _contract(row) for row in rows}


async def move_contract(
    records: Records,
    client: BaseDBAsyncClient,
    contract_id: str,
    from_states: Sequence[str],
    changes: dict[str, Any],
) -> bool:
    """Apply `changes` if the contract is still in one of `from_states`; False if it moved on.

    The state check and the write are one statement, so two racing transitions cannot both win.
    """
    names = list(changes)
    marks = records.placeholders(len(names) + 1 + len(from_states))
    assignments = ", ".join(f"{name} = {mark}" for name, mark in zip(names, marks, strict=False))
    states = ", ".join(marks[len(names) + 1 :])
    rows = await client.execute_query_dict(
        f"UPDATE procurement_contract SET {assignments} "
        f"WHERE contract_id = {marks[len(names)]} AND state IN ({states}) RETURNING contract_id",
        [*changes.values(), contract_id, *from_states],
    )
    return bool(rows)


async def insert_bid(records: Records, client: BaseDBAsyncClient, bid: BidRow) -> None:
    """Store a sealed bid; IntegrityError if this vendor already bid on this contract."""
    await _insert(records, client, "procurement_bid", BID_COLUMNS, bid)


async def reveal_bid(
    records: Records,
    client: BaseDBAsyncClient,
    bid: BidRow,
) -> bool:
    """Record a bid's revealed price and delivery days, once; False if already revealed."""
    marks = records.placeholders(5)
    rows = await client.execute_query_dict(
        f"UPDATE procurement_bid SET price_krw = {marks[0]}, delivery_days = {marks[1]}, "
        f"revealed_at = {marks[2]} WHERE contract_id = {marks[3]} AND vendor_id = {marks[4]} "
        "AND revealed_at IS NULL RETURNING id",
        [bid.price_krw, bid.delivery_days, bid.revealed_at, bid.contract_id, bid.vendor_id],
    )
    return bool(rows)


async def rank_bids(
    records: Records, client: BaseDBAsyncClient, contract_id: str, ranked: Sequence[tuple[str, int]]
) -> None:
    """Store each revealed bid's score (ppm) and rank, best first."""
    marks = records.placeholders(4)
    for rank, (vendor_id, score) in enumerate(ranked, start=1):
        await client.execute_query(
            f"UPDATE procurement_bid SET score = {marks[0]}, rank = {marks[1]} "
            f"WHERE contract_id = {marks[2]} AND vendor_id = {marks[3]}",
            [score, rank, contract_id, vendor_id],
        )


async def bids_for(
    records: Records, contract_id: str, client: BaseDBAsyncClient | None = None
) -> list[BidRow]:
    """A contract's bids; with `client`, as its transaction sees them."""
    mark = records.placeholders(1)[0]
    sql = (
        f"SELECT {', '.join(BID_COLUMNS)} FROM procurement_bid WHERE contract_id = {mark} "
        "ORDER BY committed_at, vendor_id"
    )
    if client is None:
        rows = await records.query(sql, [contract_id])
    else:
        rows = await client.execute_query_dict(sql, [contract_id])
    return [_bid(row) for row in rows]


async def latest_contracts(
    records: Records, states: Sequence[str] | None, limit: int
) -> list[ContractRow]:
    """The `limit` most recently created contracts (in `states`, if given), newest first."""
    params: list[Any] = list(states or ())
    where = ""
    if states is not None:
        if not states:
            return []
        where = f"WHERE state IN ({', '.join(records.placeholders(len(states)))}) "
    mark = records.placeholders(1, start=len(params) + 1)[0]
    rows = await records.query(
        f"SELECT {', '.join(CONTRACT_COLUMNS)} FROM procurement_contract {where}"
        f"ORDER BY created_at DESC, contract_id DESC LIMIT {mark}",
        [*params, limit],
    )
    return [_contract(row) for row in rows]


async def count_by_state(records: Records) -> dict[str, int]:
    """How many contracts stand in each state (states with none are absent): one query."""
    rows = await records.query(
        "SELECT state, COUNT(*) AS n FROM procurement_contract GROUP BY state"
    )
    return {row["state"]: int(row["n"]) for row in rows}


async def median_cycle_days(records: Records) -> float | None:
    """The median, over paid contracts, of the days from creation to payment; None if none is
    paid. One query, computed by the database (PostgreSQL's percentile_cont; on SQLite the
    middle one or two of the ordered cycle times)."""
    if records.dialect == "postgres":
        rows = await records.query(
            "SELECT percentile_cont(0.5) WITHIN GROUP ("
            "ORDER BY EXTRACT(EPOCH FROM (paid_at - created_at)) / 86400.0) AS median "
            "FROM procurement_contract WHERE paid_at IS NOT NULL"
        )
    else:
        rows = await records.query(
            "WITH c AS (SELECT julianday(paid_at) - julianday(created_at) AS d "
            "FROM procurement_contract WHERE paid_at IS NOT NULL), "
            "n AS (SELECT COUNT(*) AS n FROM c) "
            "SELECT AVG(d) AS median FROM (SELECT d FROM c ORDER BY d "
            "LIMIT 2 - (SELECT n FROM n) % 2 OFFSET ((SELECT n FROM n) - 1) / 2)"
        )
    median = rows[0]["median"] if rows else None
    return float(median) if median is not None else None
