"""Seeding end to end into both stores: completeness marker, reseed keeping keys."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from civicgraph.settings import Settings
from civicgraph.stores import open_stores
from graph.records import api_keys, seed_state
from graph.records.api_keys import Tier
from graph.records.case_events import EVENT_COLUMNS
from graph.records.db import open_records
from seeds import han_river
from seeds.seed import EVENT_ROWS_AT_ONCE, is_seeded, seed, write_events
from tests.conftest import SEED_UNTIL


async def test_half_done_seed_is_not_taken_for_a_seed_and_reseed_keeps_keys(tmp_path: Path) -> None:
    stores = await open_stores(Settings(data_dir=tmp_path), migrate=True)
    try:
        # given a seed that stopped after it began
        await seed_state.begin(stores.records, 0.001, 1)
        assert not await is_seeded(stores.graph, stores.records)
        key = await api_keys.create_key(stores.records, "kept", Tier.DEVELOPER)
        # when the city is seeded (again)
        counts = await seed(
            stores.graph, stores.records, scale=0.001, history_days=1, until=SEED_UNTIL
        )
        # then it is complete, at that scale only, and the key still works
        assert await is_seeded(stores.graph, stores.records)
        assert await is_seeded(stores.graph, stores.records, 0.001)
        assert not await is_seeded(stores.graph, stores.records, 0.002)
        assert counts["District"] == 25 + 467
        assert counts["Sensor"] >= 50
        # every sensor has a day of 2-minute readings but the river's, which the water feed
        # writes (ml/feeds/water.py)
        river = len(han_river.stations())
        assert counts["Reading"] == (counts["Sensor"] - river) * 720
        assert await api_keys.tier_for(stores.records, key.secret) is Tier.DEVELOPER
    finally:
        await stores.close()


async def test_case_events_are_written_in_slices_and_every_one_arrives(tmp_path: Path) -> None:
    """A batch's events go in EVENT_ROWS_AT_ONCE at a time (bounded memory): none lost or
    doubled at the slices' edges."""
    count = 2 * EVENT_ROWS_AT_ONCE + 7
    at = datetime(2026, 11, 1, tzinfo=UTC)
    events = pa.table(
        {
            "case_id": [f"case-{i:06d}" for i in range(count)],
            "district_code": ["11680"] * count,
            "kind": ["received"] * count,
            "status": ["open"] * count,
            "note": [""] * count,
            "department": [""] * count,
            "actor": [""] * count,
            "at": pa.array([at] * count, pa.timestamp("us", tz="UTC")),
        }
    ).select(list(EVENT_COLUMNS))
    records = await open_records(f"sqlite://{tmp_path / 'records.sqlite3'}", loading=True)
    try:
        assert await write_events(records, events) == count
        rows = await records.query("SELECT case_id FROM case_event ORDER BY id")
    finally:
        await records.close()
    assert [row["case_id"] for row in rows] == events["case_id"].to_pylist()


@pytest.mark.parametrize("loading", [False, True])
async def test_records_opened_for_loading_map_no_pages(tmp_path: Path, loading: bool) -> None:
    """A seed writes millions of readings: pages read through SQLite's memory map would stay
    in its resident memory (about 0.9 GiB at scale 1.0)."""
    records = await open_records(f"sqlite://{tmp_path / 'records.sqlite3'}", loading=loading)
    try:
        rows = await records.query("PRAGMA mmap_size")
    finally:
        await records.close()
    (mapped,) = rows[0].values()
    assert mapped == 0 if loading else mapped > 2**30  # SQLite caps 2 GiB a little under
