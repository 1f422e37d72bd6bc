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
