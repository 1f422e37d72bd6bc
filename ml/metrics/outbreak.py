"""Outbreak-detection metrics: sensitivity, false alarms per series-year, days of warning.

Alarms are scored per episode (one outbreak in one gu and syndrome, `OutbreakTruth.episodes`):
an episode is detected when its series alarms on a day from its onset to its end; its warning
is peak − first such alarm in days (negative when the first alarm came after the ER peak). A
false alarm is an alarm day of a series outside every episode window of that series; the rate
is per series and year of monitored days (days from `first_day` on), as in Watkins et al.
2008's per-day false-alarm rate times 365.25.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ml.generators.outbreaks import OutbreakTruth

DAYS_PER_YEAR = 365.25


def episode_windows(truth: OutbreakTruth, shape: tuple[int, int, int]) -> np.ndarray:
    """(gu, syndrome, day) mask of the days from each episode's onset to its end."""
    mask = np.zeros(shape, dtype=bool)
    for e in truth.episodes:
        mask[e.gu, e.syndrome, e.onset : e.end + 1] = True
    return mask


def building_days(truth: OutbreakTruth, shape: tuple[int, int, int]) -> np.ndarray:
    """(gu, syndrome, day) mask of the days an outbreak is building: onset to ER peak."""
    mask = np.zeros(shape, dtype=bool)
    for e in truth.episodes:
        mask[e.gu, e.syndrome, e.onset : e.peak + 1] = True
    return mask


def false_alarm_days(alarms: np.ndarray, windows: np.ndarray, first_day: int) -> tuple[int, float]:
    """Alarm days outside episode windows from day `first_day` on, and the series-years watched.

    alarms, windows: (series…, T) bool of the same shape.
    """
    monitored = alarms[..., first_day:]
    false = np.count_nonzero(monitored & ~windows[..., first_day:])
    return int(false), monitored.size / DAYS_PER_YEAR


def false_alarms_per_year(alarms: np.ndarray, windows: np.ndarray, first_day: int) -> float:
    """Alarm days outside episode windows per series and year, over days `first_day` onwards."""
    false, series_years = false_alarm_days(alarms, windows, first_day)
    return false / series_years if series_years else 0.0


def _summary(first: list[int], warning: list[float], false: int, series_years: float) -> AlarmScore:
    if not first:
        raise ValueError("no outbreak episode in the scored days")
    detected = [w for w in warning if not np.isnan(w)]
    return AlarmScore(
        sensitivity=len(detected) / len(first),
        false_alarms_per_year=false / series_years if series_years else 0.0,
        warning_days_mean=float(np.mean(detected)) if detected else float("nan"),
        warning_days_median=float(np.median(detected)) if detected else float("nan"),
        episodes=len(first),
        detected=len(detected),
        first_alarm=tuple(first),
        warning=tuple(warning),
        false_alarm_days=false,
        series_years=series_years,
    )


@dataclass(frozen=True)
class AlarmScore:
    """How one detector's alarms did against the truth.

    `first_alarm` holds each scored episode's first alarm day in its window (−1 when missed)
    and `warning` its peak − first alarm (NaN when missed), in the order of `truth.episodes`;
    `warning_days_*` are over the detected episodes only. `false_alarm_days` over
    `series_years` gives `false_alarms_per_year`.
    """

    sensitivity: float
    false_alarms_per_year: float
    warning_days_mean: float
    warning_days_median: float
    episodes: int
    detected: int
    first_alarm: tuple[int, ...]
    warning: tuple[float, ...]
    false_alarm_days: int
    series_years: float


def score_alarms(alarms: np.ndarray, truth: OutbreakTruth, first_day: int) -> AlarmScore:
    """Score (gu, syndrome, day) bool alarms against `truth`; days before `first_day` unscored.

    Raises ValueError when no episode falls in the scored days (nothing to measure).
    """
    first: list[int] = []
    warning: list[float] = []
    for e in truth.episodes:
        if e.onset < first_day:
            continue
        hits = np.flatnonzero(alarms[e.gu, e.syndrome, e.onset : e.end + 1])
        first.append(e.onset + int(hits[0]) if hits.size else -1)
        warning.append(float(e.peak - first[-1]) if hits.size else float("nan"))
    false, series_years = false_alarm_days(alarms, episode_windows(truth, alarms.shape), first_day)
    return _summary(first, warning, false, series_years)


def pooled(scores: list[AlarmScore]) -> AlarmScore:
    """One score over several draws (episodes and series-years added up, in the given order)."""
    return _summary(
        [f for s in scores for f in s.first_alarm],
        [w for s in scores for w in s.warning],
        sum(s.false_alarm_days for s in scores),
        sum(s.series_years for s in scores),
    )


def days_earlier(a: AlarmScore, b: AlarmScore) -> tuple[float, int]:
    """Mean days a's first alarm came before b's over the episodes both detected, and how many.

    Both scores must come from the same truth (same episodes, same order). NaN when none.
    """
    pairs = [(x, y) for x, y in zip(a.first_alarm, b.first_alarm, strict=True) if x >= 0 and y >= 0]
    if not pairs:
        return float("nan"), 0
    return float(np.mean([y - x for x, y in pairs])), len(pairs)
