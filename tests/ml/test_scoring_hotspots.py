"""The hotspot model scoring the platform's own incident feed: the feed's reports, a row per
cell and day, top cells where the reports concentrate, a patrol review per gu, nothing new on a
re-run, and skipping (with the fix) when the model is missing or damaged."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import orjson
import pytest

from graph.records import Records, open_records, sqlite_url
from graph.records.incidents import IncidentRow, incidents_between
from graph.records.predictions import predictions_in_window
from graph.store import GraphStore
from ml.errors import InvalidSeed
from ml.feeds import hotspots as feed
from ml.hotspot_city import cell_ids, layers_on
from ml.hotspot_features import HISTORY_HOURS
from ml.hotspot_grid import build_grid, to_metres
from ml.hotspots import train
from ml.metrics.hotspots import cells_flagged
from ml.registry import Registry
from ml.review import ReviewKind
from ml.scoring import Scoring, ScoringContext
from ml.scoring.hotspots import NO_PATROL_CHANGE, score
from tests.ml.graphs import graph_with_gu
from tests.ml.reviews import queued

MODEL_GU = "11140"  # Jung-gu: the tiny model's only gu
OTHER_GU = "11110"  # Jongno-gu: fed and scored, never trained on
NOW = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)  # 00:30 on 1 December in Seoul
MIDNIGHT = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
DAY = "2026-12-01"


def positions(reports: list[IncidentRow]) -> tuple[np.ndarray, np.ndarray]:
    """The reports' positions in metres (EPSG:5186)."""
    return to_metres(np.array([r.lon for r in reports]), np.array([r.lat for r in reports]))


@dataclass
class City:
    records: Records
    graph: GraphStore
    registry: Registry
    root: Path
    fed: int

    def context(self, now: datetime = NOW, registry: Registry | None = None) -> ScoringContext:
        return ScoringContext(self.records, self.graph, registry or self.registry, now)


@pytest.fixture(scope="module")
async def city(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[City]:
    root = Path(tmp_path_factory.mktemp("hotspot-scoring"))
    registry = Registry(root / "registry")
    stored = registry.add(train(scale=0.04, seed=0))
    registry.promote("hotspots", stored.version)
    graph = await graph_with_gu(root / "graph.lbdb", (MODEL_GU, OTHER_GU))
    records = await open_records(sqlite_url(root / "records.sqlite3"))
    try:
        fed = await feed.seed(records, graph, now=NOW, seed=0)
        yield City(records, graph, registry, root, fed)
    finally:
        await records.close()
        await graph.close()


async def test_feed_writes_12_weeks_of_recorded_reports_in_their_cells_once(city: City) -> None:
    # given the feed seeded up to NOW
    reports = await incidents_between(city.records, 0, 2**40)
    # then it wrote the last 12 weeks before the Seoul midnight, and the reports since, only
    first = int(MIDNIGHT.timestamp()) - HISTORY_HOURS * 3600
    assert city.fed == len(reports) > 500
    at = np.array([r.reported_at for r in reports])
    assert at.min() >= first
    assert at.max() < NOW.timestamp()
    assert at.min() < first + 24 * 3600  # from the first day on
    assert {r.category for r in reports} == {feed.CATEGORY}
    # and only the recorded incidents of the draw (never the unrecorded ones)
    observed, first_hour = feed.draw((MODEL_GU, OTHER_GU), now=NOW, seed=0)
    epoch_hour = int(observed.start.astype(np.int64)) + observed.hour
    assert first_hour * 3600 == first
    in_range = (epoch_hour >= first_hour) & (epoch_hour * 3600 < NOW.timestamp())
    assert len(reports) <= in_range.sum() <= len(reports) + 5  # NOW's own hour: some after NOW
    # and the incidents were drawn in the deployment's environment, the one scoring reads
    grid = build_grid((MODEL_GU, OTHER_GU))
    assert np.array_equal(observed.environment.lighting, layers_on(grid).observed.lighting)
    # and each report lies in a cell of the gu it names
    cell = grid.cells_at(*positions(reports))
    assert (cell >= 0).all()
    assert (grid.gu[cell] == np.array([r.district_code for r in reports])).all()
    # and seeding again writes the same rows in their place
    assert await feed.seed(city.records, city.graph, now=NOW, seed=0) == city.fed
    assert await incidents_between(city.records, 0, 2**40) == reports


def test_feed_seeds_stay_disjoint_from_the_models_own() -> None:
    with pytest.raises(InvalidSeed):
        feed.draw((MODEL_GU,), now=NOW, seed=1000)


async def test_scoring_writes_a_row_per_cell_and_alarms_where_reports_concentrate(
    city: City,
) -> None:
    # when the day of NOW is scored
    scoring = await score(city.context())
    # then every cell of both fed gu has one row for the Seoul day, its own model trained on one
    grid = build_grid((MODEL_GU, OTHER_GU))
    assert scoring.skipped is None
    assert scoring.window_start == int(MIDNIGHT.timestamp())
    rows = await predictions_in_window(
        city.records, "hotspot_risk", int(MIDNIGHT.timestamp()), limit=10_000
    )
    assert scoring.predictions == len(rows) == grid.n_cells
    assert sorted(r.subject for r in rows) == sorted(cell_ids(grid))
    assert {r.district_code for r in rows} == {MODEL_GU, OTHER_GU}
    assert {r.window_end - r.window_start for r in rows} == {86_400}
    # and the alarms are the top cells covering 5 % of the area, the highest scores
    alarms = [r for r in rows if r.alarm]
    assert len(alarms) == len(scoring.alarms) == cells_flagged(grid.n_cells, 0.05)
    assert {r.subject for r in scoring.alarms} == {r.subject for r in alarms}
    assert min(r.score for r in alarms) >= max(r.score for r in rows if not r.alarm)
    # and they hold far more than 5 % of the feed's reports of the 12 weeks
    reports = await incidents_between(city.records, 0, int(MIDNIGHT.timestamp()))
    cell = grid.cells_at(*positions(reports))
    ids = np.array(cell_ids(grid))[cell]
    share = np.isin(ids, [r.subject for r in alarms]).mean()
    assert share > 2.5 * 0.05
    # and each row's detail names its centre and its peak hour
    detail = orjson.loads(alarms[0].detail or "")
    index = cell_ids(grid).index(alarms[0].subject)
    lon, lat = grid.lonlat()
    assert float(detail["lon"]) == pytest.approx(lon[index], abs=1e-6)
    assert float(detail["lat"]) == pytest.approx(lat[index], abs=1e-6)
    assert 0 <= detail["peak_hour"] <= 23


async def test_a_patrol_review_per_gu_waits_for_an_analyst_and_a_rerun_adds_none(
    city: City,
) -> None:
    # given the day scored (perhaps again)
    first = await score(city.context())
    rows = await predictions_in_window(
        city.records, "hotspot_risk", int(MIDNIGHT.timestamp()), limit=10_000
    )
    # then each gu with top cells has one pending patrol allocation listing them
    page = await queued(city.records, kind=ReviewKind.PATROL_ALLOCATION)
    by_subject = {r.subject: r for r in page}
    gus = {r.district_code for r in first.alarms}
    assert set(by_subject) == {f"{gu}@{DAY}" for gu in gus}
    for gu in gus:
        proposal = by_subject[f"{gu}@{DAY}"].proposal
        mine = sorted((r for r in first.alarms if r.district_code == gu), key=lambda r: -r.score)
        assert [c["cell"] for c in proposal["cells"]] == [r.subject for r in mine]
        assert proposal["review"] == NO_PATROL_CHANGE
        assert by_subject[f"{gu}@{DAY}"].district_code == gu
    # when the same NOW is scored again
    again = await score(city.context())
    # then the same rows are written and nothing new is proposed
    assert again.proposed == 0
    assert again.predictions == first.predictions
    assert (
        await predictions_in_window(
            city.records, "hotspot_risk", int(MIDNIGHT.timestamp()), limit=10_000
        )
        == rows
    )
    page = await queued(city.records, kind=ReviewKind.PATROL_ALLOCATION)
    assert len(page) == len(gus)


async def test_missing_damaged_or_unfed_is_skipped_with_the_fix(city: City) -> None:
    # a registry where the model was never trained
    never = await score(city.context(registry=Registry(city.root / "empty")))
    assert never == Scoring("hotspots", None, None, 0, 0, (), never.skipped)
    assert "civicgraph ml train hotspots" in str(never.skipped)
    # a registry whose model file was edited by hand
    copy = city.root / "damaged"
    shutil.copytree(city.root / "registry", copy)
    version = Registry(copy).current_version("hotspots")
    (copy / "hotspots" / str(version) / "model.txt").write_text("tree\n")
    damaged = await score(city.context(registry=Registry(copy)))
    assert damaged.predictions == 0
    assert damaged.version is None
    assert "not the file this version was trained as" in str(damaged.skipped)
    # a day with no reports in its 12 weeks
    early = await score(city.context(now=NOW - timedelta(days=200)))
    assert early.predictions == 0
    assert "civicgraph seed" in str(early.skipped)
    # a day whose feed stopped weeks before it (its 12 weeks hold reports, its last week none)
    stale = await score(city.context(now=NOW + timedelta(days=40)))
    assert stale.predictions == 0
    assert "the feed stopped" in str(stale.skipped)


def test_a_cells_environment_and_id_do_not_depend_on_the_gu_scored_beside_it() -> None:
    # given Jung-gu alone and Jung-gu with Jongno-gu
    alone, both = build_grid((MODEL_GU,)), build_grid((MODEL_GU, OTHER_GU))
    index = both.cells_at(alone.x, alone.y)
    # then Jung-gu's cells keep their ids and their (synthetic) environment
    assert [cell_ids(both)[i] for i in index] == cell_ids(alone)
    one, two = layers_on(alone), layers_on(both)
    assert np.array_equal(one.observed.lighting, two.observed.lighting[index])
    assert np.array_equal(one.observed.foot_traffic, two.observed.foot_traffic[index])
    assert np.array_equal(one.residential, two.residential[index])
