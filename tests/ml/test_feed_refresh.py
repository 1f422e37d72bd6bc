"""`refresh_feeds`, which serve runs before each scoring run while the simulator is on: the
river's new hours every time, the counts and the incidents once a Seoul day, and a day already
written never changed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from civicgraph.scoring import scoring_run
from graph.records import Records, open_records, sqlite_url
from graph.records.readings import hours_with_readings
from graph.records.syndromic import counts_between, epoch_day, newest_day
from graph.store import GraphStore
from ml.feeds import outbreak, refresh_feeds
from ml.registry import Registry
from seeds import han_river
from tests.ml.graphs import graph_with_gu

NOW = datetime(2026, 11, 30, 3, 30, tzinfo=UTC)  # 12:30 in Seoul
GU = ("11110", "11140", "11500", "11740")  # Jongno, Jung, and the river's two ends


@pytest.fixture
async def stores(tmp_path: Path) -> AsyncIterator[tuple[Records, GraphStore]]:
    graph = await graph_with_gu(tmp_path / "graph.lbdb", GU)
    await graph.load_nodes("Sensor", pa.table(han_river.sensor_columns()))
    records = await open_records(sqlite_url(tmp_path / "records.sqlite3"))
    try:
        yield records, graph
    finally:
        await records.close()
        await graph.close()


async def test_feeds_are_topped_up_hourly_and_daily_without_changing_what_was_written(
    stores: tuple[Records, GraphStore],
) -> None:
    records, graph = stores
    # given every feed written at NOW
    first = await refresh_feeds(records, graph, now=NOW)
    assert set(first) == {"water", "outbreak", "hotspots"}
    assert all(count > 0 for count in first.values())
    day = epoch_day(outbreak.last_day(NOW))
    counts = await counts_between(records, day - 30, day)

    # when an hour later
    hour = await refresh_feeds(records, graph, now=NOW + timedelta(hours=1))
    # then the river has its new hour; the counts and incidents are today's already
    assert set(hour) == {"water"}
    assert 0 < hour["water"] <= len(han_river.stations())

    # when the next Seoul day has begun
    tomorrow = await refresh_feeds(records, graph, now=NOW + timedelta(days=1))
    # then the counts gain that day, and the days written before are as they were
    assert set(tomorrow) == {"water", "outbreak", "hotspots"}
    assert 0 < tomorrow["water"] <= 23 * len(han_river.stations())  # the 23 hours since
    assert await counts_between(records, day - 30, day) == counts
    assert len(await counts_between(records, day + 1, day + 1)) == len(GU) * 3 * 3


async def test_a_scheduled_run_with_the_simulator_on_tops_the_feeds_up_first(
    stores: tuple[Records, GraphStore], tmp_path: Path
) -> None:
    records, graph = stores
    run = scoring_run(records, graph, Registry(tmp_path / "ml"), feeds=True)
    scorings = await run()
    assert all("civicgraph ml train" in (s.skipped or "") for s in scorings)  # no model here
    newest = await newest_day(records)
    assert newest == epoch_day(outbreak.last_day(datetime.now(UTC)))
    hours = await hours_with_readings(
        records, ["wq-han-00"], datetime.now(UTC) - timedelta(hours=6), datetime.now(UTC)
    )
    assert hours["wq-han-00"]
