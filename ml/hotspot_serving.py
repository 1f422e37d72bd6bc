"""Serving the hotspot model: risk per cell for an hour of the week, and the top cells.

The model predicts places and hours from environmental risk factors and past incidents, never
people. A hotspot map is a recommendation: every patrol allocation built on one waits for an
analyst's review (`HotspotMap.review` is "awaiting analyst review" until that step, built later,
records an approval in the log).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ml.errors import MLError
from ml.features import HOURS_PER_WEEK
from ml.generators.city_layers import Environment
from ml.hotspot_features import FEATURES, HISTORY_HOURS, feature_rows
from ml.hotspot_grid import CELL_M, Grid, build_grid
from ml.metrics.hotspots import top_cells

if TYPE_CHECKING:
    import lightgbm

    from ml.registry import StoredModel

AREA_SHARE = 0.05
HORIZON_HOURS = 24
"""Maps are made each midnight for the day ahead (as in Mohler et al. 2015's daily maps)."""
AWAITING_REVIEW = "awaiting analyst review"


class HotspotInputInvalid(MLError):
    """Prediction inputs that do not fit the model's grid or history (shapes, hours, shares).

    `field` names the input at fault.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class HotspotInputs:
    """What the platform hands the model at the start of a period.

    `environment` on the model's grid (lighting (n_cells,), foot_traffic (n_cells, 168), points
    in metres EPSG:5186); `past_counts` (n_cells, HISTORY_HOURS = 2016) recorded incidents per
    cell and hour over the last 12 weeks, oldest first, the last column the hour that just ended;
    `next_hour_of_week` the hour of the week (0 = Monday 00:00 Seoul) that starts now.
    """

    environment: Environment
    past_counts: np.ndarray
    next_hour_of_week: int


@dataclass(frozen=True)
class CellRisk:
    """Expected incidents per cell (n_cells,) at `hour_of_week` in the coming week.

    `cell` indexes the model's grid; `gu` each cell's gu code.
    """

    hour_of_week: int
    cell: np.ndarray
    gu: np.ndarray
    expected: np.ndarray


@dataclass(frozen=True)
class Hotspot:
    """One flagged cell: its index, gu, centre (lon, lat) and expected incidents in the hour."""

    cell: int
    gu: str
    lon: float
    lat: float
    expected: float


@dataclass(frozen=True)
class HotspotMap:
    """The cells of highest risk covering `area_share` of the area for one hour of the week.

    `expected_share` is the share of the area's expected incidents inside them; `review` stays
    AWAITING_REVIEW: no patrol is allocated from a map no analyst has approved.
    """

    hour_of_week: int
    area_share: float
    area_km2: float
    cells: tuple[Hotspot, ...]
    expected_share: float
    review: str = AWAITING_REVIEW


class HotspotModel:
    """The trained booster on its grid; `risk`, `hotspots` and `risk_ahead` predict.

    Risk is meant for the hours just ahead of the history (HORIZON_HOURS, a day): the model was
    trained on days that begin where the history ends; `risk` for an hour further ahead is
    allowed (up to a week) but stales as the near-repeat features age.
    """

    def __init__(self, booster: lightgbm.Booster, serving: dict[str, Any]) -> None:
        if list(serving.get("features", [])) != list(FEATURES):
            raise HotspotInputInvalid("serving", "the stored features are not this code's")
        self.booster = booster
        self.serving = serving
        self.grid: Grid = build_grid(tuple(serving["gu_codes"]), float(serving["cell_m"]))

    @classmethod
    def from_stored(cls, stored: StoredModel) -> HotspotModel:
        """The model of a registry version (ml.registry.StoredModel)."""
        return cls(stored.booster(), dict(stored.serving))

    def _check(self, inputs: HotspotInputs) -> None:
        n = self.grid.n_cells
        env = inputs.environment
        if np.shape(inputs.past_counts) != (n, HISTORY_HOURS):
            raise HotspotInputInvalid(
                "past_counts", f"shape {np.shape(inputs.past_counts)}, not ({n}, {HISTORY_HOURS})"
            )
        if np.shape(env.lighting) != (n,) or np.shape(env.foot_traffic) != (n, HOURS_PER_WEEK):
            raise HotspotInputInvalid("environment", f"layers are not on this grid of {n} cells")
        if not 0 <= inputs.next_hour_of_week < HOURS_PER_WEEK:
            raise HotspotInputInvalid("next_hour_of_week", "an hour of the week is 0–167")
        if np.any(np.asarray(inputs.past_counts) < 0):
            raise HotspotInputInvalid("past_counts", "counts are never negative")

    def risk_ahead(
        self, inputs: HotspotInputs, hours: int = HORIZON_HOURS, holiday: np.ndarray | None = None
    ) -> np.ndarray:
        """Expected incidents per cell for each of the next `hours` (1–168) hours: (hours,
        n_cells), row k for the hour of the week (next_hour_of_week + k) mod 168. `holiday`
        (hours,) marks hours on Korean public holidays (none if None)."""
        self._check(inputs)
        if not 1 <= hours <= HOURS_PER_WEEK:
            raise HotspotInputInvalid("hours", f"1 to {HOURS_PER_WEEK} hours ahead, not {hours}")
        flags = np.zeros(hours, bool) if holiday is None else np.asarray(holiday, bool)
        if flags.shape != (hours,):
            raise HotspotInputInvalid("holiday", f"one flag per hour ahead, not {flags.shape}")
        hows = (inputs.next_hour_of_week + np.arange(hours)) % HOURS_PER_WEEK
        rows = feature_rows(
            self.grid,
            inputs.environment,
            np.asarray(inputs.past_counts),
            inputs.next_hour_of_week,
            hows,
            flags,
        )
        predicted = self.booster.predict(rows, num_threads=2)
        return np.asarray(predicted).reshape(hours, self.grid.n_cells)

    def risk(self, inputs: HotspotInputs, hour_of_week: int, *, holiday: bool = False) -> CellRisk:
        """Expected incidents per cell at `hour_of_week` (0–167) in the coming week."""
        self._check(inputs)
        if not 0 <= hour_of_week < HOURS_PER_WEEK:
            raise HotspotInputInvalid("hour_of_week", "an hour of the week is 0–167")
        rows = feature_rows(
            self.grid,
            inputs.environment,
            np.asarray(inputs.past_counts),
            inputs.next_hour_of_week,
            np.array([hour_of_week]),
            np.array([holiday]),
        )
        expected = np.asarray(self.booster.predict(rows, num_threads=2))
        return CellRisk(hour_of_week, np.arange(self.grid.n_cells), self.grid.gu, expected)

    def hotspots(
        self,
        inputs: HotspotInputs,
        hour_of_week: int,
        *,
        holiday: bool = False,
        area_share: float = AREA_SHARE,
    ) -> HotspotMap:
        """The top cells covering `area_share` (0–1] of the area at `hour_of_week`."""
        if not 0.0 < area_share <= 1.0:
            raise HotspotInputInvalid("area_share", f"a share is in (0, 1], not {area_share}")
        risk = self.risk(inputs, hour_of_week, holiday=holiday)
        chosen = top_cells(risk.expected, area_share)
        lon, lat = self.grid.lonlat()
        cells = tuple(
            Hotspot(
                int(c), str(self.grid.gu[c]), float(lon[c]), float(lat[c]), float(risk.expected[c])
            )
            for c in chosen
        )
        total = float(risk.expected.sum())
        return HotspotMap(
            hour_of_week,
            len(chosen) / self.grid.n_cells,
            len(chosen) * self.grid.cell_km2,
            cells,
            float(risk.expected[chosen].sum()) / total if total > 0 else 0.0,
        )


def serving_of(gu_codes: tuple[str, ...], extra: dict[str, Any]) -> dict[str, Any]:
    """The JSON-able serving data of a model trained on the grid over `gu_codes`."""
    return {
        "features": list(FEATURES),
        "gu_codes": list(gu_codes),
        "cell_m": CELL_M,
        "crs": "EPSG:5186",
        "history_hours": HISTORY_HOURS,
        "area_share": AREA_SHARE,
        "review": AWAITING_REVIEW,
        **extra,
    }
