"""The Han River stations' hourly readings for the seeded city, drawn from the water generator.

The seeded river stations (`seeds.han_river`) get their readings here, not from the per-gu
curves of `seeds.history` nor from the live simulator (both skip them): the last FEED_DAYS days
of hourly readings from `ml.generators.water`, with its storms, sensor faults and pollution
events, dated to end at the last whole hour before `now`. One wide `reading` row per station
and hour, measured at the hour's start, NULL where the generator's reading is missing (an hour
with every measure missing, an outage, writes no row); conductivity, which the generator does
not model, is NULL.

The hours are cut from fixed blocks of FEED_DAYS days (`ml.feeds.blocks`), so the feed can run
live: serve writes the new hours before each scoring run while the simulator is on, each hour
the same whenever it is drawn. Where two blocks meet (every FEED_DAYS days) the river starts a
new draw: one seam a month, which the model may score as an anomaly.

Data seeds: block k of a feed with `seed=s` draws generator seed FEED_SEED_BASE + 10,000·s +
(k mod 10,000), at or above every draw `ml.water.train` fits, calibrates or evaluates on (seeds
0–MAX_SEED draw at most 10 000 + 1000·999 + 7 < FEED_SEED_BASE), so the model never scores a
river it was trained on.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np

from graph.records import Records
from graph.records.readings import DATA_TYPES, hours_with_readings, insert_readings
from graph.store import GraphStore
from ml.errors import MAX_SEED, InvalidSeed
from ml.feeds.blocks import block_seed, blocks_over
from ml.generators.water import MEASURES, WaterObserved, WaterSettings, generate
from seeds import han_river

FEED_DAYS = 30
FEED_SEED_BASE = 2_000_000
"""Generator seeds of the feed start here: disjoint from training and evaluation draws."""
BATCH = 5_000


def settings() -> WaterSettings:
    """The generator's settings for the seeded river: its station count and mean spacing."""
    kms = [s.km for s in han_river.stations()]
    spacing = (kms[-1] - kms[0]) / (len(kms) - 1) if len(kms) > 1 else 1.0
    return WaterSettings(stations=len(kms), days=FEED_DAYS, spacing_km=spacing)


def feed_end(now: datetime) -> datetime:
    """The end of the feed's last hour: `now` (aware) floored to the whole hour, UTC."""
    return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def draw(now: datetime, seed: int) -> WaterObserved:
    """What the stations report in the feed's window for `now` and `seed`: FEED_DAYS × 24 hours
    ending at `feed_end(now)`, stations in `seeds.han_river` order, cut from the fixed blocks
    of FEED_DAYS (ml.feeds.blocks) that cover it, so an hour reads the same whenever it is
    drawn. Raises InvalidSeed unless 0 <= seed <= MAX_SEED.
    """
    if not 0 <= seed <= MAX_SEED:
        raise InvalidSeed(f"the water feed's seed must be 0 to {MAX_SEED}, got {seed}")
    end = feed_end(now)
    first = end - timedelta(days=FEED_DAYS)
    parts = [
        generate(
            block_seed(FEED_SEED_BASE, seed, index),
            settings(),
            start=np.datetime64(start.replace(tzinfo=None), "h"),
        )[0]
        for index, start in blocks_over(first, end, timedelta(days=FEED_DAYS))
    ]
    times = np.concatenate([part.times for part in parts])
    values = np.concatenate([part.values for part in parts], axis=1)
    wanted = (times >= np.datetime64(first.replace(tzinfo=None), "h")) & (
        times < np.datetime64(end.replace(tzinfo=None), "h")
    )
    return replace(parts[0], times=times[wanted], values=values[:, wanted])


def rows_of(
    observed: WaterObserved, ids: list[str | None], held: dict[str, set[int]]
) -> list[list[object]]:
    """`reading` rows (graph.records.readings.COLUMNS) of the draw: one per station in `ids`
    (None: not in the graph, skipped) and hour not in `held[id]` and not wholly missing."""
    position = {name: DATA_TYPES.index(name) for name in MEASURES}
    hours = observed.times.astype("datetime64[s]").astype(np.int64).tolist()
    rows: list[list[object]] = []
    for station, sensor_id in enumerate(ids):
        if sensor_id is None:
            continue
        values = observed.values[station]
        for hour, at in enumerate(hours):
            if at in held.get(sensor_id, set()) or np.isnan(values[hour]).all():
                continue
            row: list[object] = [sensor_id, at, *([None] * len(DATA_TYPES))]
            for m, name in enumerate(MEASURES):
                value = values[hour, m]
                row[2 + position[name]] = None if np.isnan(value) else float(value)
            rows.append(row)
    return rows


async def seed(records: Records, graph: GraphStore, *, now: datetime, seed: int) -> int:
    """Write the river stations' last FEED_DAYS days of hourly readings up to `now` (aware).

    Only stations the graph holds (Sensor nodes of kind water_quality with the seeds' ids) are
    written; hours a station already has a reading or a roll-up for are skipped, so a second
    call for the same hours writes nothing and a later one only the new hours (from a new draw,
    so with a seam where it meets the old ones). Returns the rows written (0 with no river
    station in the graph). Raises InvalidSeed unless 0 <= seed <= MAX_SEED.
    """
    observed = await asyncio.to_thread(draw, now, seed)  # CPU work, off the event loop
    wanted = [s.id for s in han_river.stations()]
    nodes = await graph.get_nodes("Sensor", wanted)
    ids = [
        sensor_id if node is not None and node.get("kind") == "water_quality" else None
        for sensor_id, node in zip(wanted, nodes, strict=True)
    ]
    present = [i for i in ids if i is not None]
    if not present:
        return 0
    end = feed_end(now)
    held = await hours_with_readings(records, present, end - timedelta(days=FEED_DAYS), end)
    rows = rows_of(observed, ids, held)
    for first in range(0, len(rows), BATCH):
        await insert_readings(records, rows[first : first + BATCH])
    return len(rows)
