"""A station's readings against its own expectation: z-scores and Page's CUSUM of them.

Shared by the water model's features (`ml.water_features`) and its CUSUM baseline
(`ml.baselines.water_cusum`). Readings are (hours, 6) arrays in the order of
`ml.generators.water.MEASURES`, hourly and consecutive, NaN where missing; everything at hour t
reads hours ≤ t only.
"""

from __future__ import annotations

import numpy as np

from ml.generators.water import DO, PH, TN, TP, TURB

LOG_MEASURES = (1, 2, 3)
"""Measures compared on a log scale (TN, TP, turbidity: positive and right-skewed)."""

_LOG_FLOOR = np.array([1.0, 0.05, 0.002, 0.1, 1.0, 1.0])
_SCALE_FLOOR = np.array([0.05, 0.01, 0.02, 0.02, 0.05, 0.01])
"""Smallest deviation scale per measure (DO mg/L, log units, °C, pH): a sensor's resolution."""

EXPECTATION_DAYS = 7
SCALE_HOURS = 14 * 24
_MAX_Z = 50.0

DIRECTIONS = {DO: -1, TN: 1, TP: 1, TURB: 1, PH: 0}
"""Which way pollution moves each measure: −1 down, +1 up, 0 either (temperature: none)."""

REFERENCE_K = 0.5
"""CUSUM reference value: half of a one-standard-deviation shift (Page 1954)."""


def _transformed(values: np.ndarray) -> np.ndarray:
    out = np.array(values, dtype=float, copy=True)
    for m in LOG_MEASURES:
        out[:, m] = np.log(np.maximum(out[:, m], _LOG_FLOOR[m]))
    return out


def shift(x: np.ndarray, k: int) -> np.ndarray:
    """x moved k hours later along axis 0 (the first k rows NaN)."""
    out = np.full_like(x, np.nan)
    if k < len(x):
        out[k:] = x[: len(x) - k]
    return out


def window_mean(x: np.ndarray, window: int, min_count: int = 1) -> np.ndarray:
    """Mean over hours t−window+1 … t along axis 0, ignoring NaN; NaN below `min_count`."""
    present = ~np.isnan(x)
    sums = np.cumsum(np.where(present, x, 0.0), axis=0)
    counts = np.cumsum(present, axis=0)
    sums = sums - _shift_fill(sums, window)
    counts = counts - _shift_fill(counts, window)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts >= min_count, sums / np.maximum(counts, 1), np.nan)


def _shift_fill(x: np.ndarray, k: int) -> np.ndarray:
    out = np.zeros_like(x)
    if k < len(x):
        out[k:] = x[: len(x) - k]
    return out


def standardised(values: np.ndarray) -> np.ndarray:
    """Each reading's deviation from its station's expectation, in units of its usual deviation.

    `values`: (hours, 6) readings. The expectation at hour t is the mean of the same hour on the
    previous EXPECTATION_DAYS days (the station's own daily and seasonal level); the scale is
    1.2533 × the mean absolute deviation over the previous SCALE_HOURS (σ for normal deviations),
    floored at the sensor's resolution. TN, TP and turbidity are compared on a log scale.
    Returns (hours, 6) z-scores, NaN where the reading or its expectation is missing, clipped to
    ±50.
    """
    return deviations(values)[0]


def deviations(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(z-scores, transformed readings, scale), each (hours, 6); see `standardised`."""
    x = _transformed(values)
    shifted = np.stack([shift(x, 24 * k) for k in range(1, EXPECTATION_DAYS + 1)])
    present = ~np.isnan(shifted)
    counts = present.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.where(counts >= 2, np.where(present, shifted, 0).sum(axis=0) / counts, np.nan)
    residual = x - expected
    spread = window_mean(shift(np.abs(residual), 1), SCALE_HOURS, min_count=48)
    scale = np.maximum(1.2533 * np.nan_to_num(spread, nan=np.inf), _SCALE_FLOOR)
    scale = np.where(np.isnan(spread), np.nan, scale)
    return np.clip(residual / scale, -_MAX_Z, _MAX_Z), x, scale


def directed(z: np.ndarray) -> np.ndarray:
    """z-scores turned the polluted way: (hours, …, 6) → (hours, …, 6) columns DO↓, TN↑, TP↑,
    turbidity↑, pH↑, pH↓ (temperature dropped, pH both ways)."""
    columns = []
    for measure, direction in DIRECTIONS.items():
        if direction == 0:
            columns += [z[..., measure], -z[..., measure]]
        else:
            columns.append(direction * z[..., measure])
    return np.stack(columns, axis=-1)


def cusum(z: np.ndarray, k: float = REFERENCE_K) -> np.ndarray:
    """Page's one-sided CUSUM S_t = max(0, S_{t−1} + z_t − k) along axis 0 of `z` ((hours, …)),
    a missing z_t leaving S unchanged.

    Page, E. S. (1954), "Continuous inspection schemes", Biometrika 41(1/2):100–115.
    """
    out = np.empty_like(z, dtype=float)
    s = np.zeros(z.shape[1:])
    for t in range(len(z)):
        step = np.maximum(0.0, s + z[t] - k)
        s = np.where(np.isnan(z[t]), s, step)
        out[t] = s
    return out
