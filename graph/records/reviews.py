"""Model outputs awaiting an analyst as records: the queue, its pages, each decision's row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from graph.records.db import Records, as_datetime

TABLE = "ml_review"
PENDING = "pending"


@dataclass(frozen=True)
class ReviewRow:
    """One row of `ml_review`. `proposal` and `decision` are canonical JSON text; `pending_key`
    (the column's name since 0014) is the proposal's key, unique per (kind, model, version,
    subject) and kept once decided, so the same output is proposed once, ever (ml/review.py).
    Rows decided before 2026-11-30 have it NULL."""

    review_id: str
    model: str
    model_version: str
    kind: str
    subject: str
    district_code: str | None
    proposal: str
    proposal_sha256: str
    status: str
    pending_key: str | None
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None
    decision: str | None = None
    leaf_index: int | None = None


COLUMNS = tuple(f.name for f in fields(ReviewRow))
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM {TABLE}"


def _review(row: dict[str, Any]) -> ReviewRow:
    decided = row["decided_at"]
    leaf = row["leaf_index"]
    return ReviewRow(
        **(
            row
            | {
                "created_at": as_datetime(row["created_at"]),
                "decided_at": as_datetime(decided) if decided is not None else None,
                "leaf_index": int(leaf) if leaf is not None else None,
            }
        )
    )


async def _rows(
    records: Records, client: BaseDBAsyncClient | None, sql: str, params: Sequence[Any]
) -> list[dict[str, Any]]:
    if client is None:
        return await records.query(sql, params)
    return await client.execute_query_dict(sql, list(params))


async def insert_pending(
    records: Records, row: ReviewRow, client: BaseDBAsyncClient | None = None
) -> ReviewRow | None:
    """Store a pending review; None (and nothing written) if a review with its `pending_key`
    exists, pending or decided. Requires row.status == "pending" and row.pending_key set."""
    marks = ", ".join(records.placeholders(len(COLUMNS)))
    found = await _rows(
        records,
        client,
        f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({marks}) "
        "ON CONFLICT (pending_key) DO NOTHING RETURNING review_id",
        [getattr(row, name) for name in COLUMNS],
    )
    return row if found else None


async def find_by_key(
    records: Records, pending_key: str, client: BaseDBAsyncClient | None = None
) -> ReviewRow | None:
    """The review holding `pending_key` (pending or decided), if there is one."""
    mark = records.placeholders(1)[0]
    rows = await _rows(records, client, f"{_SELECT} WHERE pending_key = {mark}", [pending_key])
    return _review(rows[0]) if rows else None


async def find_review(
    records: Records, review_id: str, client: BaseDBAsyncClient | None = None
) -> ReviewRow | None:
    """The review `review_id`; with `client`, as its transaction sees it."""
    mark = records.placeholders(1)[0]
    rows = await _rows(records, client, f"{_SELECT} WHERE review_id = {mark}", [review_id])
    return _review(rows[0]) if rows else None


async def find_reviews(records: Records, review_ids: Sequence[str]) -> dict[str, ReviewRow]:
    """The reviews among `review_ids` that exist, by id: one query for the whole batch."""
    wanted = list(dict.fromkeys(review_ids))
    if not wanted:
        return {}
    marks = ", ".join(records.placeholders(len(wanted)))
    rows = await records.query(f"{_SELECT} WHERE review_id IN ({marks})", wanted)
    return {row["review_id"]: _review(row) for row in rows}


def pending_query(
    records: Records,
    *,
    kind: str | None = None,
    district_code: str | None = None,
    model: str | None = None,
    after: tuple[datetime, str] | None = None,
    limit: int = 50,
) -> tuple[str, list[Any]]:
    """The SQL and parameters of `pending_reviews` (apart so a test can read its plan).

    Newest first by (created_at, review_id), keyset after `after`: each filter is an equality
    on the index (status, kind | district_code, created_at, review_id)."""
    params: list[Any] = []

    def mark(value: Any) -> str:
        params.append(value)
        return records.placeholders(1, start=len(params))[0]

    conditions = [f"status = {mark(PENDING)}"]
    for column, value in (("kind", kind), ("district_code", district_code), ("model", model)):
        if value is not None:
            conditions.append(f"{column} = {mark(value)}")
    if after is not None:
        # spelled out rather than as a row value comparison, which SQLite before 3.15 lacks
        at, review_id = after
        before, same = mark(at), mark(at)
        conditions.append(
            f"(created_at < {before} OR (created_at = {same} AND review_id < {mark(review_id)}))"
        )
    sql = (
        f"{_SELECT} WHERE {' AND '.join(conditions)} "
        f"ORDER BY created_at DESC, review_id DESC LIMIT {mark(limit)}"
    )
    return sql, params


async def pending_reviews(
    records: Records,
    *,
    kind: str | None = None,
    district_code: str | None = None,
    model: str | None = None,
    after: tuple[datetime, str] | None = None,
    limit: int = 50,
) -> list[ReviewRow]:
    """Up to `limit` pending reviews, newest first, strictly after the (created_at, review_id)
    key `after` in that order; each filter given narrows them. Requires limit > 0."""
    sql, params = pending_query(
        records, kind=kind, district_code=district_code, model=model, after=after, limit=limit
    )
    return [_review(row) for row in await records.query(sql, params)]


async def count_pending(
    records: Records, *, district_code: str | None = None, model: str | None = None
) -> dict[str, int]:
    """How many reviews of each kind are pending (kinds with none are absent), in one gu and of
    one model when given: one query."""
    params: list[Any] = [PENDING]
    where = f"status = {records.placeholders(1)[0]}"
    for column, value in (("district_code", district_code), ("model", model)):
        if value is not None:
            params.append(value)
            where += f" AND {column} = {records.placeholders(1, start=len(params))[0]}"
    rows = await records.query(
        f"SELECT kind, COUNT(*) AS n FROM {TABLE} WHERE {where} GROUP BY kind", params
    )
    return {row["kind"]: int(row["n"]) for row in rows}


async def record_decision(
    records: Records,
    client: BaseDBAsyncClient,
    review_id: str,
    *,
    status: str,
    decided_at: datetime,
    decided_by: str,
    decision: str,
    leaf_index: int,
) -> bool:
    """Mark a pending review decided inside `client`'s transaction (its log append's); False if
    it was not pending any more. The status check and the write are one statement, so two
    analysts deciding at once cannot both win."""
    marks = records.placeholders(7)
    rows = await client.execute_query_dict(
        f"UPDATE {TABLE} SET status = {marks[0]}, decided_at = {marks[1]}, "
        f"decided_by = {marks[2]}, decision = {marks[3]}, leaf_index = {marks[4]} "
        f"WHERE review_id = {marks[5]} AND status = {marks[6]} "
        "RETURNING review_id",
        [status, decided_at, decided_by, decision, leaf_index, review_id, PENDING],
    )
    return bool(rows)


async def pending_by_subject(
    records: Records, kind: str, subjects: Sequence[str]
) -> dict[str, ReviewRow]:
    """The pending review of `kind` about each of `subjects` that has one, by subject: one query
    for the batch, on the (status, kind, created_at, review_id) index (pending reviews are the
    analysts' backlog, not every review ever made). With several pending (a proposal per model
    version), the newest."""
    wanted = list(dict.fromkeys(subjects))
    if not wanted:
        return {}
    marks = records.placeholders(len(wanted) + 2)
    rows = await records.query(
        f"{_SELECT} WHERE status = {marks[0]} AND kind = {marks[1]} "
        f"AND subject IN ({', '.join(marks[2:])}) ORDER BY created_at, review_id",
        [PENDING, kind, *wanted],
    )
    return {row["subject"]: _review(row) for row in rows}
