"""The CDC's Early Aberration Reporting System (EARS) statistics C1, C2 and C3 on daily counts.

Definitions as in Fricker, Hegler & Dunfee 2008, "Comparing syndromic surveillance detection
methods: EARS' versus a CUSUM-based methodology", Statistics in Medicine 27:3407–3429, §2.1,
after Hutwagner et al. 2003, "The bioterrorism preparedness and response Early Aberration
Reporting System (EARS)", J Urban Health 80(2 Suppl 1):i89–i96:

    C1(t) = (Y(t) − mean(Y(t−7..t−1))) / sd(Y(t−7..t−1))
    C2(t) = (Y(t) − mean(Y(t−9..t−3))) / sd(Y(t−9..t−3))     (a two-day guard band)
    C3(t) = Σ_{i=t−2..t} max(0, C2(i) − 1)

with the sample standard deviation (n − 1). C1 and C2 signal above 3, C3 above 2 (Fricker et
al.; R's `surveillance::earsC` likewise defaults to α = 0.001 for C1/C2 and 0.025 for C3).

Choices beyond the papers, each a parameter: a standard deviation below `min_sigma` counts as
`min_sigma` (Burkom's suggestion for sparse data, `earsC`'s `minSigma`), so a flat baseline
gives a large finite statistic instead of a division by zero; a missing day (NaN) is left out
of a baseline, a baseline with fewer than `min_baseline_days` observed days gives no statistic,
a missing day itself gives no statistic and no alarm, and in C3 a missing earlier day adds 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

Method = Literal["C1", "C2", "C3"]

THRESHOLDS: dict[str, float] = {"C1": 3.0, "C2": 3.0, "C3": 2.0}
"""Fricker et al. 2008's thresholds: C1 and C2 signal above 3, C3 above 2."""

_LAGS = {"C1": (1, 7), "C2": (3, 9)}  # first and last lag of each baseline, in days


def lagged_windows(counts: np.ndarray, first_lag: int, last_lag: int) -> np.ndarray:
    """For counts (..., T), the values at lags `first_lag`..`last_lag` of each day: (..., T, n).

    Row t holds counts[..., t − last_lag .. t − first_lag] (oldest first), NaN before day 0.
    Requires 0 <= first_lag <= last_lag.
    """
    days = counts.shape[-1]
    width = last_lag - first_lag + 1
    pad = np.full((*counts.shape[:-1], last_lag), np.nan)
    padded = np.concatenate([pad, counts.astype(float)], axis=-1)
    return sliding_window_view(padded, width, axis=-1)[..., :days, :]


def baseline_z(
    counts: np.ndarray,
    first_lag: int,
    last_lag: int,
    *,
    min_sigma: float = 0.5,
    min_baseline_days: int = 3,
) -> np.ndarray:
    """(Y(t) − mean) / max(sd, min_sigma) over lags first_lag..last_lag; NaN where undefined.

    counts: (..., T) daily counts, NaN for missing days. Returns the same shape.
    """
    windows = lagged_windows(counts, first_lag, last_lag)
    observed = ~np.isnan(windows)
    n = observed.sum(axis=-1)
    safe_n = np.maximum(n, 1)
    mean = np.where(observed, windows, 0.0).sum(axis=-1) / safe_n
    squares = np.where(observed, (windows - mean[..., None]) ** 2, 0.0).sum(axis=-1)
    sd = np.sqrt(squares / np.maximum(n - 1, 1))
    z = (counts - mean) / np.maximum(sd, min_sigma)
    return np.where(n >= min_baseline_days, z, np.nan)


@dataclass(frozen=True)
class Ears:
    """One EARS method with its alarm threshold (None: Fricker et al.'s, see THRESHOLDS).

    `statistic(counts)` and `alarms(counts)` take daily counts shaped (..., T), the last axis
    days in order, NaN for a missing day, and return the same shape.
    """

    method: Method
    threshold: float | None = None
    min_sigma: float = 0.5
    min_baseline_days: int = 3

    @property
    def name(self) -> str:
        """The baseline's name in comparisons: ears_c1, ears_c2, ears_c3."""
        return f"ears_{self.method.lower()}"

    @property
    def limit(self) -> float:
        """The threshold the statistic must exceed to signal."""
        return THRESHOLDS[self.method] if self.threshold is None else self.threshold

    def statistic(self, counts: np.ndarray) -> np.ndarray:
        """C1, C2 or C3 of each day (NaN where the day or its baseline is missing)."""
        if self.method == "C3":
            c2 = Ears("C2", min_sigma=self.min_sigma, min_baseline_days=self.min_baseline_days)
            parts = np.maximum(c2.statistic(counts) - 1.0, 0.0)
            earlier = np.nan_to_num(lagged_windows(parts, 1, 2), nan=0.0).sum(axis=-1)
            return np.asarray(parts + earlier)  # NaN where today's C2 is NaN
        first, last = _LAGS[self.method]
        return baseline_z(
            counts,
            first,
            last,
            min_sigma=self.min_sigma,
            min_baseline_days=self.min_baseline_days,
        )

    def alarms(self, counts: np.ndarray) -> np.ndarray:
        """True on each day whose statistic exceeds the threshold (never on a missing day)."""
        statistic = self.statistic(counts)
        return np.asarray(np.nan_to_num(statistic, nan=-np.inf) > self.limit)
