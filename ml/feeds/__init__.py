"""Feeds: the platform data the models score, drawn from their generators for the seeded city.

`seed_feeds` writes each feed the way `civicgraph seed` does: the Han River stations' hourly
readings (`water`), daily syndromic counts per gu (`outbreak`) and recorded incidents
(`hotspots`), each ending at `now`, each idempotent (a second call for the same period writes
nothing new). What a feed writes is only what a deployed model would see; the generators' truth
is never stored.

`refresh_feeds` keeps them live: serve calls it before each scoring run while the simulator is
on (the city's sensors are simulated, so are these feeds), writing the hours and days that came
since. The river's hours and the counts' days are cut from fixed blocks, so what was written
stays as it was; the incidents are redrawn once a Seoul day (`ml.feeds.hotspots`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from graph.city_day import city_day
from graph.records import Records
from graph.records.incidents import newest_report
from graph.records.syndromic import epoch_day, newest_day
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


async def refresh_feeds(
    records: Records, graph: GraphStore, *, now: datetime, seed: int = 0
) -> dict[str, int]:
    """Top the feeds up to `now` (aware); returns rows written by feed name. The river gets its
    new hours every call; the syndromic counts and the incidents only when the Seoul day they
    end on has passed since they were last written (each is a whole window's write). Raises
    InvalidSeed for a seed outside 0–MAX_SEED."""
    written = {"water": await water.seed(records, graph, now=now, seed=seed)}
    newest = await newest_day(records)
    if newest is None or newest < epoch_day(outbreak.last_day(now)):
        written["outbreak"] = await outbreak.seed(records, graph, now=now, seed=seed)
    reported = await newest_report(records, hotspots.CATEGORY)
    if reported is None or city_day(datetime.fromtimestamp(reported, UTC)) < city_day(now):
        written["hotspots"] = await hotspots.seed(records, graph, now=now, seed=seed)
    return written
