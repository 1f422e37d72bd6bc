"""Incident reports (`incident`): a feed's reports written many at a time, a feed's own reports
replaced as a whole, and the reports of a time range read back city-wide or for some gu.

A report is a place and an hour, never a person: `reported_at` epoch seconds (UTC), `lat`/`lon`
WGS 84 degrees, the gu `district_code`, and a `category` naming the kind of report or the feed
that wrote it. Reads go through the `reported_at` index (city-wide) or the
(`district_code`, `reported_at`) index (some gu).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from graph.records.db import Records

TABLE = "incident"
MAX_CATEGORY = 32
MAX_DISTRICT = 16
"""Column widths of `category` and `district_code` (migration 0015)."""
BATCH = 5000
"""Rows per statement on SQLite (one transaction for all of them)."""


@dataclass(frozen=True)
class IncidentRow:
    """One report: at `reported_at` (epoch seconds, UTC), at `lat`, `lon` (degrees, WGS 84), in
    gu `district_code`, of `category`."""

    reported_at: int
    lat: float
    lon: float
    district_code: str
    category: str


COLUMNS = tuple(f.name for f in fields(IncidentRow))


def _check(rows: Sequence[IncidentRow]) -> None:
    """ValueError for a row a feed must never write (a programming error, not a user's)."""
    for row in rows:
        if not (math.isfinite(row.lat) and -90.0 <= row.lat <= 90.0):
            raise ValueError(f"{row}: lat is degrees in [-90, 90]")
        if not (math.isfinite(row.lon) and -180.0 <= row.lon <= 180.0):
            raise ValueError(f"{row}: lon is degrees in [-180, 180]")
        if not 0 < len(row.district_code) <= MAX_DISTRICT:
            raise ValueError(f"{row}: district_code is 1 to {MAX_DISTRICT} characters")
        if not 0 < len(row.category) <= MAX_CATEGORY:
            raise ValueError(f"{row}: category is 1 to {MAX_CATEGORY} characters")


async def _insert(records: Records, client: Any, rows: Sequence[IncidentRow]) -> None:
    values = [[getattr(row, c) for c in COLUMNS] for row in rows]
    if records.dialect == "postgres":
        await records.copy_rows(TABLE, COLUMNS, values, client=client)
        return
    marks = ", ".join(records.placeholders(len(COLUMNS)))
    sql = f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({marks})"
    for first in range(0, len(values), BATCH):
        await client.execute_many(sql, values[first : first + BATCH])


async def put_incidents(records: Records, rows: Sequence[IncidentRow]) -> int:
    """Append reports in one transaction (all or none): COPY on PostgreSQL, prepared batches
    on SQLite. Returns how many rows were written. Raises ValueError for a position outside
    WGS 84's ranges or an empty or over-long gu or category."""
    _check(rows)
    if not rows:
        return 0
    async with records.transaction() as client:
        await _insert(records, client, rows)
    return len(rows)


async def replace_incidents(
    records: Records,
    rows: Sequence[IncidentRow],
    *,
    category: str,
    district_codes: Sequence[str],
) -> int:
    """Replace every report of `category` in the gu `district_codes` by `rows`, in one
    transaction: a feed that owns its category rewrites its reports, and writing the same rows
    again leaves the table as it was. Reports of other categories or gu are untouched.

    Returns len(rows). Raises ValueError as `put_incidents` does, and for a row of another
    category or of a gu outside `district_codes`.
    """
    _check(rows)
    codes = sorted(set(district_codes))
    outside = [r for r in rows if r.category != category or r.district_code not in codes]
    if outside:
        raise ValueError(f"{outside[0]}: not a {category!r} report of {codes}")
    if not codes:
        return 0
    marks = records.placeholders(len(codes) + 1)
    async with records.transaction() as client:
        await client.execute_query(
            f"DELETE FROM {TABLE} WHERE category = {marks[0]} "
            f"AND district_code IN ({', '.join(marks[1:])})",
            [category, *codes],
        )
        if rows:
            await _insert(records, client, rows)
    return len(rows)


def _row(row: dict[str, Any]) -> IncidentRow:
    return IncidentRow(
        reported_at=int(row["reported_at"]),
        lat=float(row["lat"]),
        lon=float(row["lon"]),
        district_code=str(row["district_code"]),
        category=str(row["category"]),
    )


async def incidents_between(
    records: Records,
    since: int,
    until: int,
    *,
    district_codes: Sequence[str] | None = None,
) -> list[IncidentRow]:
    """The reports with `since <= reported_at < until` (epoch seconds, UTC), in the gu
    `district_codes` if given (none for an empty list), oldest first (then in insertion order):
    one query on the `reported_at` index, or on the (`district_code`, `reported_at`) index for
    some gu."""
    if district_codes is not None and not district_codes:
        return []
    codes = sorted(set(district_codes or ()))
    marks = records.placeholders(2 + len(codes))
    where = f"reported_at >= {marks[0]} AND reported_at < {marks[1]}"
    if codes:
        where += f" AND district_code IN ({', '.join(marks[2:])})"
    rows = await records.query(
        f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE {where} ORDER BY reported_at, id",
        [since, until, *codes],
    )
    return [_row(row) for row in rows]


async def newest_report(records: Records, category: str) -> int | None:
    """When the newest report of `category` was made (epoch seconds, UTC), None when there is
    none."""
    marks = records.placeholders(1)
    rows = await records.query(
        f"SELECT max(reported_at) AS at FROM {TABLE} WHERE category = {marks[0]}", [category]
    )
    return None if rows[0]["at"] is None else int(rows[0]["at"])
