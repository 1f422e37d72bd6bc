"""`civicgraph ml score`: user mistakes are one-line refusals before any store is opened, a city
without a seed is refused, and the alarms reach a `serve` process's subscribers over Redis.

A full run over a seeded city with trained models (minutes to set up here) was run by hand
(the report of issue 16's scoring helper); tests/civicgraph/test_scoring_schedule.py runs
every model's real scoring through the server's schedule.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from civicgraph.cli import app
from civicgraph.cli_ml import _publish
from graph.errors import StoreUnavailable
from graph.records.predictions import PredictionRow
from ml.scoring import Scoring
from subscriptions.events import Stream
from subscriptions.open import open_bus
from tests.civicgraph.runner import BoundaryRunner, assert_refused

runner = BoundaryRunner()
REDIS_URL = os.environ.get("CIVIC_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
START = 4_070_908_800  # 2099-01-01T00:00:00Z


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CIVIC_ML_DIR", raising=False)
    monkeypatch.delenv("CIVIC_BUS_URL", raising=False)
    return tmp_path


@pytest.mark.parametrize(
    ("arguments", "said", "code"),
    [
        (["routing"], "not scored", 2),
        (["crystal-ball"], "not scored", 2),
        (["--at", "2026-11-30T09:00"], "no offset", 2),
        (["water", "--at", "yesterday"], "not an ISO 8601 time", 2),
        # a run as of the future would hide the real newest windows; year 1 broke the dates
        (["hotspots", "--at", "2099-01-20T00:00Z"], "never the future", 2),
        (["--at", "9999-12-31T23:59Z"], "never the future", 2),
        (["outbreak", "--at", "0001-01-01T00:00Z"], "outside 2000-01-01", 2),
    ],
    ids=["routing", "unknown-model", "no-offset", "not-a-time", "future", "year-9999", "year-1"],
)
def test_score_refuses_user_mistakes_in_one_line(
    data_dir: Path, arguments: list[str], said: str, code: int
) -> None:
    result = runner.invoke(app, ["ml", "score", *arguments])
    assert code == 2  # a usage error: Click's usage and its boxed message
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert said in " ".join(result.stderr.replace("│", " ").split())
    assert not (data_dir / "records.sqlite3").exists()  # refused before opening anything


def test_score_refuses_a_city_without_a_seed(data_dir: Path) -> None:
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    result = runner.invoke(app, ["ml", "score", "--at", "2026-11-30T09:00+09:00"])
    assert_refused(result)
    assert "civicgraph seed" in result.stderr


def test_score_fails_when_every_model_is_skipped(data_dir: Path) -> None:
    # given a seeded city and no trained model
    seeded = runner.invoke(
        app, ["seed", "--scale", "0.001", "--history-days", "1", "--no-activity"]
    )
    assert seeded.exception is None, seeded.output
    # when every model is scored, and then one
    every = runner.invoke(app, ["ml", "score"])
    one = runner.invoke(app, ["ml", "score", "water"])
    # then each skip says why on stdout, and the run fails in one line: nothing was scored
    for result, models in ((every, ("water", "outbreak", "hotspots")), (one, ("water",))):
        assert_refused(result)
        assert "nothing scored" in result.stderr
        for name in models:
            assert name in result.stdout
        assert result.stdout.count("has not been trained") == len(models), result.stdout
    # and with the simulator on (the default) each run first topped the feeds up, as serve does
    assert "feeds: water " in every.stdout, every.stdout


def test_score_leaves_the_feeds_alone_with_the_simulator_off(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded = runner.invoke(
        app, ["seed", "--scale", "0.001", "--history-days", "1", "--no-activity"]
    )
    assert seeded.exception is None, seeded.output
    monkeypatch.setenv("CIVIC_SIMULATOR", "0")
    result = runner.invoke(app, ["ml", "score", "water"])
    assert_refused(result)
    assert "feeds:" not in result.stdout


def alarm_row(subject: str, alarm: bool) -> PredictionRow:
    return PredictionRow(
        model="hotspots",
        model_version="v1",
        kind="hotspot_risk",
        subject=subject,
        district_code="11140",
        window_start=START,
        window_end=START + 86_400,
        score=2.0,
        alarm=alarm,
        detail=None,
        scored_at=START + 86_400,
    )


@pytest.mark.services
async def test_score_publishes_its_alarms_on_a_redis_bus_for_other_processes() -> None:
    # given a subscriber on another connection to Redis, as a `serve` worker holds one
    try:
        listener = await open_bus(REDIS_URL)
    except StoreUnavailable as error:
        pytest.skip(f"Redis is not running (tools/services/services.sh): {error}")
    try:
        heard = listener.subscribe(Stream.ANOMALIES, district="11140")
        scorings = [
            Scoring("hotspots", "v1", START, 2, 1, (alarm_row("c1", True), alarm_row("c2", False)))
        ]
        # when the command publishes a run's Scorings, and would on an in-process bus
        published = await _publish(REDIS_URL, scorings)
        unshared = await _publish("memory://", scorings)
        # then the other process hears the alarm, and an in-process bus is not opened at all
        event = await asyncio.wait_for(heard.next(), 5)
    finally:
        await listener.close()
    assert (published, unshared) == (1, 0)
    assert (event.data["subject"], event.data["alarm"]) == ("c1", True)
