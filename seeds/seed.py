"""Seeding: generate the city, bulk-load it into the graph and the records, mark it complete.

The seed state is written first (incomplete) and completed last, so a seed that stopped half
way is seen as such and redone, never served. API keys are left alone: a reseed keeps them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Iterator
from datetime import UTC, datetime
from typing import Any, cast

import pyarrow as pa
from rich.progress import Progress

from graph.records import Records, seed_state
from graph.records.case_events import EVENT_COLUMNS, insert_events
from graph.records.readings import (
    build_time_index,
    clear_readings,
    drop_time_index,
    insert_readings,
    reading_count,
)
from graph.store import GraphStore
from seeds.generator import Batch, Generator, NodeBatch, RelBatch
from seeds.han_river import is_river_station
from seeds.history import history


async def _ahead(batches: Iterator[Batch]) -> AsyncGenerator[Batch, None]:
    """`batches`, each next one generated in a worker thread while the caller loads the one
    before (the stores' bulk loads run outside the GIL): generating and loading overlap, and
    at most two batches are held at once."""
    end = object()
    pending = asyncio.ensure_future(asyncio.to_thread(next, batches, end))
    try:
        while (batch := await pending) is not end:
            pending = asyncio.ensure_future(asyncio.to_thread(next, batches, end))
            yield cast(Batch, batch)
    finally:
        # closed early (a load failed): the batch being made ends before the caller goes on
        await asyncio.gather(pending, return_exceptions=True)


def _event_rows(table: pa.Table) -> list[list[Any]]:
    """An `EventBatch` as `case_event` rows."""
    columns = [table[name].to_pylist() for name in EVENT_COLUMNS]
    return [list(row) for row in zip(*columns, strict=True)]


async def is_seeded(store: GraphStore, records: Records, scale: float | None = None) -> bool:
    """True when a complete seed (at `scale`, if given) is in both stores, in the form this
    version reads (`GraphStore.keys_current`)."""
    state = await seed_state.current(records)
    if state is None or not state.complete:
        return False
    if scale is not None and abs(state.scale - scale) > 1e-12:
        return False
    counts = await store.count_by_label()
    return counts.get("District", 0) > 0 and await store.keys_current()


async def seed(
    store: GraphStore,
    records: Records,
    *,
    scale: float,
    history_days: int,
    until: datetime | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Replace the city in both stores with a fresh one. Requires 0 < scale <= 1.

    The generator's batches stream into the stores as they are made (the next one made in a
    thread while this one loads), so memory does not grow with the scale (but for the
    relationships that wait, below: ~25 MiB at scale 1.0); the reading history
    goes into the records while the rest of the graph loads (the stores are apart).

    The graph gives back what each step's loads held (`GraphStore.release_memory`) before the
    next label's nodes. Relationships from an earlier step's nodes (a resident FILED a case)
    wait for the end, after a last release: their load looks each source key up in that
    label's key index, which LadybugDB pages in whole (~0.5 GiB for 9.6 M residents), so they
    load in one batch per type, once, not once per 100,000 cases (bench/README.md, "Seeding
    memory")."""
    until = (until or datetime.now(UTC)).astimezone(UTC)
    await begin(records, scale, history_days)
    await store.drop_schema()
    await store.create_schema()

    generator = Generator(scale, until)
    load = (
        progress.add_task("Generating and loading the city", total=generator.planned_nodes())
        if progress
        else None
    )
    events = 0
    step: str | None = None  # the label whose nodes are loading
    later: list[RelBatch] = []
    batches = _ahead(generator.batches())
    async with contextlib.aclosing(batches), asyncio.TaskGroup() as both:
        async for batch in batches:
            if isinstance(batch, NodeBatch):
                if batch.label != step:  # a step of the city is loaded
                    if step is not None:
                        await store.release_memory()
                    step = batch.label
                await store.load_nodes(batch.label, batch.table)
                if batch.label == "Sensor":  # the records' half starts beside the graph's
                    sensors = sensor_kinds(batch.table)
                    both.create_task(write_history(records, sensors, until, history_days, progress))
                if progress and load is not None:
                    progress.advance(load, batch.table.num_rows)
            elif isinstance(batch, RelBatch) and batch.source != step:
                later.append(batch)
            elif isinstance(batch, RelBatch):
                await store.load_rels(batch.name, batch.source, batch.target, batch.table)
            else:
                events += await write_events(records, batch.table)
        await store.release_memory()
        for (name, source, target), tables in _grouped(later).items():
            await store.load_rels(name, source, target, pa.concat_tables(tables))
    return await finish(store, records, events)


def _grouped(batches: list[RelBatch]) -> dict[tuple[str, str, str], list[pa.Table]]:
    """Relationship batches by (type, source, target), in order: each loaded in one COPY, so
    the source's key index is paged in once (840,000 FILED at scale 1.0: ~25 MiB of rows)."""
    grouped: dict[tuple[str, str, str], list[pa.Table]] = {}
    for batch in batches:
        grouped.setdefault((batch.name, batch.source, batch.target), []).append(batch.table)
    return grouped


async def begin(records: Records, scale: float, history_days: int) -> None:
    """Mark a seed begun (not complete) and empty the records it writes; the readings' index by
    time is dropped until `finish` (a seed that stops half way is redone before it is served)."""
    await seed_state.begin(records, scale, history_days)
    await clear_readings(records)
    await drop_time_index(records)
    await records.query("DELETE FROM case_event")


def sensor_kinds(sensors: pa.Table) -> list[tuple[str, str]]:
    """(id, kind) of each row of a `Sensor` table."""
    return list(zip(sensors["id"].to_pylist(), sensors["kind"].to_pylist(), strict=True))


EVENT_ROWS_AT_ONCE = 20_000
"""Case events made Python rows and inserted at a time. A batch of 100,000 cases has about
300,000 events: as Python rows all at once they took about 700 MiB for a few seconds, the
highest peaks of a seed at scale 1.0 (bench/README.md, "Seeding memory")."""


async def write_events(records: Records, events: pa.Table) -> int:
    """Store an `EventBatch`'s case events, EVENT_ROWS_AT_ONCE at a time; how many."""
    for start in range(0, events.num_rows, EVENT_ROWS_AT_ONCE):
        await insert_events(records, _event_rows(events.slice(start, EVENT_ROWS_AT_ONCE)))
    return int(events.num_rows)


async def write_history(
    records: Records,
    sensors: list[tuple[str, str]],
    until: datetime,
    history_days: int,
    progress: Progress | None,
) -> None:
    """`history_days` of readings before `until` for each sensor but the river stations
    (the water feed writes those)."""
    written = sum(not is_river_station(sensor) for sensor, _ in sensors)
    task = progress.add_task("Writing reading history", total=written) if progress else None
    for _sensor, readings in history(sensors, until, history_days):
        await insert_readings(records, readings)
        if progress and task is not None:
            progress.advance(task)


async def finish(store: GraphStore, records: Records, events: int) -> dict[str, int]:
    """Build the readings' index by time, and mark the seed complete with what both stores
    hold; those counts."""
    await build_time_index(records)
    counts = await store.count_by_label()
    counts["Reading"] = await reading_count(records)
    counts["CaseEvent"] = events
    await seed_state.finish(records, counts)
    return counts
