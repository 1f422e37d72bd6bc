"""The hotspot model's features: what a deployed model knows of each cell and hour.

From the environment (ml.generators.city_layers.Environment), the recorded incidents of the last
HISTORY_HOURS hours per cell and hour, and the hours to predict. No feature names a place (no
coordinates, no gu), so a model carries over to parts of the city it was not trained on.

- counts of past incidents in the cell and its first ring (the 8 cells around it) over the last
  1 and 3 days and 1, 4 and 12 weeks, and in its second ring (the 16 around those) over the
  last 1, 4 and 12 weeks;
- the quartic kernel density of the last 12 weeks' incidents at 500 m and 1 km (per km²), the
  map ml.baselines.kernel_density draws;
- the same cell's and first ring's incidents in the hours of the week around the hour predicted
  (±1 h, over the whole history): the place's own time profile;
- recency: hours since the cell's and the first ring's latest incident (HISTORY_HOURS when none),
  and a near-repeat score, Σ exp(−age / 72 h) over the cell and its first ring (Mohler et al.
  2011: risk raised nearby for days);
- environment: lighting, the hour's foot traffic and the cell's weekly mean, distance to the
  nearest nightlife district and transit station (m, capped at 5 km);
- time: hours from the end of the history to the hour predicted (0 for the next hour), hour of
  the week, hour of the day, weekday, Korean public holiday.
"""

from __future__ import annotations

import numpy as np

from ml.baselines.kernel_density import kernel_density
from ml.features import HOURS_PER_WEEK
from ml.generators.city_layers import Environment, distance_to_nearest
from ml.hotspot_grid import Grid

HISTORY_WEEKS = 12
HISTORY_HOURS = HISTORY_WEEKS * HOURS_PER_WEEK
WINDOWS_HOURS = (24, 72, 168, 672, 2016)
"""Count windows: 1 and 3 days, 1, 4 and 12 weeks (the second ring: the last three)."""
NEAR_REPEAT_HOURS = 72.0
DISTANCE_CAP_M = 5000.0
DENSITY_BANDWIDTHS_M = (500.0, 1000.0)

CELL_FEATURES = (
    *(f"cell_{w}h" for w in WINDOWS_HOURS),
    *(f"ring1_{w}h" for w in WINDOWS_HOURS),
    *(f"ring2_{w}h" for w in WINDOWS_HOURS[2:]),
    *(f"density_{int(b)}m_12w" for b in DENSITY_BANDWIDTHS_M),
    "hours_since_cell",
    "hours_since_ring1",
    "near_repeat",
    "lighting",
    "foot_traffic_mean",
    "nightlife_m",
    "station_m",
)
HOUR_FEATURES = (
    "lead_hours",
    "cell_same_hours",
    "ring1_same_hours",
    "foot_traffic",
    "hour_of_week",
    "hour_of_day",
    "weekday",
    "holiday",
)
FEATURES = CELL_FEATURES + HOUR_FEATURES


def box_sum(grid: Grid, values: np.ndarray, radius: int) -> np.ndarray:
    """Σ of `values` (n_cells, …) over the (2·radius + 1)² square of cells around each cell
    (itself included; cells outside the area count 0): (n_cells, …)."""
    raster = grid.raster(np.asarray(values, dtype=float))
    pad = [(radius, radius), (radius, radius)] + [(0, 0)] * (raster.ndim - 2)
    padded = np.pad(raster, pad)
    rows, cols = grid.shape
    total = np.zeros_like(raster)
    for dr in range(2 * radius + 1):
        for dc in range(2 * radius + 1):
            total += padded[dr : dr + rows, dc : dc + cols]
    return np.asarray(total[grid.row, grid.col])


def _hours_since(present: np.ndarray) -> np.ndarray:
    """Hours from each row's latest nonzero column to the end (1 for the last column),
    HISTORY_HOURS for a row with none."""
    hours = present.shape[1]
    latest = np.where(present.any(axis=1), hours - 1 - np.argmax(present[:, ::-1], axis=1), -1)
    return np.where(latest >= 0, hours - latest, HISTORY_HOURS).astype(float)


def ring_min(grid: Grid, values: np.ndarray) -> np.ndarray:
    """The least of `values` (n_cells,) over each cell's 8 neighbours (outside cells: +inf)."""
    padded = np.pad(
        grid.raster(np.asarray(values, dtype=float), fill=np.inf), 1, constant_values=np.inf
    )
    rows, cols = grid.shape
    least = np.full(grid.shape, np.inf)
    for dr in range(3):
        for dc in range(3):
            if (dr, dc) != (1, 1):
                least = np.minimum(least, padded[dr : dr + rows, dc : dc + cols])
    return np.asarray(least[grid.row, grid.col])


def cell_features(grid: Grid, environment: Environment, past: np.ndarray) -> np.ndarray:
    """The features of CELL_FEATURES for each cell: (n_cells, len(CELL_FEATURES)).

    `past` (n_cells, HISTORY_HOURS): recorded incidents per cell and hour, oldest first.
    """
    sums = {w: past[:, -w:].sum(axis=1).astype(float) for w in WINDOWS_HOURS}
    inner = {w: box_sum(grid, sums[w], 1) for w in WINDOWS_HOURS}
    columns = [sums[w] for w in WINDOWS_HOURS]
    columns += [inner[w] - sums[w] for w in WINDOWS_HOURS]
    columns += [box_sum(grid, sums[w], 2) - inner[w] for w in WINDOWS_HOURS[2:]]
    columns += [kernel_density(grid, sums[HISTORY_HOURS], b) * 1e6 for b in DENSITY_BANDWIDTHS_M]
    since = _hours_since(past > 0)
    columns.append(since)
    columns.append(np.minimum(ring_min(grid, since), HISTORY_HOURS))
    age = past.shape[1] - np.arange(past.shape[1]) - 0.5
    columns.append(box_sum(grid, past @ np.exp(-age / NEAR_REPEAT_HOURS), 1))
    columns.append(environment.lighting)
    columns.append(environment.foot_traffic.mean(axis=1))
    columns.append(np.minimum(distance_to_nearest(grid, environment.nightlife), DISTANCE_CAP_M))
    columns.append(np.minimum(distance_to_nearest(grid, environment.stations), DISTANCE_CAP_M))
    return np.column_stack(columns)


def same_hours(grid: Grid, past: np.ndarray, next_how: int) -> tuple[np.ndarray, np.ndarray]:
    """The cell's and its first ring's past incidents at each hour of the week ±1 h:
    two (n_cells, 168) arrays, column h for hour of the week h.

    Requires past.shape[1] to be a whole number of weeks (HISTORY_HOURS is).
    """
    weeks = past.shape[1] // HOURS_PER_WEEK
    by_position = past.reshape(grid.n_cells, weeks, HOURS_PER_WEEK).sum(axis=1)
    by_how = np.roll(by_position, next_how, axis=1).astype(float)
    band = by_how + np.roll(by_how, 1, axis=1) + np.roll(by_how, -1, axis=1)
    return band, box_sum(grid, band, 1) - band


def feature_rows(
    grid: Grid,
    environment: Environment,
    past: np.ndarray,
    next_how: int,
    hours_of_week: np.ndarray,
    holiday: np.ndarray,
) -> np.ndarray:
    """The model's input for each asked hour and cell: (len(hours_of_week) · n_cells, FEATURES),
    hour-major (rows h·n_cells … (h+1)·n_cells − 1 are hour h's cells), float32.

    `past` (n_cells, HISTORY_HOURS) recorded incidents per cell and hour, the last column the
    hour before hour of the week `next_how`; `hours_of_week` and `holiday` (k,) the hours to
    predict and whether each falls on a Korean public holiday.
    """
    static = cell_features(grid, environment, past)
    cell_same, ring_same = same_hours(grid, past, next_how)
    n = grid.n_cells
    blocks = []
    for how, is_holiday in zip(np.asarray(hours_of_week), np.asarray(holiday), strict=True):
        day, hod = divmod(int(how), 24)
        per_hour = np.column_stack(
            [
                np.full(n, (int(how) - next_how) % HOURS_PER_WEEK),
                cell_same[:, how],
                ring_same[:, how],
                environment.foot_traffic[:, how],
                np.full(n, how),
                np.full(n, hod),
                np.full(n, day),
                np.full(n, float(is_holiday)),
            ]
        )
        blocks.append(np.hstack([static, per_hour]).astype(np.float32))
    return np.vstack(blocks) if blocks else np.zeros((0, len(FEATURES)), np.float32)
