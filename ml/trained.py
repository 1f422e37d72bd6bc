"""What training returns: the booster, what serving needs, and the figures beside the baselines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import lightgbm


NEVER = 1e9
"""A figure that never happened (a missed event's detection delay, a threshold nothing reaches):
JSON has no infinity, so cards and log entries hold this; `figure` shows it as "never"."""


def figure(value: float, digits: int = 3) -> str:
    """A metric's value for people: `digits` significant digits, "never" for NEVER and beyond."""
    if value >= NEVER:
        return "never"
    return f"{value:.{digits}g}" if abs(value) < 10**digits else f"{value:,.0f}"


@dataclass(frozen=True)
class Comparison:
    """One metric: the model's value beside each baseline's, measured in the same run.

    `baselines` maps a baseline's name (e.g. "tfidf_logreg", "ears_c2") to its value; `met` says
    whether the model reached `target`, a sentence such as "≥ tfidf_logreg + 0.02".
    """

    metric: str
    model: float
    baselines: Mapping[str, float]
    target: str
    met: bool
    unit: str = ""
    higher_is_better: bool = True


@dataclass(frozen=True)
class DataDescription:
    """Where the training and evaluation data came from (the generator and its settings).

    `train_seeds` and `eval_seeds` are disjoint: the evaluation never sees a training draw.
    """

    generator: str
    generator_version: str
    settings: Mapping[str, Any]
    train_seeds: tuple[int, ...]
    eval_seeds: tuple[int, ...]
    train_rows: int
    eval_rows: int


@dataclass(frozen=True)
class Speed:
    """How long fitting took and how fast scoring ran, for the model and its baselines, in the
    same run (bench/ml.py reports them as ratios).

    `unit` names one scored row ("complaints", "station-hours", "series-days", "cell-hours");
    `fit_seconds` and `rows_per_second` map "model" and each baseline's name to wall-clock
    seconds and rows scored per second. A baseline with nothing to fit (EARS, a fixed threshold)
    has 0.0 seconds.
    """

    unit: str
    fit_seconds: Mapping[str, float]
    rows_per_second: Mapping[str, float]


@dataclass(frozen=True)
class TrainedModel:
    """A trained model, ready for the registry.

    `serving` holds, as JSON-able values, everything prediction needs besides the booster
    (feature names, thresholds, the text hashing settings); `details` holds figures beyond the
    comparisons (a confusion matrix, each injected event's delay), also JSON-able.
    """

    name: str
    booster: lightgbm.Booster
    serving: Mapping[str, Any]
    comparisons: tuple[Comparison, ...]
    data: DataDescription
    features: tuple[str, ...]
    intended_use: str
    not_for: str
    details: Mapping[str, Any] = field(default_factory=dict)
    speed: Speed | None = None

    @property
    def meets_targets(self) -> bool:
        """True when every comparison reached its target."""
        return all(c.met for c in self.comparisons)
