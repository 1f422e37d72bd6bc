"""Kernel density hotspot maps: the standard map analysts draw from past incidents.

After Chainey, Tompson & Uhlig 2008 ("The utility of hotspot mapping for predicting spatial
patterns of crime", Security Journal 21:4–28), who found KDE the most accurate of the common
hotspot maps and measured it by PAI: a quartic (biweight) kernel K(d) = 3/(π h²)·(1 − d²/h²)²
for d < h over the past incidents, evaluated at each cell centre, with the bandwidth h (and the
length of the history) chosen on training data by the PAI it reaches on the following week, as
the authors tuned bandwidth and cell size. Incidents are known by cell (what the platform
records), so each stands at its cell's centre.

Two strategies, both scikit-learn style (`fit` chooses, `predict` maps):
- "all_hours": one map from every past incident, the same for every hour (the usual hotspot map);
- "by_band": one map per time band (morning 06–14, evening 14–22, night 22–06, on weekdays and
  at weekends, `time_band`), each from the past incidents of its band, for the hours of that
  band.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from ml.features import HOURS_PER_WEEK
from ml.hotspot_grid import Grid
from ml.metrics.hotspots import HotspotScore, hotspot_score, pooled

BANDWIDTHS_M = (250.0, 375.0, 500.0, 750.0, 1000.0)
HISTORY_WEEKS = (4, 12)
STRATEGIES = ("all_hours", "by_band")


def quartic_kernel(distance_m: np.ndarray, bandwidth_m: float) -> np.ndarray:
    """The quartic kernel's density (per m²) at each distance (m): 0 at or beyond the bandwidth."""
    u = np.asarray(distance_m, dtype=float) / bandwidth_m
    return np.where(u < 1.0, 3.0 / (np.pi * bandwidth_m**2) * (1.0 - u**2) ** 2, 0.0)


def kernel_density(grid: Grid, counts: np.ndarray, bandwidth_m: float) -> np.ndarray:
    """Quartic-kernel density at each cell centre of the incidents `counts` (n_cells, …) stand
    for, each at its cell's centre: (n_cells, …) incidents per m²."""
    # scipy imported here, not by every process that imports the hotspot features (the CLI)
    from scipy.ndimage import convolve

    reach = int(np.ceil(bandwidth_m / grid.cell_m))
    offsets = np.arange(-reach, reach + 1) * grid.cell_m
    kernel = quartic_kernel(np.hypot(*np.meshgrid(offsets, offsets)), bandwidth_m)
    raster = grid.raster(np.asarray(counts, dtype=float))
    if raster.ndim == 3:
        kernel = kernel[:, :, None]
    smoothed = convolve(raster, kernel, mode="constant", cval=0.0)
    return np.asarray(smoothed[grid.row, grid.col])


def time_band(hour_of_week: np.ndarray) -> np.ndarray:
    """The band (0–5) of each hour of the week: morning 06–14, evening 14–22, night 22–06 (the
    night named for the evening it starts), + 3 at weekends (Saturday and Sunday days; Friday
    and Saturday nights)."""
    shifted = (np.asarray(hour_of_week) - 6) % HOURS_PER_WEEK  # days start at 06:00
    day, part = shifted // 24, (shifted % 24) // 8
    weekend = np.where(part == 2, (day == 4) | (day == 5), day >= 5)
    return np.asarray(part + 3 * weekend.astype(int))


class KernelDensityHotspots:
    """A KDE hotspot map whose bandwidth and history length are chosen on training data.

    `strategy` is one of STRATEGIES; `area_share` the share of cells flagged when choosing.
    Learned: `bandwidth_m_`, `history_weeks_`.
    """

    def __init__(
        self,
        strategy: str = "all_hours",
        area_share: float = 0.05,
        bandwidths_m: Sequence[float] = BANDWIDTHS_M,
        history_weeks: Sequence[int] = HISTORY_WEEKS,
    ) -> None:
        self.strategy = strategy
        self.area_share = area_share
        self.bandwidths_m = tuple(bandwidths_m)
        self.history_weeks = tuple(history_weeks)

    def _counts(self, past: np.ndarray, next_how: int, weeks: int) -> np.ndarray:
        """The incidents the map is drawn from: (n_cells, 1) for all hours, (n_cells, 6) by band."""
        hours = min(weeks * HOURS_PER_WEEK, past.shape[1])
        recent = np.asarray(past[:, -hours:])
        if self.strategy == "all_hours":
            return np.asarray(recent.sum(axis=1, keepdims=True), dtype=float)
        if self.strategy != "by_band":
            raise ValueError(f"unknown strategy {self.strategy!r}: one of {STRATEGIES}")
        if hours % HOURS_PER_WEEK == 0:  # whole weeks: fold them onto one week first
            recent = recent.reshape(len(recent), -1, HOURS_PER_WEEK).sum(axis=1)
            hours = HOURS_PER_WEEK
        bands = time_band((next_how - hours + np.arange(hours)) % HOURS_PER_WEEK)
        one_hot = (bands[:, None] == np.arange(6)[None, :]).astype(float)
        return np.asarray(recent.astype(float) @ one_hot)

    def _map(
        self, grid: Grid, counts: np.ndarray, next_how: int, ahead: int, bandwidth: float
    ) -> np.ndarray:
        density = kernel_density(grid, counts, bandwidth)  # (n_cells, 1 or 6)
        if self.strategy == "all_hours":
            return np.broadcast_to(density[:, 0], (ahead, grid.n_cells))
        ahead_bands = time_band((next_how + np.arange(ahead)) % HOURS_PER_WEEK)
        return np.asarray(density[:, ahead_bands].T)

    def partial_fit(
        self, grid: Grid, past: np.ndarray, next_how: int, future: np.ndarray
    ) -> KernelDensityHotspots:
        """Score every candidate on one more training origin and choose again.

        `past` (n_cells, hours) recorded incidents per cell and hour, the last column the hour
        before hour of the week `next_how`; `future` (hours ahead, n_cells) the incidents of
        the hours that follow. The choice maximises the PAI pooled over every origin seen; ties
        go to the first candidate (shortest history, smallest bandwidth).
        """
        candidates = [(w, b) for w in self.history_weeks for b in self.bandwidths_m]
        if not hasattr(self, "scores_"):
            self.scores_: list[list[HotspotScore]] = [[] for _ in candidates]
        counts = {w: self._counts(past, next_how, w) for w in self.history_weeks}
        for found, (weeks, bandwidth) in zip(self.scores_, candidates, strict=True):
            density = self._map(grid, counts[weeks], next_how, len(future), bandwidth)
            found.append(hotspot_score(density, future, self.area_share))
        pai = [pooled(found).pai for found in self.scores_]
        self.history_weeks_, self.bandwidth_m_ = candidates[int(np.argmax(pai))]
        return self

    def fit(
        self, grid: Grid, origins: Iterable[tuple[np.ndarray, int, np.ndarray]]
    ) -> KernelDensityHotspots:
        """Choose the bandwidth and history on the training origins, each (past, next_how,
        future) as in `partial_fit`, read in one pass (ValueError if there are none)."""
        if hasattr(self, "scores_"):
            del self.scores_
        for past, next_how, future in origins:
            self.partial_fit(grid, past, next_how, future)
        if not hasattr(self, "scores_"):
            raise ValueError("the KDE baseline needs at least one training origin")
        return self

    def predict(self, grid: Grid, past: np.ndarray, next_how: int, ahead: int) -> np.ndarray:
        """The maps of the `ahead` hours after `past` (n_cells, hours), the first of them hour
        of the week `next_how`: (ahead, n_cells) densities."""
        if not hasattr(self, "bandwidth_m_"):
            raise RuntimeError("fit the KDE baseline before predicting")
        counts = self._counts(past, next_how, self.history_weeks_)
        return self._map(grid, counts, next_how, ahead, self.bandwidth_m_)
