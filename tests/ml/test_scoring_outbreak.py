"""The outbreak model scoring the platform's own syndromic feed: the feed's observable counts,
a row per gu and syndrome for the Seoul day before `now`, an outbreak injected into the counts
raising an alarm and a review, nothing new on a re-run, a missing day scored as missing, a gu
without counts skipped and counted, and skipping (with the fix) when the model is missing or
damaged."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pytest

from graph.records import Records, open_records, sqlite_url
from graph.records.predictions import predictions_in_window
from graph.records.syndromic import SyndromicCountRow, counts_between, epoch_day, put_counts
from graph.store import GraphStore
from ml.errors import InvalidSeed
from ml.feeds import outbreak as feed
from ml.feeds.city import seeded_gu
from ml.outbreak import train
from ml.registry import Registry
from ml.review import ReviewKind
from ml.scoring import ScoringContext
from ml.scoring.outbreak import NOTICE, score
from tests.ml.graphs import graph_with_gu
from tests.ml.reviews import queued

NOW = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)  # 00:30 on 1 December in Seoul
DAY = date(2026, 11, 30)  # the Seoul day scored
MIDNIGHT = int(datetime(2026, 11, 29, 15, 0, tzinfo=UTC).timestamp())  # its start, UTC
GU = ("11110", "11140", "11170", "11200", "11230")  # Jongno, Jung, Yongsan, Seongdong, Dongdaemun
NOT_IN_GRAPH = ("11170", "11200")
"""A pair the real boundaries make adjacent (ml.features.gu_adjacency) that the test's graph
does not link: Yongsan's only neighbour in the graph is Jung-gu."""
UNFED = "11740"  # Gangdong-gu: added to the graph after the feed, so it has no counts
OUTBREAK = ("11200", "gastrointestinal")
MISSING = "11230"
"""Its feed misses the scored day in every stream."""
RISE = np.array([1.0, 1.0, 1.3, 1.7, 2.2, 2.9, 3.8, 5.0, 6.5, 8.5])
"""The outbreak's multiple of the usual counts over the last 10 days; pharmacies follow
searches 2 days later, ER visits 4 days later (as the generator's outbreaks do)."""
LAG = {"search": 0, "pharmacy": 2, "er": 4}


@dataclass
class City:
    records: Records
    graph: GraphStore
    registry: Registry
    root: Path
    fed: int

    def context(self, registry: Registry | None = None) -> ScoringContext:
        return ScoringContext(self.records, self.graph, registry or self.registry, NOW)


async def _graph(root: Path) -> GraphStore:
    graph = await graph_with_gu(root / "graph.lbdb", GU)
    pairs = [
        (a, b)
        for a, b in [
            ("11110", "11140"),
            ("11110", "11230"),
            ("11140", "11170"),
            ("11140", "11200"),
            ("11170", "11200"),
            ("11200", "11230"),
        ]
        if (a, b) != NOT_IN_GRAPH
    ]
    await graph.load_rels(
        "ADJACENT_TO",
        "District",
        "District",
        pa.table({"from": [p[0] for p in pairs] + [p[1] for p in pairs]}).append_column(
            "to", pa.array([p[1] for p in pairs] + [p[0] for p in pairs])
        ),
    )
    return graph


@pytest.fixture(scope="module")
async def city(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[City]:
    root = Path(tmp_path_factory.mktemp("outbreak-scoring"))
    registry = Registry(root / "registry")
    stored = registry.add(train(scale=0.01, seed=0))
    registry.promote("outbreak", stored.version)
    graph = await _graph(root)
    records = await open_records(sqlite_url(root / "records.sqlite3"))
    try:
        fed = await feed.seed(records, graph, now=NOW, seed=0)
        yield City(records, graph, registry, root, fed)
    finally:
        await records.close()
        await graph.close()


def _injected(rows: list[SyndromicCountRow]) -> list[SyndromicCountRow]:
    """The outbreak's rows: the fed counts of OUTBREAK's last 10 days times RISE (lagged per
    stream), a missing day filled with the series' mean times RISE."""
    gu, syndrome = OUTBREAK
    last = epoch_day(DAY)
    changed = []
    for stream, lag in LAG.items():
        series = {
            r.day: r.count
            for r in rows
            if (r.district_code, r.syndrome, r.stream) == (gu, syndrome, stream)
        }
        usual = np.mean([c for c in series.values() if c is not None])
        for offset, factor in enumerate(RISE[: len(RISE) - lag] if lag else RISE):
            day = last - len(RISE) + 1 + lag + offset
            fed = series.get(day)
            changed.append(
                SyndromicCountRow(gu, syndrome, stream, day, round((fed or usual) * factor))
            )
    return changed


async def test_feed_writes_the_draws_observable_counts_for_the_graphs_gu(city: City) -> None:
    # given the feed seeded for NOW
    last = epoch_day(DAY)
    rows = await counts_between(city.records, 0, last + 30)
    # then it wrote 120 days up to the Seoul day before NOW, every stream and syndrome of each
    # gu the graph held (not of the other 20), each count as the draw has it, missing as None
    assert city.fed == len(rows) == len(GU) * 3 * 3 * feed.FEED_DAYS
    assert {r.district_code for r in rows} == set(GU)
    assert {r.day for r in rows} == set(range(last - feed.FEED_DAYS + 1, last + 1))
    observed = feed.draw(NOW, 0)
    assert observed.days[-1] == np.datetime64(DAY)
    first = last - feed.FEED_DAYS + 1
    drawn = {
        (gu, syndrome, stream, first + t): observed.counts[s, g, y, t]
        for g, gu in enumerate(observed.gu)
        for y, syndrome in enumerate(observed.syndromes)
        for s, stream in enumerate(observed.streams)
        for t in range(feed.FEED_DAYS)
    }
    untouched = [r for r in rows if (r.district_code, r.syndrome) != OUTBREAK and r.day < last]
    assert all(
        (r.count is None and np.isnan(drawn[key])) or r.count == drawn[key]
        for r in untouched
        for key in [(r.district_code, r.syndrome, r.stream, r.day)]
    )
    assert any(r.count is None for r in untouched)  # the feed's missing days
    # and seeding again writes the same rows in their place (for the gu the graph holds now)
    expected = len(await seeded_gu(city.graph)) * 3 * 3 * feed.FEED_DAYS
    assert await feed.seed(city.records, city.graph, now=NOW, seed=0) == expected
    assert len(await counts_between(city.records, 0, last + 30)) == expected


def test_feed_seeds_stay_disjoint_from_the_models_own() -> None:
    with pytest.raises(InvalidSeed):
        feed.draw(NOW, 1000)


async def test_scoring_alarms_on_the_injected_outbreak_once_and_queues_its_review(
    city: City,
) -> None:
    # given a gu the feed never saw, an outbreak building in the feed's counts of OUTBREAK, and
    # MISSING's scored day lost
    await city.graph.create_node(
        "District",
        {"code": UNFED, "level": "gu", "name_ko": UNFED, "name_en": UNFED, "parent_code": ""},
    )
    last = epoch_day(DAY)
    rows = await counts_between(city.records, last - 60, last)
    await put_counts(city.records, _injected(rows))
    lost = [r for r in rows if r.district_code == MISSING and r.day == last]
    await put_counts(
        city.records,
        [SyndromicCountRow(r.district_code, r.syndrome, r.stream, r.day, None) for r in lost],
    )

    # when the day before NOW is scored
    scoring = await score(city.context())

    # then every fed gu × syndrome has one row for that Seoul day; the unfed gu is counted
    assert scoring.skipped is None
    assert scoring.window_start == MIDNIGHT
    assert scoring.unscored == 1
    scored = await predictions_in_window(city.records, "outbreak_risk", MIDNIGHT)
    syndromes = ("gastrointestinal", "influenza_like", "respiratory")
    assert sorted(p.subject for p in scored) == [f"{g}/{s}" for g in GU for s in syndromes]
    assert scoring.predictions == len(scored) == 15
    assert {(p.window_start, p.window_end) for p in scored} == {(MIDNIGHT, MIDNIGHT + 86_400)}
    assert all(p.model_version == scoring.version and 0 <= p.score <= 1 for p in scored)
    by_subject = {p.subject: p for p in scored}
    # and the outbreak alarms, with the day's counts and their ratio to the usual
    alarm = by_subject["/".join(OUTBREAK)]
    assert alarm.alarm
    assert alarm in scoring.alarms
    detail = orjson.loads(alarm.detail or "")
    today = {r.stream: r.count for r in _injected(rows) if r.day == last}
    assert detail["counts"] == today
    assert float(detail["baseline_ratio"]["search"]) > 4
    assert detail["neighbours"] == ["11140", "11230"]  # the graph's, not gu_adjacency's
    assert orjson.loads(by_subject["11170/respiratory"].detail or "")["neighbours"] == ["11140"]
    # and the missing day is scored as missing
    missing = orjson.loads(by_subject[f"{MISSING}/respiratory"].detail or "")
    assert missing["counts"] == {"er": None, "pharmacy": None, "search": None}
    # and each alarm waits for an analyst, saying nobody is notified before
    assert scoring.proposed == len(scoring.alarms) >= 1
    pending = await queued(city.records, kind=ReviewKind.OUTBREAK_ALARM)
    subjects = {r.subject: r for r in pending}
    assert set(subjects) == {f"{a.subject}@{DAY.isoformat()}" for a in scoring.alarms}
    proposal = subjects[f"{'/'.join(OUTBREAK)}@{DAY.isoformat()}"].proposal
    assert proposal["notice"] == NOTICE
    assert proposal["day"] == DAY.isoformat()
    assert subjects[f"{'/'.join(OUTBREAK)}@{DAY.isoformat()}"].district_code == OUTBREAK[0]

    # when the same NOW is scored again
    again = await score(city.context())
    # then the same rows are written and nothing new is proposed
    assert again.proposed == 0
    assert again.alarms == scoring.alarms
    assert await predictions_in_window(city.records, "outbreak_risk", MIDNIGHT) == scored
    assert len(await queued(city.records, kind=ReviewKind.OUTBREAK_ALARM)) == len(subjects)


async def test_scoring_without_a_trained_model_is_skipped_with_how_to_train(
    city: City,
) -> None:
    # when the registry holds no outbreak model
    scoring = await score(city.context(Registry(city.root / "empty")))
    # then nothing is scored and the reason names the command that trains it
    assert scoring.skipped is not None
    assert "civicgraph ml train outbreak" in scoring.skipped
    assert (scoring.version, scoring.predictions, scoring.alarms) == (None, 0, ())


async def test_scoring_with_a_damaged_model_is_skipped_with_the_fix(city: City) -> None:
    # given a copy of the registry whose model file was edited by hand
    copy = city.root / "damaged"
    shutil.copytree(city.root / "registry", copy)
    version = Registry(copy).current_version("outbreak")
    (copy / "outbreak" / str(version) / "model.txt").write_text("tree\n")
    before = await predictions_in_window(city.records, "outbreak_risk", MIDNIGHT - 86_400)
    # when the day is scored
    scoring = await score(
        ScoringContext(city.records, city.graph, Registry(copy), NOW - timedelta(days=1))
    )
    # then nothing is written and the reason says how to repair it
    assert scoring.skipped is not None
    assert "civicgraph ml train outbreak" in scoring.skipped
    assert "promote" in scoring.skipped
    assert scoring.predictions == 0
    assert await predictions_in_window(city.records, "outbreak_risk", MIDNIGHT - 86_400) == before
