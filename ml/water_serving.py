"""Serving the water model: a station's hourly readings in, a score and an alarm per hour out.

What `ml.water.train` stored (the booster and its alarm threshold) scores the readings the
platform would hand over: a station's recent hours and its upstream neighbour's over the same
hours. Serving never trains.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ml.errors import MLError, RegistryDamaged
from ml.generators.water import MEASURES
from ml.metrics.water import alarm_episodes
from ml.registry import StoredModel
from ml.water_features import FEATURES, station_features

if TYPE_CHECKING:
    import lightgbm


class ReadingsInvalid(MLError):
    """Readings handed to the water model that it cannot score; `field` names the culprit."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class StationReadings:
    """A station's recent hourly readings, as the platform would hand them to the model.

    `times`: (hours,) datetime64 at whole UTC hours, consecutive, oldest first; `values`: every
    measure of MEASURES → (hours,) floats in UNITS (DO, TN, TP mg/L, turbidity NTU, temperature
    °C, pH), NaN where missing (an unmeasured measure is all NaN). Scores are best with at least
    15 days of history before the hours that matter (the expectation reads 7 days, the scale 14).
    """

    times: np.ndarray
    values: Mapping[str, Sequence[float] | np.ndarray]

    def matrix(self, field: str = "readings") -> np.ndarray:
        """The readings as (hours, 6) in MEASURES order; ReadingsInvalid when malformed."""
        unknown = sorted(set(self.values) - set(MEASURES))
        if unknown:
            raise ReadingsInvalid(f"unknown measures {unknown}: the measures are {MEASURES}", field)
        absent = [m for m in MEASURES if m not in self.values]
        if absent:
            raise ReadingsInvalid(
                f"measures {absent} are missing: pass all-NaN arrays for unmeasured ones", field
            )
        times = np.asarray(self.times)
        if times.ndim != 1 or len(times) == 0 or not np.issubdtype(times.dtype, np.datetime64):
            raise ReadingsInvalid("times must be a non-empty 1-D datetime64 array", field)
        hourly = times.astype("datetime64[h]")
        if (hourly != times).any() or (np.diff(hourly) != np.timedelta64(1, "h")).any():
            raise ReadingsInvalid("times must be whole hours, consecutive, oldest first", field)
        columns = []
        for m in MEASURES:
            column = np.asarray(self.values[m], dtype=float)
            if column.shape != times.shape:
                raise ReadingsInvalid(f"{m} has {column.shape}, times {times.shape}", field)
            columns.append(column)
        return np.column_stack(columns)


@dataclass(frozen=True)
class WaterScores:
    """The model's verdict on each hour: `times` (hours,) datetime64[h] UTC, `scores` (hours,)
    in 0–1, `alarms` (hours,) bool where score ≥ `threshold`."""

    times: np.ndarray
    scores: np.ndarray
    alarms: np.ndarray
    threshold: float

    @property
    def alarm_onsets(self) -> np.ndarray:
        """Times at which an alarm episode starts (`ml.metrics.water.alarm_episodes`: alarms less
        than 6 h apart are one episode)."""
        firsts = [first for first, _ in alarm_episodes(self.alarms)]
        return np.asarray(self.times[firsts])


class WaterModel:
    """A trained water model: scores a station's readings, given its upstream neighbour's."""

    def __init__(self, booster: lightgbm.Booster, threshold: float) -> None:
        self.booster = booster
        self.threshold = threshold

    @classmethod
    def from_stored(cls, stored: StoredModel) -> WaterModel:
        """The model of a registry version; RegistryDamaged when its serving data do not fit."""
        serving = stored.serving
        if tuple(serving.get("features", ())) != FEATURES or "threshold" not in serving:
            raise RegistryDamaged(
                f"{stored.name} {stored.version}: serving.json is not this model's"
            )
        return cls(stored.booster(), float(serving["threshold"]))

    def predict(
        self, readings: StationReadings, upstream: StationReadings | None = None
    ) -> WaterScores:
        """Score each hour of `readings`; `upstream` is the nearest upstream station's readings
        over the same times (None for the most upstream station).

        Raises ReadingsInvalid for malformed readings or upstream times that differ.
        """
        own = readings.matrix()
        above = None
        if upstream is not None:
            above = upstream.matrix("upstream")
            if not np.array_equal(
                np.asarray(upstream.times).astype("datetime64[h]"),
                np.asarray(readings.times).astype("datetime64[h]"),
            ):
                raise ReadingsInvalid("upstream readings must cover the same hours", "upstream")
        times = np.asarray(readings.times).astype("datetime64[h]")
        scores = self.booster.predict(station_features(own, above, times))
        scores = np.asarray(scores, dtype=float)
        return WaterScores(times, scores, scores >= self.threshold, self.threshold)
