"""Fixed blocks of time that a feed draws in, so that a feed can run live.

A feed written again later (serve tops the feeds up before each scoring run while the
simulator is on) must give an hour or a day it has already written the same value: a draw
anchored at `now` would shift with every call, and each top-up would meet the old rows with a
seam the models would score as an anomaly. So each feed draws whole blocks of `length`,
counted from ANCHOR, each from a generator seed of its own (`block_seed`), and writes the part
of them inside its window. Where two blocks meet there is one seam per block length (30 days
for the river), documented with each feed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

ANCHOR = datetime(2000, 1, 3, tzinfo=UTC)
"""The start of block 0: a Monday at 00:00 UTC (the hotspot generator's weeks start on one)."""
BLOCK_INDICES = 10_000
"""Block indices taken modulo this in a seed: 10,000 blocks of 30 days are 800 years."""


def blocks_over(first: datetime, end: datetime, length: timedelta) -> list[tuple[int, datetime]]:
    """The blocks (index, start) of `length` from ANCHOR that overlap [first, end), oldest
    first. Requires aware times with first < end and a positive `length`."""
    low = (first - ANCHOR) // length
    high = (end - ANCHOR - timedelta(microseconds=1)) // length
    return [(index, ANCHOR + index * length) for index in range(low, high + 1)]


def block_seed(base: int, seed: int, index: int) -> int:
    """The generator seed of block `index` of a feed drawn with `seed` (0 to MAX_SEED) from
    `base`: every (seed, block) pair its own, all at or above `base` (so disjoint from training
    draws below it) and below base + 10^7."""
    return base + seed * BLOCK_INDICES + index % BLOCK_INDICES
