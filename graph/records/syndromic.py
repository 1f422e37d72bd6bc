"""Syndromic surveillance counts (`syndromic_count`): a feed's daily counts written many at a
time, each replacing the count of its (gu, syndrome, stream, day), and every series' days in a
range read back in one query.

A count is one day of one stream (emergency-room visits, pharmacy sales, symptom searches) for
one syndrome in one gu; `day` is the Seoul calendar date as days since 1970-01-01; a count of
None is a day the feed reported as missing (a row, unlike a day the feed never sent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from graph.records.db import Records

TABLE = "syndromic_count"
MAX_DAY = 2**31 - 1
"""`day` is a 32-bit integer column on both databases."""
MAX_COUNT = 2**31 - 1
EPOCH = date(1970, 1, 1)


def epoch_day(day: date) -> int:
    """The calendar date `day` as days since 1970-01-01 (the `day` column)."""
    return (day - EPOCH).days


@dataclass(frozen=True)
class SyndromicCountRow:
    """One row of `syndromic_count`: `count` (≥ 0) of `stream` for `syndrome` in gu
    `district_code` on Seoul day `day` (days since 1970-01-01), None when the feed reported
    that day missing."""

    district_code: str
    syndrome: str
    stream: str
    day: int
    count: int | None


COLUMNS = tuple(f.name for f in fields(SyndromicCountRow))
_KEY = ("district_code", "syndrome", "stream", "day")


def _checked(rows: Sequence[SyndromicCountRow]) -> list[SyndromicCountRow]:
    """The rows with the last of each key kept, in first-seen key order; ValueError for a
    negative or oversized count or day, or an empty name (a feed's programming error)."""
    latest: dict[tuple[str, str, str, int], SyndromicCountRow] = {}
    for row in rows:
        if not (row.district_code and row.syndrome and row.stream):
            raise ValueError(f"{row}: a count names its gu, syndrome and stream")
        if not 0 <= row.day <= MAX_DAY:
            raise ValueError(f"{row}: day is days since 1970-01-01, 0 to {MAX_DAY}")
        if row.count is not None and not 0 <= row.count <= MAX_COUNT:
            raise ValueError(f"{row}: a count is 0 to {MAX_COUNT}, or None for a missing day")
        latest[(row.district_code, row.syndrome, row.stream, row.day)] = row
    return list(latest.values())


async def put_counts(records: Records, rows: Sequence[SyndromicCountRow]) -> int:
    """Write a feed's counts in one transaction, each replacing the count of its (gu,
    syndrome, stream, day) if there is one (the feed's latest word wins; of two rows with the
    same key in `rows`, the later). Returns how many distinct rows were written; writing the
    same rows again changes nothing.

    PostgreSQL takes the batch as one statement over arrays (unnest), SQLite as one prepared
    statement. Raises ValueError for a negative count or day, or an empty name.
    """
    unique = _checked(rows)
    if not unique:
        return 0
    update = f"count = excluded.count WHERE {TABLE}.count IS DISTINCT FROM excluded.count"
    if records.dialect == "sqlite":
        update = f"count = excluded.count WHERE {TABLE}.count IS NOT excluded.count"
    conflict = f"ON CONFLICT ({', '.join(_KEY)}) DO UPDATE SET {update}"
    columns = ", ".join(COLUMNS)
    async with records.transaction() as client:
        if records.dialect == "postgres":
            await client.execute_query(
                f"INSERT INTO {TABLE} ({columns}) SELECT * FROM unnest($1::varchar[], "
                f"$2::varchar[], $3::varchar[], $4::int[], $5::int[]) {conflict}",
                [[getattr(row, c) for row in unique] for c in COLUMNS],
            )
        else:
            marks = ", ".join(records.placeholders(len(COLUMNS)))
            await client.execute_many(
                f"INSERT INTO {TABLE} ({columns}) VALUES ({marks}) {conflict}",
                [[getattr(row, c) for c in COLUMNS] for row in unique],
            )
    return len(unique)


def _row(row: dict[str, Any]) -> SyndromicCountRow:
    count = row["count"]
    return SyndromicCountRow(
        district_code=row["district_code"],
        syndrome=row["syndrome"],
        stream=row["stream"],
        day=int(row["day"]),
        count=None if count is None else int(count),
    )


async def counts_between(
    records: Records, first_day: int, last_day: int
) -> list[SyndromicCountRow]:
    """Every row of every gu, syndrome and stream with `first_day <= day <= last_day` (Seoul
    days since 1970-01-01), in one query on the `day` index, ordered by gu, syndrome, stream
    and day. Days the feed never sent have no row; missing days have a row with count None."""
    marks = records.placeholders(2)
    rows = await records.query(
        f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE day >= {marks[0]} AND day <= {marks[1]} "
        f"ORDER BY {', '.join(_KEY)}",
        [first_day, last_day],
    )
    return [_row(row) for row in rows]


async def newest_day(records: Records) -> int | None:
    """The newest day any count row is for (Seoul days since 1970-01-01), None when there is
    none: one query on the `day` index."""
    rows = await records.query(f"SELECT max(day) AS day FROM {TABLE}")
    return None if rows[0]["day"] is None else int(rows[0]["day"])
