"""Feeds: the platform data the models score, drawn from their generators for the seeded city.

`seed_feeds` writes each feed the way `civicgraph seed` does: the Han River stations' hourly
readings (`water`), daily syndromic counts per gu (`outbreak`) and recorded incidents
(`hotspots`), each ending at `now`, each idempotent (a second call for the same period writes
nothing new). What a feed writes is only what a deployed model would see; the generators' truth
is never stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from graph.records import Records
from graph.store import GraphStore
from ml.feeds import hotspots, outbreak, water

Feed = Callable[..., Awaitable[int]]

FEEDS: dict[str, Feed] = {"water": water.seed, "outbreak": outbreak.seed, "hotspots": hotspots.seed}
"""Each feed by the model that scores it, in the order `seed_feeds` writes them."""


async def seed_feeds(
    records: Records,
    graph: GraphStore,
    *,
    now: datetime,
    seed: int = 0,
    step: Callable[[str], None] = lambda name: None,
) -> dict[str, int]:
    """Write every feed up to `now` (aware); returns rows written by feed name.

    `step(name)` is called before each feed (a progress bar's hook); `seed` (0–MAX_SEED) picks
    each feed's draw, disjoint from every draw its model trains or is evaluated on. Raises
    InvalidSeed for a seed outside that range.
    """
    written: dict[str, int] = {}
    for name, feed in FEEDS.items():
        step(name)
        written[name] = await feed(records, graph, now=now, seed=seed)
    return written
