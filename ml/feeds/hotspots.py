"""Street-incident reports for the seeded city, drawn from the hotspot model's generator.

The seeded gu (the graph's District nodes of level gu) get the last 12 weeks (HISTORY_HOURS) of
recorded incidents before the last Seoul midnight at or before `now`, and the reports of that
day up to `now`, from ml.generators.incidents on the grid of those gu, in the deployment's
fixed synthetic environment (ml.hotspot_city). Only what the platform would see is written: the
recorded incidents (never the unrecorded ones, the intensity or the layers), each as a point
drawn uniformly inside its cell at a time drawn uniformly inside its hour, in category
CATEGORY. The generator's self-excitation starts from nothing, so one week before the first
hour written is drawn and dropped (as training does, ml.hotspots.BURN_IN_WEEKS).

Data seeds: `seed` s draws generator seed FEED_SEEDS + s (20,000–20,999 for s in 0–MAX_SEED),
disjoint from every training (0–7,999) and evaluation (10,000–11,999) city of ml.hotspots, so
the model never scores a city it was trained or evaluated on.

Seeding again replaces the feed's reports in those gu with the draw for the new `now` (the
same `now` and seed: the same rows). At Seoul's 25 gu this is about 27,000 reports (4 s to
draw and write on SQLite). The reports are a snapshot: a later day is scored from them as they
are, with no newer reports, until the feed is seeded again.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import numpy as np

from graph.records import Records
from graph.records.incidents import IncidentRow, replace_incidents
from graph.store import GraphStore
from ml.errors import MAX_SEED, InvalidSeed
from ml.features import HOURS_PER_WEEK, hour_of_week
from ml.feeds.city import seeded_gu
from ml.generators.incidents import Incidents, generate
from ml.hotspot_city import FEED_SEEDS, layers_on, seoul_codes, seoul_midnight, to_lonlat
from ml.hotspot_features import HISTORY_HOURS
from ml.hotspot_grid import build_grid

CATEGORY = "synthetic_street"
"""The feed's reports' category: synthetic street incidents (the feed owns it and rewrites it)."""
BURN_IN_HOURS = HOURS_PER_WEEK


def _as_hour(moment: datetime) -> np.datetime64:
    return np.datetime64(int(moment.timestamp()) // 3600, "h")


def draw(codes: tuple[str, ...], *, now: datetime, seed: int) -> tuple[Incidents, int]:
    """The feed's draw over the gu `codes` and the epoch hour its rows begin at: the recorded
    incidents from a Monday 00:00 Seoul at least a week before that hour to the end of `now`'s
    hour. Raises InvalidSeed unless 0 <= seed <= MAX_SEED, ValueError for a naive `now`, and
    ml.hotspot_grid.UnknownGu for codes not Seoul's."""
    if not 0 <= seed <= MAX_SEED:
        raise InvalidSeed(f"the hotspot feed's seed must be 0 to {MAX_SEED}, got {seed}")
    first = _as_hour(seoul_midnight(now)) - np.timedelta64(HISTORY_HOURS, "h")
    burn_in = first - np.timedelta64(BURN_IN_HOURS, "h")
    start = burn_in - np.timedelta64(int(hour_of_week(np.array([burn_in]))[0]), "h")
    hours = int((_as_hour(now) - start).astype(np.int64)) + 1
    grid = build_grid(codes)
    observed, _truth = generate(
        grid,
        seed=FEED_SEEDS + seed,
        weeks=-(-hours // HOURS_PER_WEEK),
        start=start,
        layers=layers_on(grid),
    )
    return observed, int(first.astype(np.int64))


def rows_of(observed: Incidents, first_hour: int, now: datetime, seed: int) -> list[IncidentRow]:
    """The reports of `observed` from epoch hour `first_hour` to `now` (exclusive), oldest
    first: each a point uniform in its cell and a second uniform in its hour (drawn from
    FEED_SEEDS + seed), in its cell's gu, of CATEGORY."""
    grid = observed.grid
    rng = np.random.default_rng([FEED_SEEDS + seed, 1])
    start = int(observed.start.astype(np.int64))
    epoch_hour = start + observed.hour
    half = grid.cell_m / 2
    x = grid.x[observed.cell] + rng.uniform(-half, half, len(epoch_hour))
    y = grid.y[observed.cell] + rng.uniform(-half, half, len(epoch_hour))
    at = epoch_hour * 3600 + rng.integers(0, 3600, len(epoch_hour))
    keep = (epoch_hour >= first_hour) & (at < now.timestamp())
    order = np.argsort(at[keep], kind="stable")
    lon, lat = to_lonlat(x[keep][order], y[keep][order])
    gu = grid.gu[observed.cell[keep][order]]
    return [
        IncidentRow(int(t), round(float(b), 7), round(float(a), 7), str(g), CATEGORY)
        for t, a, b, g in zip(at[keep][order], lon, lat, gu, strict=True)
    ]


async def seed(records: Records, graph: GraphStore, *, now: datetime, seed: int) -> int:
    """Write the feed's reports for the seeded gu up to `now` (aware), replacing the feed's
    earlier reports there (the same `now` and `seed` write the same rows). Returns the rows
    written (0 when the graph holds no Seoul gu).

    Raises InvalidSeed unless 0 <= seed <= MAX_SEED, ValueError for a naive `now`.
    """
    seoul = set(seoul_codes())
    codes = tuple(code for code in await seeded_gu(graph) if code in seoul)
    if not codes:
        return 0

    def drawn() -> list[IncidentRow]:
        observed, first_hour = draw(codes, now=now, seed=seed)
        return rows_of(observed, first_hour, now, seed)

    rows = await asyncio.to_thread(drawn)  # seconds of CPU work, off the event loop
    return await replace_incidents(records, rows, category=CATEGORY, district_codes=codes)
