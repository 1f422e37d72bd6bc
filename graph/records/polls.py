"""Polls and ballots as records: the poll's definition, and one row per accepted ballot.

The rows are an index for answering quickly (tallies, turnout, the unique nullifier); the
ballots themselves, proofs included, are leaves of the verifiable log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from graph.records.db import Records, as_datetime

_POLL = (
    "poll_id, question, options, eligibility, epoch, opens_at, closes_at, created_at, leaf_index"
)


@dataclass(frozen=True)
class PollRow:
    poll_id: str
    question: str
    options: str
    eligibility: str
    epoch: str
    opens_at: datetime
    closes_at: datetime
    created_at: datetime
    leaf_index: int

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> PollRow:
        return cls(
            poll_id=row["poll_id"],
            question=row["question"],
            options=row["options"],
            eligibility=row["eligibility"],
            epoch=row["epoch"],
            opens_at=as_datetime(row["opens_at"]),
            closes_at=as_datetime(row["closes_at"]),
            created_at=as_datetime(row["created_at"]),
            leaf_index=int(row["leaf_index"]),
        )


async def insert_poll(records: Records, client: BaseDBAsyncClient, row: PollRow) -> None:
    marks = ", ".join(records.placeholders(9))
    await client.execute_query(
        f"INSERT INTO poll ({_POLL}) VALUES ({marks})",
        [
            row.poll_id,
            row.question,
            row.options,
            row.eligibility,
            row.epoch,
            row.opens_at,
            row.closes_at,
            row.created_at,
            row.leaf_index,
        ],
    )


async def find_poll(records: Records, poll_id: str) -> PollRow | None:
    mark = records.placeholders(1)[0]
    rows = await records.query(f"SELECT {_POLL} FROM poll WHERE poll_id = {mark}", [poll_id])
    return PollRow.from_row(rows[0]) if rows else None


@dataclass(frozen=True)
class BallotRow:
    poll_id: str
    nullifier: str
    option_index: int
    district: str
    leaf_index: int
    cast_at: datetime


async def insert_ballot(records: Records, client: BaseDBAsyncClient, row: BallotRow) -> None:
    """In `client`'s transaction (the ballot's log append); IntegrityError if this nullifier
    already voted in this poll."""
    marks = ", ".join(records.placeholders(6))
    await client.execute_query(
        "INSERT INTO ballot (poll_id, nullifier, option_index, district, leaf_index, cast_at) "
        f"VALUES ({marks})",
        [row.poll_id, row.nullifier, row.option_index, row.district, row.leaf_index, row.cast_at],
    )


async def has_voted(records: Records, poll_id: str, nullifier: str) -> bool:
    marks = records.placeholders(2)
    rows = await records.query(
        f"SELECT 1 AS one FROM ballot WHERE poll_id = {marks[0]} AND nullifier = {marks[1]}",
        [poll_id, nullifier],
    )
    return bool(rows)


async def counts_by(records: Records, poll_id: str, column: str) -> dict[Any, int]:
    """Ballots per option (`option_index`) or per district (`district`)."""
    if column not in ("option_index", "district"):
        raise ValueError(column)
    mark = records.placeholders(1)[0]
    rows = await records.query(
        f"SELECT {column} AS k, COUNT(*) AS n FROM ballot WHERE poll_id = {mark} GROUP BY {column}",
        [poll_id],
    )
    return {row["k"]: int(row["n"]) for row in rows}
