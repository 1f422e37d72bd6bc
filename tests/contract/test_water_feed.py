"""The water feed and the hourly means the water model reads, the same on SQLite and
PostgreSQL: the river stations' hours written once, read back as the draw's values, still read
after their raw readings are rolled up, and never written twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from graph.open import open_graph
from graph.records import Records
from graph.records.readings import hours_with_readings, roll_up
from graph.store import GraphStore
from ml.feeds import water as feed
from ml.scoring.water_readings import hourly_means, river_stations
from seeds import han_river

NOW = datetime(2026, 11, 25, 0, 30, tzinfo=UTC)
END = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)


@pytest.fixture
def records(empty_records: Records) -> Records:
    return empty_records


@pytest.fixture
async def graph(tmp_path: Path) -> AsyncIterator[GraphStore]:
    store = await open_graph(str(tmp_path / "graph.lbug"))
    await store.create_schema()
    await store.load_nodes("Sensor", pa.table(han_river.sensor_columns()))
    try:
        yield store
    finally:
        await store.close()


async def test_feed_hours_read_back_as_hourly_means_before_and_after_roll_up(
    records: Records, graph: GraphStore
) -> None:
    # given the feed written once
    written = await feed.seed(records, graph, now=NOW, seed=3)
    observed = feed.draw(NOW, 3)
    present = ~np.isnan(observed.values).all(axis=2)
    assert written == int(present.sum())

    # when the river's hourly means are read over the feed's days
    stations = [s.id for s in await river_stations(graph)]
    start = END - timedelta(days=feed.FEED_DAYS)
    river = await hourly_means(records, stations, start, END)

    # then they are the draw's readings, NaN where the draw has none
    assert stations == [s.id for s in han_river.stations()]
    assert np.array_equal(river.times, observed.times)
    np.testing.assert_allclose(river.values, observed.values, rtol=1e-9, equal_nan=True)

    # when the raw readings older than a day are rolled up, and the feed runs again
    await roll_up(records, keep_days=1, now=END)
    again = await feed.seed(records, graph, now=NOW, seed=3)

    # then nothing is written twice and the means read the same from the roll-ups
    assert again == 0
    rolled = await hourly_means(records, stations, start, END)
    np.testing.assert_allclose(rolled.values, observed.values, rtol=1e-9, equal_nan=True)
    held = await hours_with_readings(records, stations[:1], start, END)
    assert len(held[stations[0]]) == int(present[0].sum())


async def test_a_later_feed_writes_only_the_new_hours_and_never_changes_an_hour(
    records: Records, graph: GraphStore
) -> None:
    # given the feed written at NOW
    await feed.seed(records, graph, now=NOW, seed=3)
    stations = [s.id for s in await river_stations(graph)]
    # when it is topped up five hours later (serve does so each hour)
    later = NOW + timedelta(hours=5)
    written = await feed.seed(records, graph, now=later, seed=3)
    # then only the five new hours are written, and every hour both draws hold is the same
    before, after = feed.draw(NOW, 3), feed.draw(later, 3)
    new = ~np.isnan(after.values[:, -5:]).all(axis=2)
    assert written == int(new.sum())
    np.testing.assert_array_equal(after.values[:, :-5], before.values[:, 5:])
    river = await hourly_means(
        records, stations, later.replace(minute=0) - timedelta(days=2), later.replace(minute=0)
    )
    np.testing.assert_allclose(river.values, after.values[:, -48:], rtol=1e-9, equal_nan=True)
