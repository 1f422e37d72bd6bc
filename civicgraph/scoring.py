"""The server's scheduled scoring: the models score the platform's data every period.

`serve` runs one `ScoringSchedule` in its lifespan (`CIVIC_ML_SCORE_EVERY` seconds, default
3600, 0 = off): it scores once FIRST_AFTER_S seconds after start (or one period, if shorter),
then every period; publishes each run's alarms on the bus (the `anomalies` subscription, on
every worker); logs one line per model; and never stops the server: a failed run is logged and
the next period tries again.
Only one process should score (docs/operations.md, "Scheduled scoring").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from graph.records import Records
from graph.store import GraphStore
from ml.feeds import refresh_feeds
from ml.registry import Registry
from ml.scoring import Scoring, ScoringContext
from ml.scoring.run import score_all
from subscriptions.anomalies import publish_anomalies
from subscriptions.bus import EventBus

log = logging.getLogger("civicgraph.scoring")

FIRST_AFTER_S = 10.0
"""Seconds after start-up before the first run: the server answers first, then scores."""

Run = Callable[[], Awaitable[list[Scoring]]]
"""One scoring run, at the time it is called."""


def scoring_run(
    records: Records, graph: GraphStore, registry: Registry, *, feeds: bool = False
) -> Run:
    """Every scored model, scored at the moment of the call (`score_all`); with `feeds` (the
    simulator is on), the feeds are topped up to that moment first (`refresh_feeds`), so the
    models have new hours and days to score while the server runs."""

    async def run() -> list[Scoring]:
        now = datetime.now(UTC)
        if feeds:
            written = await refresh_feeds(records, graph, now=now)
            log.info("feeds: %s", ", ".join(f"{n} {c} rows" for n, c in written.items()))
        return await score_all(ScoringContext(records, graph, registry, now))

    return run


def describe(scoring: Scoring) -> str:
    """One line about one model's run: what it wrote and proposed, or why it was skipped."""
    if scoring.skipped is not None:
        return f"{scoring.model}: skipped: {scoring.skipped}"
    window = (
        "window " + datetime.fromtimestamp(scoring.window_start, UTC).strftime("%Y-%m-%dT%H:%MZ")
        if scoring.window_start is not None
        else "no new window (the newest with data is scored already)"
    )
    left_out = f", {scoring.unscored} left out for lack of data" if scoring.unscored else ""
    return (
        f"{scoring.model}: version {scoring.version}, {window}, "
        f"{scoring.predictions} predictions, {len(scoring.alarms)} alarms, "
        f"{scoring.proposed} reviews proposed{left_out}"
    )


@dataclass
class ScoringSchedule:
    """Runs `run` FIRST_AFTER_S (`first_after`) seconds after `start`, then every `every`
    seconds (> 0), publishing each run's alarms on `bus`."""

    run: Run
    bus: EventBus
    every: float
    first_after: float = FIRST_AFTER_S
    runs: int = 0
    """Runs that completed (their alarms published)."""
    failures: int = 0
    """Runs that failed (logged; the next period tries again)."""
    last: list[Scoring] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the schedule (idempotent)."""
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="ml-scoring")

    async def stop(self) -> None:
        """Stop it; a run under way is cancelled (each model's rows are written in one
        transaction, so a cancelled run leaves whole windows or none)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def once(self) -> list[Scoring]:
        """One run: score, log a line per model, publish the alarms."""
        scorings = await self.run()
        for scoring in scorings:
            log.info("scoring: %s", describe(scoring))
        await publish_anomalies(self.bus, [row for s in scorings for row in s.alarms])
        self.runs += 1
        self.last = scorings
        return scorings

    async def _loop(self) -> None:
        await asyncio.sleep(self.first_after)
        while True:
            try:
                await self.once()
            except Exception:  # a bug or an outage must not stop the server: retry next period
                self.failures += 1
                log.exception("scoring failed; the next run is in %.0f s", self.every)
            await asyncio.sleep(self.every)


@contextlib.asynccontextmanager
async def scheduled_scoring(
    run: Run, bus: EventBus, every: float, *, first_after: float = FIRST_AFTER_S
) -> AsyncIterator[ScoringSchedule | None]:
    """A started ScoringSchedule while inside (None when `every` is 0: off), stopped after;
    its first run comes after `first_after` seconds, or one period if that is shorter."""
    if every <= 0:
        yield None
        return
    schedule = ScoringSchedule(run, bus, every, min(first_after, every))
    schedule.start()
    try:
        yield schedule
    finally:
        await schedule.stop()
