"""How well hourly alarms find pollution events: detection delay, false alarms, precision.

An alarm episode is a run of alarm hours at one station, runs less than MERGE_GAP_HOURS apart
counted as one (an operator is called once). An episode is true when it touches an event's
window at that station (the hours the event affects it, plus GRACE_HOURS after), else false.
An event's delay is the first alarm hour inside its window at any station it reaches, minus its
onset at the origin; a missed event's delay is infinite, so the median counts misses honestly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ml.generators.water import HOURS_PER_MONTH, WaterTruth

GRACE_HOURS = 6
MERGE_GAP_HOURS = 6


def alarm_episodes(alarm: np.ndarray, merge_gap: int = MERGE_GAP_HOURS) -> list[tuple[int, int]]:
    """The (first, last) hour of each episode in `alarm` ((hours,) bool); gaps < merge_gap merge."""
    hours = np.flatnonzero(alarm)
    if len(hours) == 0:
        return []
    breaks = np.flatnonzero(np.diff(hours) > merge_gap)
    starts = np.concatenate(([hours[0]], hours[breaks + 1]))
    ends = np.concatenate((hours[breaks], [hours[-1]]))
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


@dataclass(frozen=True)
class DetectionScore:
    """Alarms scored against the truth of one or more draws.

    `delays`: hours from each event's onset to its first alarm (inf when missed);
    `false_alarms`, `true_alarms`: episodes; `station_months`: stations × hours / 730.5.
    """

    delays: tuple[float, ...]
    false_alarms: int
    true_alarms: int
    station_months: float

    @property
    def median_delay(self) -> float:
        """Median delay in hours over every event, misses counted as infinite (nan: no events)."""
        return float(np.median(self.delays)) if self.delays else float("nan")

    @property
    def false_alarms_per_station_month(self) -> float:
        """False alarm episodes per station-month."""
        return self.false_alarms / self.station_months

    @property
    def precision(self) -> float:
        """Share of alarm episodes that are true (1.0 when there are none)."""
        total = self.false_alarms + self.true_alarms
        return self.true_alarms / total if total else 1.0

    @property
    def detected(self) -> float:
        """Share of events detected (nan: no events)."""
        if not self.delays:
            return float("nan")
        return float(np.mean(np.isfinite(self.delays)))

    def within(self, hours: float) -> float:
        """Share of events detected less than `hours` after onset (nan: no events)."""
        if not self.delays:
            return float("nan")
        return float(np.mean(np.asarray(self.delays) < hours))

    def __add__(self, other: DetectionScore) -> DetectionScore:
        return DetectionScore(
            self.delays + other.delays,
            self.false_alarms + other.false_alarms,
            self.true_alarms + other.true_alarms,
            self.station_months + other.station_months,
        )


def score_alarms(alarms: np.ndarray, truth: WaterTruth) -> DetectionScore:
    """Score `alarms` ((stations, hours) bool) against `truth` of the same draw.

    Raises ValueError when the shapes differ (a caller's bug).
    """
    if alarms.shape != truth.affected.shape:
        raise ValueError(f"alarms {alarms.shape} and truth {truth.affected.shape} differ")
    stations, hours = alarms.shape
    window = np.zeros(alarms.shape, dtype=bool)
    for event in truth.events:
        for s, start, end in event.reached:
            window[s, start : min(end + GRACE_HOURS, hours - 1) + 1] = True
    false = true = 0
    for s in range(stations):
        for first, last in alarm_episodes(alarms[s]):
            if window[s, first : last + 1].any():
                true += 1
            else:
                false += 1
    delays = []
    for event in truth.events:
        first_alarms = [
            start + int(np.argmax(hit))
            for s, start, end in event.reached
            if (hit := alarms[s, start : min(end + GRACE_HOURS, hours - 1) + 1]).any()
        ]
        delays.append(float(min(first_alarms) - event.onset) if first_alarms else float("inf"))
    return DetectionScore(tuple(delays), false, true, stations * hours / HOURS_PER_MONTH)


def threshold_for_budget(
    scores: Sequence[np.ndarray], truths: Sequence[WaterTruth], budget: float
) -> float:
    """The lowest alarm threshold on `scores` (each (stations, hours), alarm where score ≥
    threshold) whose false alarms per station-month over these draws stay ≤ `budget`.

    Candidates are the pooled scores' quantiles from 0.5 to 1 − 10⁻⁶; scanned from the highest
    down, the scan stops at the first candidate over budget. Returns +inf when even the highest
    is over budget (no alarm at all).
    """
    pooled = np.concatenate([s[np.isfinite(s)] for s in scores])
    levels = 1 - np.logspace(np.log10(0.5), -6, 120)
    candidates = np.unique(np.quantile(pooled, levels))[::-1]
    chosen = float("inf")
    for threshold in candidates:
        total = sum(
            (score_alarms(s >= threshold, t) for s, t in zip(scores, truths, strict=True)),
            DetectionScore((), 0, 0, 0.0),
        )
        if total.false_alarms_per_station_month > budget:
            break
        chosen = float(threshold)
    return chosen
