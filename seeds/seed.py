"""Seeding: generate the city, bulk-load it into the graph and the records, mark it complete.

The seed state is written first (incomplete) and completed last, so a seed that stopped half
way is seen as such and redone, never served. API keys are left alone: a reseed keeps them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.progress import Progress

from graph.records import Records, seed_state
from graph.records.case_events import insert_events
from graph.records.readings import clear_readings, insert_readings, reading_count
from graph.store import GraphStore
from seeds.generator import Generator
from seeds.han_river import is_river_station
from seeds.history import history


async def is_seeded(store: GraphStore, records: Records, scale: float | None = None) -> bool:
    """True when a complete seed (at `scale`, if given) is in both stores."""
    state = await seed_state.current(records)
    if state is None or not state.complete:
        return False
    if scale is not None and abs(state.scale - scale) > 1e-12:
        return False
    counts = await store.count_by_label()
    return counts.get("District", 0) > 0


async def seed(
    store: GraphStore,
    records: Records,
    *,
    scale: float,
    history_days: int,
    until: datetime | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Replace the city in both stores with a fresh one. Requires 0 < scale <= 1."""
    until = (until or datetime.now(UTC)).astimezone(UTC)
    await seed_state.begin(records, scale, history_days)
    await store.drop_schema()
    await store.create_schema()
    await clear_readings(records)
    await records.query("DELETE FROM case_event")

    generate = progress.add_task("Generating Seoul", total=1) if progress else None
    rows = Generator(scale, until).build()
    if progress and generate is not None:
        progress.advance(generate)

    load = (
        progress.add_task("Loading the graph (COPY)", total=len(rows.nodes) + len(rows.rels))
        if progress
        else None
    )
    for label, table in rows.nodes.items():
        await store.load_nodes(label, table)
        if progress and load is not None:
            progress.advance(load)
    for name, source, target, table in rows.rels:
        await store.load_rels(name, source, target, table)
        if progress and load is not None:
            progress.advance(load)

    sensors = rows.nodes["Sensor"]
    pairs = list(zip(sensors["id"].to_pylist(), sensors["kind"].to_pylist(), strict=True))
    written = sum(not is_river_station(sensor) for sensor, _ in pairs)  # the feed writes those
    readings = progress.add_task("Writing reading history", total=written) if progress else None
    for _sensor, batch in history(pairs, until, history_days):
        await insert_readings(records, batch)
        if progress and readings is not None:
            progress.advance(readings)

    assert rows.cases is not None, "the generator always builds case events"
    events = rows.cases
    cases = rows.nodes["Case"]
    gu_of = dict(zip(cases["id"].to_pylist(), cases["district_code"].to_pylist(), strict=True))
    columns = [events[name].to_pylist() for name in ("case_id", "kind", "status", "note")]
    columns += [events["department"].to_pylist(), events["at"].to_pylist()]
    event_rows = [
        [case, gu_of[case], kind, status, note, department, "", at]
        for case, kind, status, note, department, at in zip(*columns, strict=True)
    ]
    case_task = progress.add_task("Writing case events", total=1) if progress else None
    await insert_events(records, event_rows)
    if progress and case_task is not None:
        progress.advance(case_task)

    counts = await store.count_by_label()
    counts["Reading"] = await reading_count(records)
    counts["CaseEvent"] = events.num_rows
    await seed_state.finish(records, counts)
    return counts
