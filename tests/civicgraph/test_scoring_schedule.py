"""The server's scheduled scoring: started with the app, scoring every period, its alarms on
the bus, a failed run logged and retried, stopped with the app; off at 0 and where another
process scores."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from civicgraph.app import create_app
from civicgraph.scoring import ScoringSchedule, scheduled_scoring
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from graph.records.predictions import PredictionRow
from ml.scoring import Scoring
from ml.scoring.run import SCORED
from subscriptions.bus import MemoryBus
from subscriptions.events import Stream

WAIT_S = 10
START = 4_070_908_800  # 2099-01-01T00:00:00Z


def row(subject: str, alarm: bool) -> PredictionRow:
    return PredictionRow(
        model="outbreak",
        model_version="v1",
        kind="outbreak_risk",
        subject=subject,
        district_code="11110",
        window_start=START,
        window_end=START + 86_400,
        score=0.9 if alarm else 0.1,
        alarm=alarm,
        detail=None,
        scored_at=START + 86_400,
    )


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(WAIT_S):
        while not condition():  # noqa: ASYNC110 - the schedule's counters are polled
            await asyncio.sleep(0.01)


async def test_the_schedule_publishes_each_runs_alarms_and_retries_after_a_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given a bus with a subscriber and runs whose second one fails
    bus = MemoryBus()
    heard = bus.subscribe(Stream.ANOMALIES)
    calls = 0

    async def run() -> list[Scoring]:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("the records went away")
        alarms = (row(f"11110/s{calls}", True),)
        return [
            Scoring("outbreak", "v1", START, 2, 1, alarms),
            Scoring("water", None, None, 0, 0, (), "no data"),
        ]

    caplog.set_level(logging.INFO, logger="civicgraph.scoring")
    # when it runs every 50 ms until a third run has published
    async with scheduled_scoring(run, bus, 0.05, first_after=0.0) as schedule:
        assert isinstance(schedule, ScoringSchedule)
        await until(lambda: schedule.runs >= 2)
        task = schedule._task
    # then the failed run was logged with its traceback and the next one ran
    assert schedule.failures == 1
    assert any(r.levelno == logging.ERROR and r.exc_info for r in caplog.records)
    # and each good run logged a line per model and published its alarm, and only that
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert "scoring: water: skipped: no data" in lines
    assert (
        "scoring: outbreak: version v1, window 2099-01-01T00:00Z, 2 predictions, 1 alarms, "
        "1 reviews proposed" in lines
    )
    subjects = [(await asyncio.wait_for(heard.next(), WAIT_S)).data["subject"] for _ in range(2)]
    assert subjects == ["11110/s1", "11110/s3"]
    # and leaving stopped it
    assert task is not None
    assert task.done()
    assert schedule._task is None


async def test_a_period_of_zero_schedules_nothing() -> None:
    async def run() -> list[Scoring]:
        raise AssertionError("never run")

    async with scheduled_scoring(run, MemoryBus(), 0) as schedule:
        assert schedule is None


async def test_the_server_scores_in_its_lifespan_and_stops_with_it(
    settings: Settings, stores: Stores, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # given the server with a period of one second and a registry with no model
    scoring = settings.model_copy(update={"ml_score_every": 1, "ml_dir": tmp_path / "ml"})
    caplog.set_level(logging.INFO, logger="civicgraph.scoring")
    app = create_app(scoring, stores, scoring=True)
    async with app.router.lifespan_context(app):
        schedule = app.state.scoring
        assert isinstance(schedule, ScoringSchedule)
        # when its first run has scored (a second after start)
        await until(lambda: schedule.runs >= 1)
        task = schedule._task
    # then each scored model was run for real, and skipped with why
    assert [s.model for s in schedule.last] == list(SCORED)
    assert all("civicgraph ml train" in (s.skipped or "") for s in schedule.last)
    assert sum("scoring: " in r.getMessage() for r in caplog.records) >= len(SCORED)
    # and the schedule stopped with the app
    assert task is not None
    assert task.done()


@pytest.mark.parametrize(
    ("subgraph", "scoring"),
    [(None, None), ("city", True)],
    ids=["lent-stores", "another-subgraph"],
)
async def test_no_schedule_on_lent_stores_or_in_another_subgraph(
    settings: Settings, stores: Stores, subgraph: str | None, scoring: bool | None
) -> None:
    app = create_app(settings, stores, subgraph, scoring=scoring)
    async with app.router.lifespan_context(app):
        assert app.state.scoring is None
