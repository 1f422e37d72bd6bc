"""The seeded gu's daily syndromic counts, drawn from the outbreak generator: the feed the
outbreak model scores.

For each gu the graph holds (District nodes of level "gu"), the last FEED_DAYS Seoul days up to
the day before `now` of ER visits, pharmacy sales and symptom searches per syndrome, from
`ml.generators.outbreaks` with its holidays, winter waves, drift, missing days and outbreaks
spreading to neighbouring gu. Only what surveillance observes is written (`syndromic_count`, a
missing day as a row with no count); the truth (which outbreaks were injected, when they
peak) stays in the draw and is never written, so scoring reads what a deployed model would.

The generator draws LOOKAHEAD_DAYS more days than are written: it places outbreaks only where
their whole course fits, so without them no outbreak could be building on the feed's last day.
Those future days are never written.

The days are cut from fixed blocks of FEED_DAYS days (`ml.feeds.blocks`), each drawn with its
LOOKAHEAD_DAYS, so the feed can run live: serve writes the new days before each scoring run
while the simulator is on, and a day already written is written again with the same counts.
Where two blocks meet (every FEED_DAYS days) the counts start a new draw: an outbreak building
at a block's end stops there, one seam every four months.

Data seeds: block k of a feed with `seed=s` draws generator seed FEED_SEED_BASE + 10,000·s +
(k mod 10,000). `ml.outbreak.train` with seeds 0–MAX_SEED fits and calibrates on draws below
1,000,000 and evaluates on draws 10,000,000 + 1000·seed + i (below 11,000,000), so the model
never scores a city it was trained, calibrated or evaluated on.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from graph.city_day import city_day
from graph.records import Records
from graph.records.syndromic import SyndromicCountRow, epoch_day, put_counts
from graph.store import GraphStore
from ml.errors import MAX_SEED, InvalidSeed
from ml.feeds.blocks import block_seed, blocks_over
from ml.feeds.city import seeded_gu
from ml.generators.outbreaks import OutbreakSettings, SyndromicCounts, generate

FEED_DAYS = 120
LOOKAHEAD_DAYS = 60
"""Days drawn after the feed's last day (never written) so outbreaks may be building at its end."""
FEED_SEED_BASE = 20_000_000
"""Generator seeds of the feed start here: disjoint from training, calibration, evaluation."""


def last_day(now: datetime) -> date:
    """The feed's (and the scoring's) day: the Seoul calendar day before the aware `now`."""
    return city_day(now) - timedelta(days=1)


def draw(now: datetime, seed: int) -> SyndromicCounts:
    """The feed's counts for `now` and `seed`: (3 streams, 25 gu, 3 syndromes, FEED_DAYS) ending
    on `last_day(now)`, gu in `ml.features.gu_adjacency` order, NaN for missing days; cut from
    the fixed blocks of FEED_DAYS days (ml.feeds.blocks) that cover them, so a day reads the
    same whenever it is drawn. Raises InvalidSeed unless 0 <= seed <= MAX_SEED.
    """
    if not 0 <= seed <= MAX_SEED:
        raise InvalidSeed(f"the outbreak feed's seed must be 0 to {MAX_SEED}, got {seed}")
    end = datetime.combine(last_day(now) + timedelta(days=1), time(), UTC)
    first = end - timedelta(days=FEED_DAYS)
    parts = []
    for index, start in blocks_over(first, end, timedelta(days=FEED_DAYS)):
        settings = OutbreakSettings(start=start.date().isoformat(), days=FEED_DAYS + LOOKAHEAD_DAYS)
        observed, _truth = generate(block_seed(FEED_SEED_BASE, seed, index), settings)
        parts.append(observed)
    days = np.concatenate([part.days[:FEED_DAYS] for part in parts])
    counts = np.concatenate([part.counts[..., :FEED_DAYS] for part in parts], axis=-1)
    wanted = (days >= np.datetime64(first.date())) & (days < np.datetime64(end.date()))
    return replace(parts[0], days=days[wanted], counts=counts[..., wanted])


def rows_of(observed: SyndromicCounts, gu_codes: set[str]) -> list[SyndromicCountRow]:
    """The `syndromic_count` rows of the draw for the gu in `gu_codes` (others are skipped):
    one per gu, syndrome, stream and day, None where the feed missed the day."""
    days = [epoch_day(d) for d in observed.days.astype(object)]
    rows: list[SyndromicCountRow] = []
    for g, gu in enumerate(observed.gu):
        if gu not in gu_codes:
            continue
        for y, syndrome in enumerate(observed.syndromes):
            for s, stream in enumerate(observed.streams):
                series = observed.counts[s, g, y]
                rows.extend(
                    SyndromicCountRow(
                        gu, syndrome, stream, day, None if np.isnan(value) else int(value)
                    )
                    for day, value in zip(days, series.tolist(), strict=True)
                )
    return rows


async def seed(records: Records, graph: GraphStore, *, now: datetime, seed: int) -> int:
    """Write the feed for the gu seeded in `graph`: FEED_DAYS days per gu, syndrome and stream
    ending on the Seoul day before `now` (aware), observable counts only. Idempotent: the same
    (now, seed) writes the same rows again. Returns the rows written (0 without gu).

    Raises InvalidSeed unless 0 <= seed <= MAX_SEED.
    """
    observed = await asyncio.to_thread(draw, now, seed)  # CPU work, off the event loop
    gu_codes = set(await seeded_gu(graph))
    if not gu_codes:
        return 0
    return await put_counts(records, rows_of(observed, gu_codes))
