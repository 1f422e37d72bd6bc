"""What the stores hold: written at the start of a seed and completed at its very end."""

from __future__ import annotations

from datetime import UTC, datetime

from graph.records.models import SeedState


async def current() -> SeedState | None:
    return await SeedState.get_or_none(id=1)


async def begin(scale: float, history_days: int) -> None:
    await SeedState.filter(id=1).delete()
    await SeedState.create(
        id=1, scale=scale, history_days=history_days, complete=False, started_at=datetime.now(UTC)
    )


async def finish(counts: dict[str, int]) -> None:
    await SeedState.filter(id=1).update(complete=True, finished_at=datetime.now(UTC), counts=counts)
