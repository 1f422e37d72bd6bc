"""What the stores hold: written at the start of a seed and completed at its very end."""

from __future__ import annotations

from datetime import UTC, datetime

from graph.records.db import Records
from graph.records.models import SeedState


async def current(records: Records) -> SeedState | None:
    return await SeedState.filter(id=1).using_db(records.client).first()


async def begin(records: Records, scale: float, history_days: int) -> None:
    await SeedState.filter(id=1).using_db(records.client).delete()
    await SeedState.create(
        id=1,
        scale=scale,
        history_days=history_days,
        complete=False,
        started_at=datetime.now(UTC),
        using_db=records.client,
    )


async def finish(records: Records, counts: dict[str, int]) -> None:
    await (
        SeedState.filter(id=1)
        .using_db(records.client)
        .update(complete=True, finished_at=datetime.now(UTC), counts=counts)
    )
