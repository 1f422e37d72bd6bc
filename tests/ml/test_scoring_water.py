"""Scoring the seeded Han River stations with the water model, on SQLite: the feed's readings
in, one prediction per station-hour out, an injected pollution event raising an alarm and one
review, a re-run proposing nothing, and every model or data problem a `skipped` reason.

The hourly-means read and the feed on PostgreSQL too: tests/contract/test_water_feed.py.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pytest

from graph.open import open_graph
from graph.records import Records, open_records, sqlite_url
from graph.records.predictions import subject_history
from graph.store import GraphStore
from ml.feeds import water as feed
from ml.registry import Registry
from ml.review import ReviewKind
from ml.scoring import ScoringContext
from ml.scoring import water as water_scoring
from ml.scoring.water import MAX_NEW_HOURS, score
from ml.trained import TrainedModel
from ml.water import train
from seeds import han_river
from tests.ml.reviews import queued

NOW = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
"""Seed 0's 30-day draw ending here has no pollution event in its last 48 hours."""
HOUR = 3600
EVENT_AT = "wq-han-03"
EVENT_HOURS = 8


@dataclass
class City:
    graph: GraphStore
    records: Records
    registry: Registry

    def at(self, now: datetime) -> ScoringContext:
        return ScoringContext(self.records, self.graph, self.registry, now)


@pytest.fixture(scope="module")
def trained() -> TrainedModel:
    return train(scale=0.05, seed=0)


async def _graph(folder: Path, stations: dict[str, list[object]]) -> GraphStore:
    graph = await open_graph(str(folder / "graph.lbug"))
    await graph.create_schema()
    await graph.load_nodes("Sensor", pa.table(stations))
    return graph


@pytest.fixture(scope="module")
async def river_graph(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[GraphStore]:
    """The seeded river stations' nodes, as `civicgraph seed` loads them (read only here)."""
    graph = await _graph(tmp_path_factory.mktemp("river"), han_river.sensor_columns())
    try:
        yield graph
    finally:
        await graph.close()


@pytest.fixture(scope="module")
async def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty, migrated records file that each test copies (migrating takes seconds)."""
    path = tmp_path_factory.mktemp("records") / "records.sqlite3"
    records = await open_records(sqlite_url(path))
    await records.close()
    return path


@pytest.fixture
async def records(tmp_path: Path, migrated: Path) -> AsyncIterator[Records]:
    copy = tmp_path / "records.sqlite3"
    shutil.copyfile(migrated, copy)
    opened = await open_records(sqlite_url(copy), migrate=False)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def registry(tmp_path: Path, trained: TrainedModel) -> Registry:
    made = Registry(tmp_path / "registry")
    made.promote("water", made.add(trained).version)
    return made


@pytest.fixture
def city(river_graph: GraphStore, records: Records, registry: Registry) -> City:
    return City(river_graph, records, registry)


async def _river_hours(records: Records, since: int, until: int) -> set[tuple[str, int]]:
    rows = await records.query(
        "SELECT sensor_id, measured_at FROM reading WHERE sensor_id LIKE 'wq-han-%' "
        "AND measured_at >= ? AND measured_at < ?",
        [since, until],
    )
    return {(r["sensor_id"], int(r["measured_at"])) for r in rows}


async def _inject_sewage(records: Records, first: int) -> None:
    """A sewage overflow from EVENT_AT down the river: nitrogen, phosphorus and turbidity up,
    oxygen down, over EVENT_HOURS hours from `first` (epoch seconds)."""
    await records.query(
        "UPDATE reading SET total_nitrogen = total_nitrogen + 4, "
        "total_phosphorus = total_phosphorus + 0.5, turbidity = turbidity * 4, "
        "dissolved_oxygen = max(dissolved_oxygen - 4, 0.5) "
        "WHERE sensor_id >= ? AND sensor_id LIKE 'wq-han-%' "
        "AND measured_at >= ? AND measured_at < ?",
        [EVENT_AT, first, first + EVENT_HOURS * HOUR],
    )


def test_river_stations_upstream_first_each_in_a_gu_with_its_upstream_neighbour() -> None:
    stations = han_river.stations()
    assert len(stations) >= 8
    assert [s.id for s in stations] == [f"wq-han-{i:02d}" for i in range(len(stations))]
    assert [s.km for s in stations] == sorted(s.km for s in stations)
    assert stations[0].district_code == "11740"  # Gangdong-gu, upstream
    assert stations[-1].district_code == "11500"  # Gangseo-gu, downstream
    assert [s.lon for s in stations] == sorted((s.lon for s in stations), reverse=True)
    assert han_river.upstream_of("wq-han-00") is None
    assert han_river.upstream_of("wq-han-03") == "wq-han-02"


async def test_score_writes_each_station_hour_and_an_injected_event_raises_one_review(
    city: City,
) -> None:
    # given the feed's 30 days, with a sewage overflow injected 10 hours before NOW
    written = await feed.seed(city.records, city.graph, now=NOW, seed=0)
    assert written > 8 * 24 * 28
    assert await feed.seed(city.records, city.graph, now=NOW, seed=0) == 0
    end = int(NOW.timestamp())
    onset = end - 10 * HOUR
    await _inject_sewage(city.records, onset)

    # when the river is scored at NOW
    first = await score(city.at(NOW))

    # then each station-hour of the last 48 that has a reading has one prediction
    assert first.skipped is None
    held = await _river_hours(city.records, end - MAX_NEW_HOURS * HOUR, end)
    rows = await city.records.query(
        "SELECT subject, window_start, window_end, score, alarm, district_code, detail "
        "FROM ml_prediction WHERE kind = 'water_anomaly'"
    )
    assert {(r["subject"], int(r["window_start"])) for r in rows} == held
    assert first.predictions == len(held)
    assert first.window_start == end - HOUR
    gu = {s.id: s.district_code for s in han_river.stations()}
    assert all(r["district_code"] == gu[r["subject"]] for r in rows)
    assert all(0.0 <= float(r["score"]) <= 1.0 for r in rows)
    assert all(int(r["window_end"]) - int(r["window_start"]) == HOUR for r in rows)
    # and the event's station alarms within its first hours, naming the measures it moved
    history = await subject_history(city.records, "water_anomaly", EVENT_AT, since=onset)
    alarmed = [p for p in history if p.alarm]
    assert alarmed
    assert alarmed[0].window_start - onset <= 4 * HOUR
    measures = {m["measure"] for m in orjson.loads(alarmed[0].detail or "{}")["measures"]}
    assert measures & {"total_nitrogen", "total_phosphorus", "turbidity", "dissolved_oxygen"}
    # and one water_alarm review per episode, its subject the station and the onset hour
    page = await queued(city.records, kind=ReviewKind.WATER_ALARM)
    subjects = {r.subject for r in page}
    assert first.proposed == len(page) >= 1
    when = datetime.fromtimestamp(alarmed[0].window_start, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f"{EVENT_AT}@{when}" in subjects
    proposal = next(r for r in page if r.subject == f"{EVENT_AT}@{when}").proposal
    assert proposal["station"] == EVENT_AT
    assert proposal["onset"] == when
    assert proposal["upstream"] == "wq-han-02"
    assert proposal["measures"]
    # and the newest hour's alarms are handed back
    assert all(a.alarm and a.window_start == end - HOUR for a in first.alarms)

    # when the same NOW is scored again
    again = await score(city.at(NOW))

    # then nothing new is written or proposed, and the newest hour's alarms are the same
    assert (again.predictions, again.proposed, again.skipped) == (0, 0, None)
    assert again.alarms == first.alarms
    assert len(await queued(city.records, kind=ReviewKind.WATER_ALARM)) == len(page)


async def test_score_an_hour_later_without_readings_is_skipped_with_the_reason(
    city: City,
) -> None:
    # given the feed up to NOW, scored once
    await feed.seed(city.records, city.graph, now=NOW, seed=0)
    await score(city.at(NOW))

    # when an hour passes without readings (the feed is not run again)
    later = await score(city.at(NOW + timedelta(hours=1)))

    # then nothing is scored, and the reason says where the readings come from
    assert later.predictions == 0
    assert later.skipped is not None
    assert "water feed" in later.skipped


async def test_score_without_a_trained_model_is_skipped_saying_how_to_train(
    city: City, tmp_path: Path
) -> None:
    result = await score(ScoringContext(city.records, city.graph, Registry(tmp_path / "no"), NOW))
    assert result.skipped is not None
    assert "civicgraph ml train water" in result.skipped
    assert (result.version, result.predictions, result.alarms) == (None, 0, ())


async def test_score_with_a_damaged_registry_entry_is_skipped_saying_how_to_repair(
    city: City,
) -> None:
    (city.registry.root / "water" / "current").write_text("not a version\n")
    result = await score(city.at(NOW))
    assert result.skipped is not None
    assert "damaged" in result.skipped
    assert result.skipped.count("civicgraph ml promote water") == 1  # the advice, once
    assert result.predictions == 0


async def test_score_without_river_stations_is_skipped_saying_how_to_seed(
    tmp_path: Path, records: Records, registry: Registry
) -> None:
    # given a graph whose only river station id names a sensor of another kind
    columns = {name: values[:1] for name, values in han_river.sensor_columns().items()}
    graph = await _graph(tmp_path, columns | {"kind": ["sdot"]})
    try:
        result = await score(ScoringContext(records, graph, registry, NOW))
    finally:
        await graph.close()
    assert result.skipped is not None
    assert "civicgraph seed" in result.skipped


async def test_score_implausible_readings_scores_without_raising(city: City) -> None:
    # given the feed, then readings no river gives: negative oxygen, huge nitrogen, pH 0,
    # a measure missing everywhere
    await feed.seed(city.records, city.graph, now=NOW, seed=0)
    end = int(NOW.timestamp())
    await city.records.query(
        "UPDATE reading SET dissolved_oxygen = -5, total_nitrogen = 1e9, ph = 0, "
        "turbidity = NULL WHERE sensor_id LIKE 'wq-han-%' AND measured_at >= ?",
        [end - 6 * HOUR],
    )
    # when scored
    result = await score(city.at(NOW))
    # then every station-hour still gets a score in 0–1
    assert result.skipped is None
    assert result.predictions > 0
    rows = await city.records.query("SELECT score FROM ml_prediction")
    assert all(0.0 <= float(r["score"]) <= 1.0 for r in rows)


async def test_the_river_is_scored_off_the_event_loop(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the feed, and the scoring's CPU work watched (serve runs it on its event loop)
    await feed.seed(city.records, city.graph, now=NOW, seed=0)
    threads: list[threading.Thread] = []
    scores = water_scoring._scores

    def watched(*args: Any) -> Any:
        threads.append(threading.current_thread())
        return scores(*args)

    monkeypatch.setattr(water_scoring, "_scores", watched)
    # when the river is scored
    assert (await score(city.at(NOW))).skipped is None
    # then the model ran in a worker thread, not on the loop's
    assert threads
    assert threads[0] is not threading.current_thread()
