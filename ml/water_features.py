"""What the water model sees of a station at each hour: its readings against its own recent
expectation, how fast they change, its upstream neighbour's deviations, and what is missing.

Every feature at hour t reads only hours ≤ t of the station and of its upstream neighbour, so the
same function serves training and a deployed model. Readings are (hours, 6) arrays in the order of
`ml.generators.water.MEASURES`, hourly and consecutive, NaN where missing.
"""

from __future__ import annotations

import numpy as np

from ml.features import calendar_features
from ml.water_deviation import cusum, deviations, directed, shift, standardised, window_mean

SHORT = ("do", "tn", "tp", "turb", "temp", "ph")
"""Short names of the measures, in MEASURES order."""


PER_MEASURE = (
    "z",
    "z_lag1",
    "z_mean3",
    "rate1",
    "rate3",
    "missing",
    "stuck_hours",
    "up_z",
    "up_z_mean6",
    "up_z_mean12",
    "z_minus_up",
)
DIRECTED = ("do_down", "tn_up", "tp_up", "turb_up", "ph_up", "ph_down")
"""The polluted directions CUSUM follows (`ml.water_deviation.directed`)."""
FEATURES = (
    *(f"{m}_{f}" for m in SHORT for f in PER_MEASURE),
    *(f"{d}_cusum" for d in DIRECTED),
    *(f"{d}_up_cusum" for d in DIRECTED),
    *(f"{d}_cusum_minus_up" for d in DIRECTED),
    "max_cusum",
    "up_max_cusum",
    "sewage_index",
    "up_sewage_index",
    "max_abs_z",
    "up_max_abs_z",
    "n_big_z",
    "up_n_big_z",
    "missing_count",
    "has_upstream",
    "local_hour",
    "quiet_day",
)
"""The model's feature names, in column order."""


def _stuck_hours(x: np.ndarray) -> np.ndarray:
    """Hours each reading has repeated the previous one exactly (0 = changed), capped at 48."""
    same = np.zeros(x.shape, dtype=bool)
    same[1:] = (x[1:] == x[:-1]) & ~np.isnan(x[1:])
    count = np.cumsum(same, axis=0)
    reset = np.maximum.accumulate(np.where(same, 0, count), axis=0)
    return np.asarray(np.minimum(count - reset, 48), dtype=float)


def station_features(own: np.ndarray, upstream: np.ndarray | None, times: np.ndarray) -> np.ndarray:
    """The feature matrix (hours, len(FEATURES)) of one station.

    `own`, `upstream`: (hours, 6) readings of the station and of its nearest upstream station
    (None for the most upstream one: its upstream features are NaN); `times`: (hours,)
    datetime64[h] in UTC. Requires equal lengths (checked by the caller).
    """
    hours = len(own)
    z, x, scale = deviations(own)
    up_z = standardised(upstream) if upstream is not None else np.full_like(z, np.nan)
    rate1 = (x - shift(x, 1)) / scale
    rate3 = (x - shift(x, 3)) / scale
    columns: list[np.ndarray] = []
    missing = np.isnan(own)
    stuck = _stuck_hours(own)
    z_lag1 = shift(z, 1)
    z_mean3 = window_mean(z, 3)
    up_mean6 = window_mean(up_z, 6)
    up_mean12 = window_mean(up_z, 12)
    for m in range(6):
        columns += [
            z[:, m],
            z_lag1[:, m],
            z_mean3[:, m],
            rate1[:, m],
            rate3[:, m],
            missing[:, m].astype(float),
            stuck[:, m],
            up_z[:, m],
            up_mean6[:, m],
            up_mean12[:, m],
            z[:, m] - up_z[:, m],
        ]
    own_cusum = cusum(directed(z))
    up_cusum = cusum(directed(up_z)) if upstream is not None else np.full_like(own_cusum, np.nan)
    columns += [own_cusum[:, i] for i in range(len(DIRECTED))]
    columns += [up_cusum[:, i] for i in range(len(DIRECTED))]
    columns += [own_cusum[:, i] - up_cusum[:, i] for i in range(len(DIRECTED))]
    columns += [own_cusum.max(axis=1), up_cusum.max(axis=1)]
    with np.errstate(invalid="ignore"):
        sewage = (z[:, 1] + z[:, 2]) / 2 - z[:, 0]
        up_sewage = (up_z[:, 1] + up_z[:, 2]) / 2 - up_z[:, 0]
        big = (np.abs(z) > 3).sum(axis=1).astype(float)
        up_big = (np.abs(up_z) > 3).sum(axis=1).astype(float)
    abs_z = np.where(np.isnan(z), -np.inf, np.abs(z)).max(axis=1)
    up_abs_z = np.where(np.isnan(up_z), -np.inf, np.abs(up_z)).max(axis=1)
    local = times.astype("datetime64[h]") + np.timedelta64(9, "h")
    calendar = calendar_features(local.astype("datetime64[D]"))
    columns += [
        sewage,
        up_sewage,
        np.where(np.isinf(abs_z), np.nan, abs_z),
        np.where(np.isinf(up_abs_z), np.nan, up_abs_z),
        big,
        up_big if upstream is not None else np.full(hours, np.nan),
        missing.sum(axis=1).astype(float),
        np.full(hours, float(upstream is not None)),
        (local.astype(np.int64) % 24).astype(float),
        (calendar["weekend"] | calendar["holiday"]).astype(float),
    ]
    return np.column_stack(columns)
