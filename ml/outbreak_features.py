"""The outbreak model's features of a day, from what surveillance has seen up to that day.

Per stream (ER visits, pharmacy sales, searches) of a gu and syndrome: the day's ratio to the
same weekday of the four weeks before (so Sunday pharmacies compare with Sundays), the same over
three days, z-scores against recent days (EARS C1/C2 as features), the trend of the last three
days against the week before, the last week against the month before, a 7-day CUSUM of the
weekday-adjusted z (Page 1954, "Continuous inspection schemes", Biometrika 41:100–115: it adds
up a slow rise that no single day shows), the usual level, and whether the day is missing.
From the neighbouring gu (ml.features.gu_adjacency): the mean of a few of those. From the
calendar (ml.features.calendar_features): weekday, Korean holiday, the days after a holiday,
season. A day's features read only its own and the 35 days before it (`WINDOW_DAYS` in all),
so serving needs no more history than that, and training computes exactly what serving sees.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ml.baselines.ears import baseline_z, lagged_windows
from ml.features import calendar_features, is_korean_holiday

WINDOW_DAYS = 36
"""Days of history one day's features read: the day itself and the 35 before it."""

STREAM_FEATURES = (
    "ratio",
    "ratio3",
    "weekday_z",
    "c1",
    "c2",
    "trend",
    "ratio7",
    "cusum",
    "level",
    "missing",
)
NEIGHBOUR_FEATURES = ("ratio3", "trend", "c2", "ratio7", "cusum")
CUSUM_DAYS, CUSUM_K = 7, 1.0
"""Page's CUSUM of the weekday-adjusted z over the last 7 days, reference value k = 1.0."""
CALENDAR_FEATURES = ("weekday", "holiday", "after_holiday", "season_sin", "season_cos")


def feature_names(streams: tuple[str, ...]) -> tuple[str, ...]:
    """The model's feature names in column order for `streams`."""
    own = [f"{s}_{f}" for s in streams for f in STREAM_FEATURES]
    near = [f"{s}_neighbours_{f}" for s in streams for f in NEIGHBOUR_FEATURES]
    return (*own, *near, *CALENDAR_FEATURES)


def _mean(windows: np.ndarray) -> np.ndarray:
    observed = ~np.isnan(windows)
    n = observed.sum(axis=-1)
    total = np.where(observed, windows, 0.0).sum(axis=-1)
    return np.where(n > 0, total / np.maximum(n, 1), np.nan)


def stream_features(counts: np.ndarray) -> dict[str, np.ndarray]:
    """STREAM_FEATURES of each day for counts (..., T) of one stream (NaN = missing day).

    Each value at day t reads counts[..., t − 35 .. t] only; NaN where undefined (LightGBM
    treats NaN as missing). Returns arrays shaped like `counts`.
    """
    counts = counts.astype(float)
    same_weekday = lagged_windows(counts, 7, 28)[..., ::7]  # lags 28, 21, 14, 7
    usual = _mean(same_weekday)
    seen = ~np.isnan(counts)
    last3 = lagged_windows(np.where(seen, counts, np.nan), 0, 2)
    usual3 = lagged_windows(np.where(seen, usual, np.nan), 0, 2)
    pair = ~np.isnan(last3) & ~np.isnan(usual3)
    sum3 = np.where(pair, last3, 0.0).sum(axis=-1)
    usual_sum3 = np.where(pair, usual3, 0.0).sum(axis=-1)
    recent = _mean(lagged_windows(counts, 0, 2))
    before = _mean(lagged_windows(counts, 3, 9))
    week = _mean(lagged_windows(counts, 0, 6))
    month = _mean(lagged_windows(counts, 7, 35))
    weekday_z = (counts - usual) / np.sqrt(usual + 1)
    cusum = np.zeros(counts.shape)
    steps = np.nan_to_num(lagged_windows(weekday_z, 0, CUSUM_DAYS - 1), nan=0.0)
    for day in range(CUSUM_DAYS):  # oldest first, as Page's CUSUM accumulates
        cusum = np.maximum(0.0, cusum + steps[..., day] - CUSUM_K)
    return {
        "ratio": np.log((counts + 1) / (usual + 1)),
        "ratio3": np.where(pair.any(axis=-1), np.log((sum3 + 1) / (usual_sum3 + 1)), np.nan),
        "weekday_z": weekday_z,
        "c1": np.clip(baseline_z(counts, 1, 7), -10, 10),
        "c2": np.clip(baseline_z(counts, 3, 9), -10, 10),
        "trend": np.log((recent + 1) / (before + 1)),
        "ratio7": np.log((week + 1) / (month + 1)),
        "cusum": np.where(seen, cusum, np.nan),
        "level": np.log1p(_mean(lagged_windows(counts, 1, 28))),
        "missing": (~seen).astype(float),
    }


def neighbour_inputs(features: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The NEIGHBOUR_FEATURES of one gu's stream features, missing values as 0 (no change).

    The model averages these over a gu's neighbours; 0 is the neutral value of each (a log
    ratio of 1, a z-score at the mean), so a neighbour's missing day does not move the mean.
    """
    return {f: np.nan_to_num(features[f], nan=0.0) for f in NEIGHBOUR_FEATURES}


def day_calendar(days: np.ndarray) -> dict[str, np.ndarray]:
    """CALENDAR_FEATURES of each day (datetime64[D] array), each a float array of its length."""
    days = days.astype("datetime64[D]")
    calendar = calendar_features(days)
    earlier = is_korean_holiday(np.concatenate([days - 2, days - 1]))
    recent = earlier[: len(days)] | earlier[len(days) :]
    return {
        "weekday": calendar["weekday"].astype(float),
        "holiday": calendar["holiday"].astype(float),
        "after_holiday": (recent & ~calendar["holiday"]).astype(float),
        "season_sin": calendar["season_sin"],
        "season_cos": calendar["season_cos"],
    }
