"""Fixed thresholds per measure: the water model's first baseline, in two forms.

`standard_alarms`: the limits of grade III ("보통", fair) of Korea's river living-environment
standard (환경정책기본법 시행령 별표 1, as tabulated in kjnc 19(1):137, Table 3): DO ≥ 5.0 mg/L,
TP ≤ 0.2 mg/L, pH 6.5–8.5. That standard grades no TN for rivers and no turbidity (it grades SS
in mg/L, which has no fixed conversion to NTU); the turbidity levels of
seoul-domain-facts §9 (alarm > 4 NTU) are for drinking water, far below a river's normal level,
so neither is used here.

`BudgetThreshold`: the same kind of rule at the model's false-alarm budget. For each station and
measure, fixed limits median ± k × IQR of the station's training readings (low DO, high TN, TP
and turbidity, pH either way; temperature is no pollutant); one k for all, chosen on
calibration draws so false alarms stay within the budget.
"""

from __future__ import annotations

import numpy as np

from ml.generators.water import DO, PH, TP
from ml.water_deviation import DIRECTIONS

STANDARD_LIMITS = {DO: (5.0, np.inf), TP: (-np.inf, 0.2), PH: (6.5, 8.5)}
"""(low, high) limits per measure index: river grade III (보통)."""


def standard_alarms(values: np.ndarray) -> np.ndarray:
    """Alarm where any reading breaks its grade III limit: (stations, hours, 6) → (stations,
    hours) bool; missing readings never alarm."""
    alarm = np.zeros(values.shape[:2], dtype=bool)
    for measure, (low, high) in STANDARD_LIMITS.items():
        x = values[..., measure]
        with np.errstate(invalid="ignore"):
            alarm |= (x < low) | (x > high)
    return alarm


class BudgetThreshold:
    """Per-station, per-measure fixed limits median ± k × IQR (k is the alarm threshold)."""

    def fit(self, draws: list[np.ndarray]) -> BudgetThreshold:
        """Learn each station's median and IQR from training readings, each (stations, hours, 6).

        Requires every draw to have the same stations.
        """
        pooled = np.concatenate(draws, axis=1)
        q25, q50, q75 = np.nanquantile(pooled, [0.25, 0.5, 0.75], axis=1)
        self.median_ = q50
        self.iqr_ = np.maximum(q75 - q25, 1e-6)
        return self

    def score(self, values: np.ndarray) -> np.ndarray:
        """The largest exceedance, in IQRs beyond the median in the polluted direction, over the
        measures: (stations, hours, 6) → (stations, hours); −inf where every reading is missing.
        An alarm is score ≥ k."""
        scores = np.full(values.shape[:2], -np.inf)
        for measure, direction in DIRECTIONS.items():
            deviation = (values[..., measure] - self.median_[:, None, measure]) / self.iqr_[
                :, None, measure
            ]
            signed = np.abs(deviation) if direction == 0 else direction * deviation
            scores = np.fmax(scores, signed)
        return scores

    def limits(self, k: float) -> dict[str, list[list[float]]]:
        """The (low, high) limit per station and measure at threshold k (JSON-able)."""
        low = (self.median_ - k * self.iqr_).round(4).tolist()
        high = (self.median_ + k * self.iqr_).round(4).tolist()
        return {"low": low, "high": high}
