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
from graph.records.db import Records, open_records
from graph.records.readings import TIME_INDEX
from seeds import han_river
from seeds.generator import Generator
from seeds.seed import EVENT_ROWS_AT_ONCE, begin, finish, is_seeded, seed, write_events
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


async def test_the_readings_time_index_is_dropped_for_the_history_and_built_after(
    tmp_path: Path,
) -> None:
    """The history is written sensor by sensor over the whole week: an index by time kept up
    to date on the way halved SQLite's rate. The finished seed has it, and the ingest figures'
    query by time uses it."""
    stores = await open_stores(Settings(data_dir=tmp_path), migrate=True)
    records = stores.records
    try:
        assert TIME_INDEX in await _reading_indexes(records)
        await begin(records, 0.001, 1)
        assert TIME_INDEX not in await _reading_indexes(records)
        await stores.graph.create_schema()
        await finish(stores.graph, records, 0)
        assert TIME_INDEX in await _reading_indexes(records)
        plan = await records.query(
            "EXPLAIN QUERY PLAN SELECT count(*) FROM reading WHERE measured_at >= 0"
        )
        assert any(TIME_INDEX in str(step["detail"]) for step in plan), plan
    finally:
        await stores.close()


async def _reading_indexes(records: Records) -> set[str]:
    rows = await records.query(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reading'"
    )
    return {row["name"] for row in rows}


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


async def test_each_step_gives_back_its_memory_and_links_from_earlier_steps_load_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The graph releases what a label's loads held before the next label's nodes; a
    relationship from an earlier label's nodes (a resident FILED a case) waits until after the
    last release, and still arrives."""
    stores = await open_stores(Settings(data_dir=tmp_path), migrate=True)
    calls: list[tuple[str, ...]] = []
    graph = stores.graph
    load_nodes, load_rels, release = graph.load_nodes, graph.load_rels, graph.release_memory

    async def nodes(label: str, rows: pa.Table) -> None:
        calls.append(("nodes", label))
        await load_nodes(label, rows)

    async def rels(rel: str, source: str, target: str, rows: pa.Table) -> None:
        calls.append(("rels", rel, source))
        await load_rels(rel, source, target, rows)

    async def released() -> None:
        calls.append(("release",))
        await release()

    monkeypatch.setattr(graph, "load_nodes", nodes)
    monkeypatch.setattr(graph, "load_rels", rels)
    monkeypatch.setattr(graph, "release_memory", released)
    try:
        counts = await seed(graph, stores.records, scale=0.001, history_days=1, until=SEED_UNTIL)
        steps = [call[1] for call in calls if call[0] == "nodes"]
        labels = list(dict.fromkeys(steps))
        assert steps == sorted(steps, key=labels.index)  # each label's nodes in one run
        assert calls.count(("release",)) == len(labels)  # between steps, and once at the end
        last = len(calls) - calls[::-1].index(("release",))
        step = None
        for call in calls[:last]:
            if call[0] == "nodes" and call[1] != step:
                step = call[1]
            assert call[0] != "rels" or call[2] == step, call  # only the loading label's
        assert {call[1] for call in calls[last:]} >= {"FILED"}
        made = Generator(0.001, SEED_UNTIL).build()
        filed = sum(rows.num_rows for name, _, _, rows in made.rels if name == "FILED")
        assert (await graph.count_by_relationship())["FILED"] == filed > 0
        assert counts["Case"] == made.nodes["Case"].num_rows
        assert await graph.get_nodes("District", ["11680"]) != [None]  # open again, readable
    finally:
        await stores.close()
