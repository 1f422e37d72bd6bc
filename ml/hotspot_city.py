"""The deployed hotspot model's city: one synthetic environment of all Seoul, its cells' ids.

The platform holds no survey of street lighting, foot traffic, nightlife districts or transit
stations that matches the model's environment features (ml.hotspot_features), so the
deployment draws them once from ml.generators.city_layers over the grid of all 25 gu with the
fixed seed ENVIRONMENT_SEED, the same numbers in every process and on every run. Any set of gu
takes its cells' values from that one draw (`layers_on`): a street's lighting does not depend on
which other gu are scored, and the incident feed (ml.feeds.hotspots) and the scoring
(ml.scoring.hotspots) see the same places. It is synthetic, and says so wherever it is used.

Seeds (disjoint from the model's own, ml.hotspots: training cities TRAIN_CITIES·seed … + 7,
0–7,999; evaluation cities 10,000–11,999 for training seeds 0–MAX_SEED): the feed's incidents
FEED_SEEDS + seed (20,000–20,999), the environment ENVIRONMENT_SEED (30,000).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from functools import cache

import numpy as np
from pyproj import Transformer

from ml.generators.city_layers import CityLayers, Environment, draw_layers
from ml.hotspot_grid import CRS, Grid, build_grid
from seeds.districts import seoul_gu

ENVIRONMENT_SEED = 30_000
FEED_SEEDS = 20_000
"""The feed draws its incidents with seed FEED_SEEDS + seed (seed 0 to ml.errors.MAX_SEED)."""

SEOUL = timezone(timedelta(hours=9), "KST")
"""Seoul's time (UTC+9 all year: Korea keeps no daylight saving time)."""

_TO_LONLAT = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)


@cache
def seoul_codes() -> tuple[str, ...]:
    """The 25 gu codes of Seoul, sorted."""
    return tuple(sorted(a.code for a in seoul_gu()))


@cache
def _seoul_layers() -> tuple[Grid, CityLayers]:
    grid = build_grid(seoul_codes())
    return grid, draw_layers(grid, np.random.default_rng(ENVIRONMENT_SEED))


def layers_on(grid: Grid) -> CityLayers:
    """The deployment's layers (true and observed) on `grid`'s cells, from the one draw over
    all Seoul; the nightlife districts and stations are all of Seoul's, so a cell near a gu's
    border sees the station across it. Requires a grid of ml.hotspot_grid.build_grid at the
    default cell size (its cells lie on the same lattice as Seoul's)."""
    seoul, layers = _seoul_layers()
    if grid.cell_m != seoul.cell_m:
        raise ValueError(f"the environment is drawn on {seoul.cell_m:.0f} m cells")
    index = seoul.cells_at(grid.x, grid.y)
    if np.any(index < 0):
        raise ValueError("the grid has cells outside Seoul's")
    observed = layers.observed
    return CityLayers(
        lighting=layers.lighting[index],
        foot_traffic=layers.foot_traffic[index],
        nightlife_pull=layers.nightlife_pull[index],
        residential=layers.residential[index],
        observed=Environment(
            lighting=observed.lighting[index],
            foot_traffic=observed.foot_traffic[index],
            nightlife=observed.nightlife,
            stations=observed.stations,
        ),
    )


def cell_ids(grid: Grid) -> list[str]:
    """A stable id per cell, the same whichever gu a grid covers: "250m-<x>-<y>", the cell's
    size and its south-west corner in metres (EPSG:5186), e.g. "250m-197750-551250"."""
    half = grid.cell_m / 2
    size = f"{grid.cell_m:.0f}m"
    return [f"{size}-{x - half:.0f}-{y - half:.0f}" for x, y in zip(grid.x, grid.y, strict=True)]


def to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points in metres (EPSG:5186) as longitude and latitude (degrees, WGS 84)."""
    lon, lat = _TO_LONLAT.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lon), np.asarray(lat)


def seoul_midnight(now: datetime) -> datetime:
    """The last Seoul midnight at or before `now` (an aware datetime), in UTC. ValueError for a
    naive `now`."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime (UTC)")
    local = now.astimezone(SEOUL)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
