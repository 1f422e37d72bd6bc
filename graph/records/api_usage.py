"""API usage (`api_usage`): calls counted per client, Seoul day, operation and dataset touched,
added by upserts from each worker's buffer (graph/usage.py) and read back grouped.

A row (day, client, operation, '') counts the calls themselves; a row (day, client, operation,
dataset) counts those of the calls that touched `dataset`, so a call touching two datasets adds
one to the call row and one to each dataset row. `day` is the Seoul date as days since
1970-01-01; `client` a key's public prefix or PUBLIC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from graph.records.db import Records

TABLE = "api_usage"
PUBLIC = "public"
"""The client of every caller without a key, counted together (docs/security.md)."""
CALLS = ""
"""`dataset` of the row counting the calls themselves."""
MAX_CLIENT = 16
MAX_OPERATION = 64
MAX_DATASET = 64
MAX_CALLS = 2**63 - 1
EPOCH = date(1970, 1, 1)


def epoch_day(day: date) -> int:
    """The calendar date `day` as days since 1970-01-01 (the `day` column)."""
    return (day - EPOCH).days


def from_epoch_day(day: int) -> date:
    """The calendar date of `day` days since 1970-01-01."""
    return EPOCH + timedelta(days=day)


class UsageKey(NamedTuple):
    """What one count is of: Seoul `day` (days since 1970-01-01), `client` (a key's prefix or
    PUBLIC, ≤ MAX_CLIENT), `operation` (≤ MAX_OPERATION), `dataset` (CALLS or a Dataset id,
    ≤ MAX_DATASET). A tuple: counting hashes one per call and dataset."""

    day: int
    client: str
    operation: str
    dataset: str = CALLS


def _checked(counts: Mapping[UsageKey, int]) -> list[tuple[UsageKey, int]]:
    """The positive counts, ValueError for a field too long or a count out of range (a
    programming error: the buffer bounds what it keeps)."""
    rows = []
    for key, calls in counts.items():
        if not 0 <= calls <= MAX_CALLS:
            raise ValueError(f"{key}: a count is 0 to {MAX_CALLS}")
        if (
            not key.client
            or len(key.client) > MAX_CLIENT
            or not key.operation
            or len(key.operation) > MAX_OPERATION
            or len(key.dataset) > MAX_DATASET
        ):
            raise ValueError(f"{key}: a client, operation or dataset out of bounds")
        if calls:
            rows.append((key, calls))
    return sorted(rows)


async def add_usage(records: Records, counts: Mapping[UsageKey, int]) -> int:
    """Add `counts` to the rows of their keys in one transaction: a row is created on first
    use and added to atomically (`ON CONFLICT … DO UPDATE SET calls = calls + excluded.calls`),
    so several workers flushing their own counts add up. Returns the rows written. Keys are
    written in sorted order, so two workers' transactions cannot deadlock on PostgreSQL.
    Raises ValueError for a key out of bounds or a negative count."""
    rows = _checked(counts)
    if not rows:
        return 0
    conflict = (
        "ON CONFLICT (day, client, operation, dataset) "
        f"DO UPDATE SET calls = {TABLE}.calls + excluded.calls"
    )
    columns = "day, client, operation, dataset, calls"
    async with records.transaction() as client:
        if records.dialect == "postgres":
            await client.execute_query(
                f"INSERT INTO {TABLE} ({columns}) SELECT * FROM unnest($1::int[], "
                f"$2::varchar[], $3::varchar[], $4::varchar[], $5::bigint[]) {conflict}",
                [
                    [key.day for key, _ in rows],
                    [key.client for key, _ in rows],
                    [key.operation for key, _ in rows],
                    [key.dataset for key, _ in rows],
                    [calls for _, calls in rows],
                ],
            )
        else:
            marks = ", ".join(records.placeholders(5))
            await client.execute_many(
                f"INSERT INTO {TABLE} ({columns}) VALUES ({marks}) {conflict}",
                [[k.day, k.client, k.operation, k.dataset, calls] for k, calls in rows],
            )
    return len(rows)


class UsageGroup(StrEnum):
    """What usage rows are grouped by (`apiUsage(groupBy)`)."""

    DAY = "day"
    KEY = "client"
    OPERATION = "operation"
    DATASET = "dataset"


@dataclass(frozen=True)
class UsageRow:
    """Calls summed over a group: each field is None unless grouped by."""

    calls: int
    day: date | None = None
    client: str | None = None
    operation: str | None = None
    dataset: str | None = None


def _where(
    records: Records, first_day: int, last_day: int, client: str | None, datasets: bool
) -> tuple[str, list[Any]]:
    marks = records.placeholders(3)
    where = f"day >= {marks[0]} AND day <= {marks[1]} AND dataset "
    where += f"<> {marks[2]}" if datasets else f"= {marks[2]}"
    params: list[Any] = [first_day, last_day, CALLS]
    if client is not None:
        where += f" AND client = {records.placeholders(1, start=4)[0]}"
        params.append(client)
    return where, params


async def usage_rows(
    records: Records,
    first_day: int,
    last_day: int,
    group_by: Sequence[UsageGroup],
    *,
    client: str | None = None,
    limit: int,
) -> tuple[int, list[UsageRow]]:
    """(the calls in the window, at most `limit` rows of calls grouped by `group_by`) for
    Seoul days `first_day` to `last_day` inclusive (days since 1970-01-01), of `client` only
    when given. Grouped by DATASET, the rows and the total count the calls that touched each
    dataset (calls touching none are in no row; a call touching two is in both); otherwise
    the calls themselves. Rows are ordered by the groups (day, client, operation, dataset).
    Two queries on the (day, …) unique index. Requires 1 <= limit."""
    datasets = UsageGroup.DATASET in group_by
    where, params = _where(records, first_day, last_day, client, datasets)
    total = await records.query(
        f"SELECT COALESCE(SUM(calls), 0) AS n FROM {TABLE} WHERE {where}", params
    )
    columns = [g.value for g in UsageGroup if g in group_by]
    select = ", ".join([*columns, "SUM(calls) AS calls"])
    grouped = f" GROUP BY {', '.join(columns)} ORDER BY {', '.join(columns)}" if columns else ""
    limit_mark = records.placeholders(1, start=len(params) + 1)[0]
    rows = await records.query(
        f"SELECT {select} FROM {TABLE} WHERE {where}{grouped} LIMIT {limit_mark}",
        [*params, limit],
    )
    found = [
        UsageRow(
            calls=int(row["calls"] or 0),
            day=from_epoch_day(int(row["day"])) if "day" in row else None,
            client=row.get("client"),
            operation=row.get("operation"),
            dataset=row.get("dataset"),
        )
        for row in rows
    ]
    return int(total[0]["n"]), found


async def dataset_calls(
    records: Records, datasets: Sequence[str], first_day: int, last_day: int
) -> dict[str, int]:
    """Calls that touched each of `datasets` over Seoul days `first_day` to `last_day`
    inclusive, every client together: one query on the (dataset, day) index; a dataset never
    touched is absent."""
    if not datasets:
        return {}
    marks = records.placeholders(len(datasets) + 2)
    rows = await records.query(
        f"SELECT dataset, SUM(calls) AS calls FROM {TABLE} "
        f"WHERE day >= {marks[0]} AND day <= {marks[1]} AND dataset IN ({', '.join(marks[2:])}) "
        "GROUP BY dataset",
        [first_day, last_day, *datasets],
    )
    return {row["dataset"]: int(row["calls"]) for row in rows}


async def calls_on(records: Records, day: int) -> int:
    """Every client's calls on Seoul day `day` (days since 1970-01-01)."""
    marks = records.placeholders(2)
    rows = await records.query(
        f"SELECT COALESCE(SUM(calls), 0) AS n FROM {TABLE} "
        f"WHERE day = {marks[0]} AND dataset = {marks[1]}",
        [day, CALLS],
    )
    return int(rows[0]["n"])
