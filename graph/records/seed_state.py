"""What the stores hold: written at the start of a seed and completed at its very end."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from graph.records.db import Records, as_datetime


@dataclass(frozen=True)
class SeedState:
    scale: float
    history_days: int
    complete: bool
    started_at: datetime
    finished_at: datetime | None
    counts: dict[str, int]


async def current(records: Records) -> SeedState | None:
    rows = await records.query(
        "SELECT scale, history_days, complete, started_at, finished_at, counts "
        "FROM seed_state WHERE id = 1"
    )
    if not rows:
        return None
    row = rows[0]
    counts = row["counts"]
    return SeedState(
        float(row["scale"]),
        int(row["history_days"]),
        bool(row["complete"]),
        as_datetime(row["started_at"]),
        as_datetime(row["finished_at"]) if row["finished_at"] is not None else None,
        json.loads(counts) if isinstance(counts, str) else dict(counts),
    )


async def begin(records: Records, scale: float, history_days: int) -> None:
    marks = ", ".join(records.placeholders(5))
    async with records.transaction() as client:
        await client.execute_query("DELETE FROM seed_state WHERE id = 1")
        await client.execute_query(
            "INSERT INTO seed_state (id, scale, history_days, complete, started_at, counts) "
            f"VALUES (1, {marks})",
            [scale, history_days, False, datetime.now(UTC), "{}"],
        )


async def finish(records: Records, counts: dict[str, int]) -> None:
    finished, payload = records.placeholders(2)
    await records.query(
        f"UPDATE seed_state SET complete = TRUE, finished_at = {finished}, counts = {payload} "
        "WHERE id = 1",
        [datetime.now(UTC), json.dumps(counts, separators=(",", ":"))],
    )


ACTIVITY_ROW = 2
"""The `seed_state` row of the civic activity seeded after the city (civicgraph/seed_activity):
begun before its first write, completed after its last, so that one stopped half-way is seen."""


async def activity_begun(records: Records) -> bool | None:
    """None when no activity seed ever began; False when one began and did not finish; True
    when one finished."""
    rows = await records.query(
        f"SELECT complete FROM seed_state WHERE id = {records.placeholders(1)[0]}", [ACTIVITY_ROW]
    )
    return bool(rows[0]["complete"]) if rows else None


async def begin_activity(records: Records) -> None:
    """Mark an activity seed begun (not complete), unless one already began."""
    if await activity_begun(records) is not None:
        return
    marks = ", ".join(records.placeholders(6))
    await records.query(
        "INSERT INTO seed_state (id, scale, history_days, complete, started_at, counts) "
        f"VALUES ({marks})",
        [ACTIVITY_ROW, 0.0, 0, False, datetime.now(UTC), "{}"],
    )


async def finish_activity(records: Records, counts: dict[str, int]) -> None:
    """Mark the activity seed complete, with what it added."""
    finished, payload, row = records.placeholders(3)
    await records.query(
        f"UPDATE seed_state SET complete = TRUE, finished_at = {finished}, counts = {payload} "
        f"WHERE id = {row}",
        [datetime.now(UTC), json.dumps(counts, separators=(",", ":")), ACTIVITY_ROW],
    )
