"""Outbreak detection: is an outbreak building in a gu and syndrome, from three daily streams?

LightGBM on the features of `ml.outbreak_features` (each stream's ratio to its own recent
baseline, z-scores, trends, the neighbouring gu's signals, the calendar) gives the probability
that an outbreak is building (between its onset and its ER peak). A day alarms when that
probability exceeds a threshold set on training-side calibration seeds so the model raises
false alarms at EARS C2's rate there; the evaluation then measures sensitivity, false alarms
per series-year and days of warning before the ER peak, beside EARS C1/C2/C3 on ER visits on
the same evaluation draws. Every alarm waits for an analyst's review before anyone is notified.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from ml.baselines.ears import Ears
from ml.errors import MLError, check_training
from ml.features import gu_adjacency, neighbour_mean
from ml.generators.outbreaks import (
    GENERATOR_VERSION,
    STREAMS,
    SYNDROMES,
    OutbreakSettings,
    OutbreakTruth,
    SyndromicCounts,
    generate,
)
from ml.metrics.outbreak import (
    AlarmScore,
    building_days,
    days_earlier,
    episode_windows,
    false_alarm_days,
    pooled,
    score_alarms,
)
from ml.outbreak_features import (
    NEIGHBOUR_FEATURES,
    STREAM_FEATURES,
    WINDOW_DAYS,
    day_calendar,
    feature_names,
    neighbour_inputs,
    stream_features,
)
from ml.progress import Progress, quiet
from ml.registry import StoredModel
from ml.trained import Comparison, DataDescription, Speed, TrainedModel

if TYPE_CHECKING:
    import lightgbm

NAME = "outbreak"
DEFAULT_SCALE = 0.1
"""One training city, one calibration city, one evaluation city (two years each): ~10 s here."""

TARGET_DAYS_EARLIER = 3.0
"""The issue's target: the model's first alarm ≥ 3 days before C2's at C2's false-alarm rate."""

FIT_CITIES, CALIBRATION_CITIES, EVALUATION_CITIES = 8, 3, 4
"""Generator draws (two years of 25 gu × 3 syndromes each) at scale 1.0."""

EVALUATION_SEED_BASE = 10_000_000

PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.1,
    "num_leaves": 31,
    "min_data_in_leaf": 100,
    "feature_fraction": 0.9,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "max_bin": 63,
    # One thread: at these sizes (≤ ~0.5 M rows) a second OpenMP thread on the shared 2-core
    # machine made fitting 4–10× slower under load (measured 2026-11-30), never faster.
    "num_threads": 1,
    "deterministic": True,
    "force_row_wise": True,
    "verbosity": -1,
}
ROUNDS = 120
"""Boosting rounds at learning rate 0.1."""


class InvalidWindow(MLError):
    """A series window the model cannot score; `field` names the part that is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class SeriesWindow:
    """The recent daily counts of one gu and syndrome, as the platform hands them to the model.

    end: the day to score (the last day of every series).
    own: stream name ("er", "pharmacy", "search") → that gu's daily counts for the last N days,
        oldest first, N >= WINDOW_DAYS (36); NaN (or None) for a day the feed missed.
    neighbours: stream name → K sequences of N daily counts, one per neighbouring gu
        (ml.features.gu_adjacency), the same syndrome and days; K = 0 scores the gu alone.
    Only the last WINDOW_DAYS days are read.
    """

    end: date
    own: Mapping[str, Sequence[float | None]]
    neighbours: Mapping[str, Sequence[Sequence[float | None]]]


@dataclass(frozen=True)
class OutbreakScore:
    """The model's answer for one window.

    score: probability (0–1) that an outbreak is building on `end`; alarm: score > threshold.
    An alarm is a prompt for an analyst, who reviews it before anyone is notified
    (`needs_review` is always True for an alarm).
    """

    end: date
    score: float
    alarm: bool
    threshold: float

    @property
    def needs_review(self) -> bool:
        """True for an alarm: it waits for an analyst's review before it notifies anyone."""
        return self.alarm


def _as_array(values: Sequence[Any], field: str) -> np.ndarray:
    try:
        array = np.array([np.nan if v is None else v for v in values], dtype=float)
    except (TypeError, ValueError):
        raise InvalidWindow(field, "counts must be numbers or None") from None
    if array.ndim != 1:
        raise InvalidWindow(field, "expected one sequence of daily counts")
    if len(array) < WINDOW_DAYS:
        raise InvalidWindow(field, f"needs at least {WINDOW_DAYS} days, got {len(array)}")
    if np.isinf(array).any() or (array < 0).any():
        raise InvalidWindow(field, "counts must be finite and non-negative")
    return array[-WINDOW_DAYS:]


def _checked(window: SeriesWindow, streams: tuple[str, ...]) -> tuple[np.ndarray, list[np.ndarray]]:
    """(stream, WINDOW_DAYS) own counts and per stream (K, WINDOW_DAYS) neighbour counts."""
    own, near = [], []
    for stream in streams:
        if stream not in window.own:
            raise InvalidWindow(f"own.{stream}", "missing stream")
        own.append(_as_array(window.own[stream], f"own.{stream}"))
        rows = window.neighbours.get(stream, ())
        near.append(
            np.array(
                [_as_array(r, f"neighbours.{stream}[{i}]") for i, r in enumerate(rows)]
            ).reshape(len(rows), WINDOW_DAYS)
        )
    counts = {len(n) for n in near}
    if len(counts) > 1:
        raise InvalidWindow("neighbours", "every stream needs the same neighbouring gu")
    return np.stack(own), near


def window_features(
    windows: Sequence[SeriesWindow], streams: tuple[str, ...] = STREAMS
) -> np.ndarray:
    """The (len(windows), features) matrix of each window's last day (InvalidWindow if bad)."""
    if not windows:
        return np.zeros((0, len(feature_names(streams))))
    checked = [_checked(w, streams) for w in windows]
    own_columns: list[np.ndarray] = []
    near_columns: list[np.ndarray] = []
    for s, _ in enumerate(streams):
        own = stream_features(np.stack([c[0][s] for c in checked]))
        own_columns += [own[f][:, -1] for f in STREAM_FEATURES]
        sizes = [len(c[1][s]) for c in checked]
        rows = [c[1][s] if len(c[1][s]) else c[0][s][None, :] for c in checked]
        near = neighbour_inputs(stream_features(np.concatenate(rows)))
        starts = np.cumsum([0] + [max(n, 1) for n in sizes[:-1]])
        counts = np.maximum(sizes, 1)
        near_columns += [
            np.add.reduceat(near[f][:, -1], starts) / counts for f in NEIGHBOUR_FEATURES
        ]
    ends = np.array([np.datetime64(w.end, "D") for w in windows])
    calendar = day_calendar(ends)
    columns = own_columns + near_columns + [calendar[f] for f in calendar]
    return np.column_stack(columns)


def city_features(observed: SyndromicCounts) -> np.ndarray:
    """Every (gu, syndrome, day)'s features at once: (gu, syndrome, day, features).

    The same values `window_features` gives for the window ending on that day (from day
    WINDOW_DAYS − 1 on; earlier days lack history).
    """
    _, adjacency = gu_adjacency()
    own_columns: list[np.ndarray] = []
    near_columns: list[np.ndarray] = []
    for s, _ in enumerate(observed.streams):
        own = stream_features(observed.counts[s])
        own_columns += [own[f] for f in STREAM_FEATURES]
        near = neighbour_inputs(own)
        near_columns += [neighbour_mean(near[f], adjacency) for f in NEIGHBOUR_FEATURES]
    calendar = day_calendar(observed.days)
    shape = observed.counts.shape[1:]
    calendar_columns = [np.broadcast_to(calendar[f], shape) for f in calendar]
    return np.stack(own_columns + near_columns + calendar_columns, axis=-1)


def window_at(observed: SyndromicCounts, gu: int, syndrome: int, day: int) -> SeriesWindow:
    """The window the platform would hand the model for (gu, syndrome) on day index `day`.

    Requires WINDOW_DAYS − 1 <= day < number of days.
    """
    _, adjacency = gu_adjacency()
    span = slice(day - WINDOW_DAYS + 1, day + 1)
    near = np.flatnonzero(adjacency[gu])

    def listed(values: np.ndarray) -> list[float | None]:
        return [None if np.isnan(v) else float(v) for v in values]

    return SeriesWindow(
        end=observed.days[day].astype(object),
        own={s: listed(observed.counts[i, gu, syndrome, span]) for i, s in enumerate(STREAMS)},
        neighbours={
            s: [listed(observed.counts[i, n, syndrome, span]) for n in near]
            for i, s in enumerate(STREAMS)
        },
    )


class OutbreakModel:
    """A trained outbreak model ready to score windows (serving never trains)."""

    def __init__(self, booster: lightgbm.Booster, serving: Mapping[str, Any]) -> None:
        self.booster = booster
        self.threshold = float(serving["threshold"])
        self.streams = tuple(str(s) for s in serving["streams"])
        self.features = tuple(str(f) for f in serving["features"])
        if self.features != feature_names(self.streams):
            raise MLError("the stored outbreak model's features are not this code's features")

    @classmethod
    def from_stored(cls, stored: StoredModel) -> OutbreakModel:
        """The model of a registry version (its booster and serving.json)."""
        return cls(stored.booster(), stored.serving)

    @classmethod
    def from_trained(cls, trained: TrainedModel) -> OutbreakModel:
        """The model straight from `train`, before it is saved."""
        return cls(trained.booster, trained.serving)

    def score_many(self, windows: Sequence[SeriesWindow]) -> list[OutbreakScore]:
        """Score each window (InvalidWindow names the first bad part of the first bad one)."""
        matrix = window_features(windows, self.streams)
        if not len(matrix):
            return []
        scores = np.asarray(self.booster.predict(matrix), dtype=float)
        return [
            OutbreakScore(w.end, float(p), bool(p > self.threshold), self.threshold)
            for w, p in zip(windows, scores, strict=True)
        ]

    def score(self, window: SeriesWindow) -> OutbreakScore:
        """Score one window."""
        return self.score_many([window])[0]


def _rows(observed: SyndromicCounts, truth: OutbreakTruth) -> tuple[np.ndarray, np.ndarray]:
    """Training rows: features and building labels, leaving out warm-up and post-peak days.

    Days after an episode's ER peak are neither building nor quiet, so they teach nothing.
    """
    features = city_features(observed)
    shape = observed.counts.shape[1:]
    label = building_days(truth, shape)
    keep = ~episode_windows(truth, shape) | label
    keep[..., : truth.warmup_days] = False
    return features[keep], label[keep].astype(float)


def _scores(booster: lightgbm.Booster, observed: SyndromicCounts) -> np.ndarray:
    features = city_features(observed)
    flat = features.reshape(-1, features.shape[-1])
    return np.asarray(booster.predict(flat), dtype=float).reshape(features.shape[:-1])


def calibrated_threshold(
    scores: np.ndarray, windows: np.ndarray, first_day: int, false_alarms: int
) -> float:
    """The threshold at which `scores` give exactly `false_alarms` alarm days outside windows.

    scores, windows: (…, T); days before `first_day` are ignored. Alarm rule: score > threshold.
    """
    quiet_scores = np.sort(scores[..., first_day:][~windows[..., first_day:]])[::-1]
    if false_alarms >= len(quiet_scores):
        return 0.0
    return float(quiet_scores[false_alarms])


def _seeds(scale: float, seed: int) -> tuple[list[int], list[int], list[int]]:
    fit = max(1, round(FIT_CITIES * scale))
    calibration = max(1, round(CALIBRATION_CITIES * scale))
    evaluation = max(1, round(EVALUATION_CITIES * scale))
    train_side = [1000 * seed + i for i in range(fit + calibration)]
    evaluated = [EVALUATION_SEED_BASE + 1000 * seed + i for i in range(evaluation)]
    return train_side[:fit], train_side[fit:], evaluated


BASELINES = (Ears("C1"), Ears("C2"), Ears("C3"))


def train(
    *, scale: float = DEFAULT_SCALE, seed: int = 0, progress: Progress = quiet
) -> TrainedModel:
    """Train, calibrate and evaluate the outbreak model beside EARS C1, C2 and C3.

    Cities (generator draws) are fitted on seeds 1000·seed + 0…, then calibrated on the next
    seeds, and evaluated on 10,000,000 + 1000·seed + 0… (disjoint for seed < 10,000); their
    numbers grow with `scale` (FIT_CITIES, CALIBRATION_CITIES, EVALUATION_CITIES at 1.0).
    Raises InvalidScale unless 0 < scale <= 1, InvalidSeed unless 0 <= seed <= MAX_SEED.
    """
    import lightgbm  # imported to train: commands that never train stay light

    check_training(scale, seed)
    settings = OutbreakSettings()
    fit_seeds, calibration_seeds, evaluation_seeds = _seeds(scale, seed)
    steps = len(fit_seeds) + len(calibration_seeds) + len(evaluation_seeds) + 1
    done = 0

    def step(what: str) -> None:
        nonlocal done
        progress(what, done / steps)
        done += 1

    started = time.perf_counter()
    parts = []
    for i, s in enumerate(fit_seeds):
        step(f"outbreak: training city {i + 1} of {len(fit_seeds)}")
        parts.append(_rows(*generate(s, settings)))
    x = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    names = feature_names(STREAMS)
    step("outbreak: fitting LightGBM")
    booster = lightgbm.train(
        {**PARAMS, "seed": seed},
        lightgbm.Dataset(x, y, feature_name=list(names)),
        num_boost_round=ROUNDS,
    )
    fit_seconds = time.perf_counter() - started

    c2 = Ears("C2")
    warmup = settings.warmup_days
    c2_false, series_years, model_scores = 0, 0.0, []
    for i, s in enumerate(calibration_seeds):
        step(f"outbreak: calibration city {i + 1} of {len(calibration_seeds)}")
        observed, truth = generate(s, settings)
        windows = episode_windows(truth, observed.counts.shape[1:])
        false, years = false_alarm_days(c2.alarms(observed.stream("er")), windows, warmup)
        c2_false, series_years = c2_false + false, series_years + years
        model_scores.append((_scores(booster, observed), windows))
    threshold = calibrated_threshold(
        np.concatenate([m[0] for m in model_scores]),
        np.concatenate([m[1] for m in model_scores]),
        warmup,
        c2_false,
    )

    results: dict[str, list[AlarmScore]] = {}
    kept: list[tuple[np.ndarray, OutbreakTruth]] = []
    timing = {"model_seconds": 0.0, "ears_c2_seconds": 0.0, "rows": 0}
    eval_rows = 0
    for i, s in enumerate(evaluation_seeds):
        step(f"outbreak: evaluation city {i + 1} of {len(evaluation_seeds)}")
        observed, truth = generate(s, settings)
        er = observed.stream("er")
        clock = time.perf_counter()
        scores = _scores(booster, observed)
        timing["model_seconds"] += time.perf_counter() - clock
        clock = time.perf_counter()
        c2.alarms(er)
        timing["ears_c2_seconds"] += time.perf_counter() - clock
        timing["rows"] += scores.size
        eval_rows += scores[..., warmup:].size
        detectors = {"model": scores > threshold}
        for b in BASELINES:
            detectors[b.name] = b.alarms(er)
        detectors["ears_c3_h3"] = Ears("C3", threshold=3.0).alarms(er)
        for stream in ("pharmacy", "search"):
            detectors[f"ears_c2_{stream}"] = c2.alarms(observed.stream(stream))
        for name, alarms in detectors.items():
            results.setdefault(name, []).append(score_alarms(alarms, truth, warmup))
        kept.append((scores, truth))
    score = {name: pooled(parts) for name, parts in results.items()}
    # For context only (not deployable: it reads the evaluation's truth): the threshold that
    # gives exactly C2's false-alarm days on the evaluation cities, to show how much of the
    # comparison depends on the calibration carrying over from training-side cities.
    oracle = calibrated_threshold(
        np.concatenate([k[0] for k in kept]),
        np.concatenate([episode_windows(k[1], k[0].shape) for k in kept]),
        warmup,
        score["ears_c2"].false_alarm_days,
    )
    score["model_at_ears_c2_evaluation_rate"] = pooled(
        [score_alarms(k[0] > oracle, k[1], warmup) for k in kept]
    )
    progress("outbreak: done", 1.0)
    return _trained(
        booster=booster,
        threshold=threshold,
        score=score,
        settings=settings,
        seeds=(fit_seeds, calibration_seeds, evaluation_seeds),
        rows=(len(y), eval_rows),
        calibration_false_alarms=c2_false / series_years,
        timing={**timing, "fit_seconds": fit_seconds, "positives": float(y.mean())},
    )


def _trained(
    *,
    booster: lightgbm.Booster,
    threshold: float,
    score: Mapping[str, AlarmScore],
    settings: OutbreakSettings,
    seeds: tuple[list[int], list[int], list[int]],
    rows: tuple[int, int],
    calibration_false_alarms: float,
    timing: Mapping[str, float],
) -> TrainedModel:
    model, c2 = score["model"], score["ears_c2"]
    baselines = [b.name for b in BASELINES]
    earlier, paired = days_earlier(model, c2)
    earlier_by = {b: days_earlier(score[b], c2)[0] for b in baselines if b != "ears_c2"}
    comparisons = (
        Comparison(
            "sensitivity",
            model.sensitivity,
            {b: score[b].sensitivity for b in baselines},
            "≥ ears_c2",
            model.sensitivity >= c2.sensitivity,
        ),
        Comparison(
            "false alarms per series-year",
            model.false_alarms_per_year,
            {b: score[b].false_alarms_per_year for b in baselines},
            "≤ 1.25 × ears_c2 (threshold calibrated to C2's rate on training seeds)",
            model.false_alarms_per_year <= 1.25 * c2.false_alarms_per_year,
            unit="alarm days",
            higher_is_better=False,
        ),
        Comparison(
            "warning before ER peak (detected episodes)",
            model.warning_days_mean,
            {b: score[b].warning_days_mean for b in baselines},
            "more than ears_c2",
            model.warning_days_mean > c2.warning_days_mean,
            unit="days",
        ),
        Comparison(
            "first alarm earlier than ears_c2 (episodes both detected)",
            earlier,
            {**earlier_by, "ears_c2": 0.0},
            f"≥ {TARGET_DAYS_EARLIER:g} days",
            bool(earlier >= TARGET_DAYS_EARLIER),
            unit="days",
        ),
    )
    fit_seeds, calibration_seeds, evaluation_seeds = seeds
    names = feature_names(STREAMS)
    details = {
        "threshold": threshold,
        "calibration_ears_c2_false_alarms_per_year": calibration_false_alarms,
        "episodes_both_detected": paired,
        "model_at_ears_c2_evaluation_rate_note": (
            "threshold set on the evaluation cities to C2's exact false-alarm days there: "
            "context only, not deployable"
        ),
        "detectors": {
            name: {
                "sensitivity": s.sensitivity,
                "false_alarms_per_year": s.false_alarms_per_year,
                "warning_days_mean": s.warning_days_mean,
                "warning_days_median": s.warning_days_median,
                "episodes": s.episodes,
                "detected": s.detected,
                "days_earlier_than_ears_c2": days_earlier(s, c2)[0],
            }
            for name, s in score.items()
        },
        "timing": dict(timing),
        "calibration_seeds": calibration_seeds,
    }
    return TrainedModel(
        name=NAME,
        booster=booster,
        serving={
            "threshold": threshold,
            "streams": list(STREAMS),
            "syndromes": list(SYNDROMES),
            "features": list(names),
            "window_days": WINDOW_DAYS,
            "alarm_rule": "score > threshold; every alarm waits for an analyst's review",
        },
        comparisons=comparisons,
        data=DataDescription(
            generator="ml.generators.outbreaks",
            generator_version=GENERATOR_VERSION,
            settings=settings.as_dict(),
            train_seeds=(*fit_seeds, *calibration_seeds),
            eval_seeds=tuple(evaluation_seeds),
            train_rows=rows[0],
            eval_rows=rows[1],
        ),
        features=names,
        intended_use=(
            "Flag gu and syndromes where an outbreak may be building, from daily ER visits, "
            "pharmacy sales and symptom searches, for an analyst to review before anyone is "
            "notified."
        ),
        not_for=(
            "Notifying the public or acting without an analyst's review; diagnosing "
            "individuals; estimating case counts; data from other cities or feeds before it "
            "is re-validated (trained only on synthetic data from ml.generators.outbreaks)."
        ),
        details=details,
        speed=Speed(
            unit="series-days",
            fit_seconds={"model": timing["fit_seconds"], "ears_c2": 0.0},
            rows_per_second={
                "model": timing["rows"] / max(timing["model_seconds"], 1e-9),
                "ears_c2": timing["rows"] / max(timing["ears_c2_seconds"], 1e-9),
            },
        ),
    )
