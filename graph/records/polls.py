"""Polls and ballots as records: the poll's definition, and one row per accepted ballot.

The rows are an index for answering quickly (tallies, turnout, the unique nullifier); the
ballots themselves, proofs included, are leaves of the verifiable log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

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


async def find_polls(records: Records, poll_ids: Sequence[str]) -> dict[str, PollRow]:
    """The polls among `poll_ids` that exist, by id: one query for the whole batch."""
    wanted = list(dict.fromkeys(poll_ids))
    if not wanted:
        return {}
    marks = ", ".join(records.placeholders(len(wanted)))
    rows = await records.query(f"SELECT {_POLL} FROM poll WHERE poll_id IN ({marks})", wanted)
    return {row["poll_id"]: PollRow.from_row(row) for row in rows}


async def polls_closing_after(records: Records, at: datetime) -> list[PollRow]:
    """Every poll that has not closed at `at` (open or yet to open), closing soonest first.

    Bounded by what operators create: a poll is open at most a year (zk.polls.service)."""
    mark = records.placeholders(1)[0]
    rows = await records.query(
        f"SELECT {_POLL} FROM poll WHERE closes_at > {mark} ORDER BY closes_at, poll_id", [at]
    )
    return [PollRow.from_row(row) for row in rows]


PollWindow = Literal["open", "closed", "upcoming", "all"]
"""Which polls a listing takes at an instant `at`: open (opened at or before `at`, closing
after it), closed (closed at or before `at`), upcoming (opening after `at`), or all."""

_WINDOW_CONDITIONS: dict[str, tuple[str, ...]] = {
    "open": ("opens_at <= {}", "closes_at > {}"),
    "closed": ("closes_at <= {}",),
    "upcoming": ("opens_at > {}",),
    "all": (),
}


async def newest_polls(
    records: Records, window: PollWindow, at: datetime, limit: int
) -> list[PollRow]:
    """At most `limit` polls in `window` at `at`, newest first (opens_at descending, then
    poll_id descending): one query. Requires limit >= 1 and an aware `at`."""
    conditions = _WINDOW_CONDITIONS[window]
    marks = records.placeholders(len(conditions) + 1)
    where = " AND ".join(c.format(m) for c, m in zip(conditions, marks, strict=False))
    rows = await records.query(
        f"SELECT {_POLL} FROM poll {f'WHERE {where} ' if where else ''}"
        f"ORDER BY opens_at DESC, poll_id DESC LIMIT {marks[-1]}",
        [*(at for _ in conditions), limit],
    )
    return [PollRow.from_row(row) for row in rows]


@dataclass(frozen=True)
class BallotCount:
    """Ballots of one poll for one option from one district."""

    poll_id: str
    option_index: int
    district: str
    ballots: int


async def ballot_counts(records: Records, poll_ids: Sequence[str]) -> list[BallotCount]:
    """Ballots per poll, option and district for every poll in `poll_ids`: one query."""
    wanted = list(dict.fromkeys(poll_ids))
    if not wanted:
        return []
    marks = ", ".join(records.placeholders(len(wanted)))
    rows = await records.query(
        "SELECT poll_id, option_index, district, COUNT(*) AS n FROM ballot "
        f"WHERE poll_id IN ({marks}) GROUP BY poll_id, option_index, district",
        wanted,
    )
    return [
        BallotCount(row["poll_id"], int(row["option_index"]), str(row["district"]), int(row["n"]))
        for row in rows
    ]
