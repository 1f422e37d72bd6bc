"""CUSUM on each measure's standardised deviation: the water model's second baseline.

Page, E. S. (1954), "Continuous inspection schemes", Biometrika 41(1/2):100–115. For a measure's
z-score z_t (its deviation from the station's own expected value,
`ml.water_deviation.standardised`), the one-sided statistic S_t = max(0, S_{t−1} + d·z_t − k)
with d the polluted direction (−1 for DO, +1 for TN, TP, turbidity; pH runs both ways) and
reference value k = 0.5 (tuned to a shift of one standard deviation); a missing z leaves S
unchanged. The station's score is the largest S over its measures; it alarms while the score is
≥ h (no restart after a signal: an alarm lasts while the statistic stays above h), h chosen on
calibration draws at the false-alarm budget.
"""

from __future__ import annotations

import numpy as np

from ml.water_deviation import REFERENCE_K, cusum, directed, standardised


def cusum_scores(values: np.ndarray, k: float = REFERENCE_K) -> np.ndarray:
    """The CUSUM score of each station and hour: (stations, hours, 6) readings → (stations,
    hours)."""
    z = np.stack([standardised(v) for v in values], axis=1)  # hours, stations, 6
    return np.asarray(cusum(directed(z), k).max(axis=-1).T)
