"""Certificate verifications served, counted per Seoul calendar day (one row a day)."""

from __future__ import annotations

from collections.abc import Mapping

from graph.records.db import Records

TABLE = "certificate_verification_day"


async def add_verifications(records: Records, per_day: Mapping[str, int]) -> None:
    """Add `per_day` (day as YYYY-MM-DD in Asia/Seoul -> verifications) to the day rows, in one
    statement: rows are created on first use and added to atomically, by any worker."""
    days = [(day, served) for day, served in per_day.items() if served > 0]
    if not days:
        return
    marks = records.placeholders(2 * len(days))
    values = ", ".join(f"({marks[2 * n]}, {marks[2 * n + 1]})" for n in range(len(days)))
    async with records.transaction() as client:
        await client.execute_query(
            f"INSERT INTO {TABLE} (day, served) VALUES {values} "
            f"ON CONFLICT (day) DO UPDATE SET served = {TABLE}.served + excluded.served",
            [value for pair in days for value in pair],
        )


async def verification_totals(records: Records, day: str) -> tuple[int, int]:
    """(every verification served, those served on `day`), in one query."""
    mark = records.placeholders(1)[0]
    rows = await records.query(
        "SELECT COALESCE(SUM(served), 0) AS total, "
        f"COALESCE(SUM(CASE WHEN day = {mark} THEN served ELSE 0 END), 0) AS today FROM {TABLE}",
        [day],
    )
    return int(rows[0]["total"]), int(rows[0]["today"])
