"""Crime hotspots: expected incidents per ≈250 m cell and hour of the week, against KDE by PAI.

Cells of ml.hotspot_grid over Seoul (a connected sub-area of round(25 · scale) gu grown from
Jung-gu below scale 1), hours of the week (ml.features.hour_of_week), features of
ml.hotspot_features (environment, past incidents in the cell and its rings, recency, time), and
a LightGBM Poisson regression of the recorded incidents per cell-hour of the day ahead, from each
midnight (daily maps, as in Mohler et al. 2015). Data come from ml.generators.incidents: training
cities use seeds TRAIN_CITIES·seed … TRAIN_CITIES·seed + 7 and forecast each day of 5–18 May
2025 from the 12 weeks before it; evaluation cities use the disjoint seeds 10 000 + 2·seed and
10 001 + 2·seed and a later period, each day of 6–19 October 2025 (Chuseok and Hangul Day in the
first week). The baselines, fitted on the training days and scored on the same evaluation days:
kernel density maps (ml.baselines.kernel_density) of past incidents ("kde", the standard hotspot
map) and per time band ("kde_by_band"), redrawn each midnight; and, for context only, the ranking
by the generator's intensity given the incidents before each midnight ("day_ahead_truth", the
ceiling of any day-ahead map). Measured: hit rate and PAI at 5 % of the area
(ml.metrics.hotspots) on the recorded incidents, and PAI on the generator's true intensity.
Target: PAI ≥ 1.2 × the KDE's.

The model ranks places and hours; it never concerns individuals, and its maps await an analyst's
review before any patrol is allocated from them (ml.hotspot_serving).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ml.baselines.kernel_density import KernelDensityHotspots
from ml.errors import InvalidScale, check_training
from ml.features import HOURS_PER_WEEK
from ml.generators.incidents import EPOCH, GENERATOR_VERSION, IncidentSettings, generate
from ml.hotspot_features import FEATURES, HISTORY_HOURS, HISTORY_WEEKS, feature_rows
from ml.hotspot_grid import Grid, build_grid, sub_area
from ml.hotspot_serving import (
    AREA_SHARE,
    HORIZON_HOURS,
    HotspotInputInvalid,
    HotspotInputs,
    HotspotMap,
    HotspotModel,
    serving_of,
)
from ml.metrics.hotspots import HotspotScore, hotspot_score, pooled
from ml.progress import Progress, quiet
from ml.trained import Comparison, DataDescription, Speed, TrainedModel

__all__ = [
    "DEFAULT_SCALE",
    "NAME",
    "HotspotInputInvalid",
    "HotspotInputs",
    "HotspotMap",
    "HotspotModel",
    "InvalidScale",
    "train",
]

NAME = "hotspots"
DEFAULT_SCALE = 0.2
"""Five gu around Jung-gu (about 90 km², 1,443 cells)."""

TARGET_RATIO = 1.2
BURN_IN_WEEKS = 1
TARGET_WEEKS = (BURN_IN_WEEKS + HISTORY_WEEKS, BURN_IN_WEEKS + HISTORY_WEEKS + 1)
WEEKS = TARGET_WEEKS[-1] + 1
TRAIN_START = EPOCH + np.timedelta64(4 * HOURS_PER_WEEK, "h")
EVAL_START = EPOCH + np.timedelta64(26 * HOURS_PER_WEEK, "h")
TRAIN_CITIES = 8
EVAL_CITIES = 2
ZERO_ROWS = 150_000
ZERO_ROWS_PER_CELL = 100
"""About min(ZERO_ROWS, ZERO_ROWS_PER_CELL · n_cells) incident-free cell-hours are kept for
training, each weighted by the inverse of its chance of being kept (every incident is kept)."""
ROUNDS = 200
PARAMS: dict[str, Any] = {
    "objective": "poisson",
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 2000,
    "feature_fraction": 0.6,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 10.0,
    "num_threads": 1,
    "deterministic": True,
    "force_row_wise": True,
    "verbosity": -1,
}


@dataclass(frozen=True)
class Origin:
    """One day's forecast: the inputs at midnight, that day's recorded incidents `future`
    (24, n_cells), its holiday hours (24,), and the generator's day-ahead and full intensity
    (24, n_cells each) when kept for scoring."""

    inputs: HotspotInputs
    future: np.ndarray
    holiday: np.ndarray
    day_ahead: np.ndarray | None
    intensity: np.ndarray | None


def gu_for(scale: float) -> tuple[str, ...]:
    """The gu trained on at `scale` (InvalidScale unless 0 < scale ≤ 1)."""
    if not 0.0 < scale <= 1.0:
        raise InvalidScale(f"a scale is in (0, 1], not {scale}")
    return sub_area(max(1, round(25 * scale)))


def origins(grid: Grid, seed: int, start: np.datetime64, *, truth: bool) -> Iterator[Origin]:
    """Each day of the TARGET_WEEKS of the city drawn with `seed` from `start`, with its 12
    weeks before. `inputs` hold only what the platform sees; the truth (if asked) lies beside."""
    observed, true = generate(
        grid, seed=seed, weeks=WEEKS, start=start, truth_weeks=TARGET_WEEKS if truth else ()
    )
    for i, week in enumerate(TARGET_WEEKS):
        for day in range(7):
            first = week * HOURS_PER_WEEK + day * HORIZON_HOURS
            hours = slice(day * HORIZON_HOURS, (day + 1) * HORIZON_HOURS)
            yield Origin(
                HotspotInputs(
                    observed.environment,
                    observed.counts(first - HISTORY_HOURS, HISTORY_HOURS),
                    first % HOURS_PER_WEEK,
                ),
                observed.counts(first, HORIZON_HOURS).T,
                observed.holiday_hours(first, HORIZON_HOURS),
                true.day_ahead[i][:, hours].T if truth else None,
                true.intensity[i][:, hours].T if truth else None,
            )


def _rows(grid: Grid, origin: Origin) -> tuple[np.ndarray, np.ndarray]:
    inputs = origin.inputs
    hows = (inputs.next_hour_of_week + np.arange(HORIZON_HOURS)) % HOURS_PER_WEEK
    rows = feature_rows(
        grid,
        inputs.environment,
        inputs.past_counts,
        inputs.next_hour_of_week,
        hows,
        origin.holiday,
    )
    return rows, origin.future.reshape(-1).astype(float)


def train(
    *, scale: float = DEFAULT_SCALE, seed: int = 0, progress: Progress = quiet
) -> TrainedModel:
    """Train and evaluate the hotspot model at `scale` (see the module docstring).

    Raises InvalidScale unless 0 < scale ≤ 1, InvalidSeed unless 0 ≤ seed ≤ MAX_SEED.
    """
    import lightgbm  # imported to train: commands that never train stay light

    check_training(scale, seed)
    codes = gu_for(scale)
    grid = build_grid(codes)
    train_seeds = tuple(TRAIN_CITIES * seed + i for i in range(TRAIN_CITIES))
    eval_seeds = tuple(10_000 + EVAL_CITIES * seed + i for i in range(EVAL_CITIES))
    days = len(TARGET_WEEKS) * 7
    zero_rows = min(ZERO_ROWS, ZERO_ROWS_PER_CELL * grid.n_cells)
    zero_keep = min(1.0, zero_rows / (grid.n_cells * HORIZON_HOURS * days * len(train_seeds)))
    rng = np.random.default_rng(seed)
    baselines = {
        "kde": KernelDensityHotspots("all_hours", AREA_SHARE),
        "kde_by_band": KernelDensityHotspots("by_band", AREA_SHARE),
    }
    kde_fit_seconds = dict.fromkeys(baselines, 0.0)
    xs, ys, ws = [], [], []
    for i, s in enumerate(train_seeds):
        progress("drawing training cities", 0.5 * i / len(train_seeds))
        for origin in origins(grid, s, TRAIN_START, truth=False):
            for name, baseline in baselines.items():
                started = time.perf_counter()
                baseline.partial_fit(
                    grid, origin.inputs.past_counts, origin.inputs.next_hour_of_week, origin.future
                )
                kde_fit_seconds[name] += time.perf_counter() - started
            rows, label = _rows(grid, origin)
            keep = (label > 0) | (rng.random(len(label)) < zero_keep)
            xs.append(rows[keep])
            ys.append(label[keep])
            ws.append(np.where(label[keep] > 0, 1.0, 1.0 / zero_keep))
    progress("training LightGBM", 0.5)
    started = time.perf_counter()
    dataset = lightgbm.Dataset(
        np.vstack(xs),
        np.concatenate(ys),
        weight=np.concatenate(ws),
        feature_name=list(FEATURES),
        free_raw_data=True,
    )
    booster = lightgbm.train({**PARAMS, "seed": seed}, dataset, num_boost_round=ROUNDS)
    train_seconds = time.perf_counter() - started
    train_rows = int(sum(len(y) for y in ys))
    del xs, ys, ws, dataset
    serving = serving_of(codes, {"rounds": ROUNDS, "params": PARAMS})
    model = HotspotModel(booster, serving)
    names = ("model", *baselines, "day_ahead_truth")
    found: dict[str, dict[str, list[HotspotScore]]] = {
        n: {"recorded": [], "truth": []} for n in names
    }
    seconds = dict.fromkeys(names, 0.0)
    for i, s in enumerate(eval_seeds):
        progress("evaluating on later weeks of unseen cities", 0.7 + 0.3 * i / len(eval_seeds))
        for origin in origins(grid, s, EVAL_START, truth=True):
            maps = {}
            started = time.perf_counter()
            maps["model"] = model.risk_ahead(origin.inputs, HORIZON_HOURS, origin.holiday)
            seconds["model"] += time.perf_counter() - started
            for name, baseline in baselines.items():
                started = time.perf_counter()
                maps[name] = baseline.predict(
                    grid,
                    origin.inputs.past_counts,
                    origin.inputs.next_hour_of_week,
                    HORIZON_HOURS,
                )
                seconds[name] += time.perf_counter() - started
            assert origin.day_ahead is not None
            assert origin.intensity is not None
            maps["day_ahead_truth"] = origin.day_ahead
            for name, m in maps.items():
                found[name]["recorded"].append(hotspot_score(m, origin.future, AREA_SHARE))
                found[name]["truth"].append(hotspot_score(m, origin.intensity, AREA_SHARE))
    scores = {n: {k: pooled(v) for k, v in f.items()} for n, f in found.items()}
    predicted_cell_hours = len(eval_seeds) * days * HORIZON_HOURS * grid.n_cells
    details: dict[str, Any] = {
        "scores": {n: {k: asdict(v) for k, v in f.items()} for n, f in scores.items()},
        "kde_bandwidth_m": {n: b.bandwidth_m_ for n, b in baselines.items()},
        "kde_history_weeks": {n: b.history_weeks_ for n, b in baselines.items()},
        "train_seconds": train_seconds,
        "kde_fit_seconds": kde_fit_seconds,
        "cell_hours_per_second": {
            n: predicted_cell_hours / max(t, 1e-9) for n, t in seconds.items() if t > 0
        },
        "n_cells": grid.n_cells,
        "area_km2": grid.n_cells * grid.cell_km2,
        "zero_keep": zero_keep,
        "eval_incidents": scores["model"]["recorded"].total,
        "day_ahead_truth": (
            "ranking by the generator's intensity given the incidents before each midnight: "
            "the best any day-ahead map can do in expectation"
        ),
    }
    progress("done", 1.0)
    return TrainedModel(
        name=NAME,
        booster=booster,
        serving=serving,
        comparisons=_comparisons(scores),
        data=DataDescription(
            generator="ml.generators.incidents",
            generator_version=GENERATOR_VERSION,
            settings={
                "scale": scale,
                "gu_codes": list(codes),
                "n_cells": grid.n_cells,
                "cell_m": grid.cell_m,
                "history_weeks": HISTORY_WEEKS,
                "horizon_hours": HORIZON_HOURS,
                "train_from": str(TRAIN_START + np.timedelta64(TARGET_WEEKS[0] * 168, "h")),
                "eval_from": str(EVAL_START + np.timedelta64(TARGET_WEEKS[0] * 168, "h")),
                "days_per_city": days,
                **IncidentSettings().as_dict(),
            },
            train_seeds=train_seeds,
            eval_seeds=eval_seeds,
            train_rows=train_rows,
            eval_rows=predicted_cell_hours,
        ),
        features=FEATURES,
        intended_use=INTENDED_USE,
        not_for=NOT_FOR,
        details=details,
        speed=Speed(
            unit="cell-hours",
            fit_seconds={"model": train_seconds, **kde_fit_seconds},
            rows_per_second={n: details["cell_hours_per_second"][n] for n in ("model", *baselines)},
        ),
    )


INTENDED_USE = (
    "Ranking ≈250 m cells of Seoul by expected street incidents for each hour of the day "
    "ahead, from environmental risk factors (lighting, foot traffic, distance to nightlife and "
    "transit) and counts of past recorded incidents per place, to help analysts plan patrols "
    "and prevention; every patrol allocation built on a map waits for an analyst's review."
)
NOT_FOR = (
    "Anything about individuals: it predicts places and hours, never people, and must not be "
    "used to identify, score or stop persons, or to single out groups; nor to allocate patrols "
    "without an analyst's review; nor to read its maps as measured crime (it learns recorded "
    "incidents, which are under-reported unevenly across places); nor on real data before it "
    "has been validated there (it is trained on a generator)."
)


def _comparisons(scores: dict[str, dict[str, HotspotScore]]) -> tuple[Comparison, ...]:
    out = []
    for metric, key, which, unit in (
        ("PAI at 5 % of the area (recorded incidents)", "pai", "recorded", ""),
        ("hit rate at 5 % of the area (recorded incidents)", "hit_rate", "recorded", "share"),
        ("PAI at 5 % of the area (true intensity)", "pai", "truth", ""),
    ):
        model = float(getattr(scores["model"][which], key))
        kde = float(getattr(scores["kde"][which], key))
        out.append(
            Comparison(
                metric=metric,
                model=model,
                baselines={
                    b: float(getattr(scores[b][which], key))
                    for b in ("kde", "kde_by_band", "day_ahead_truth")
                },
                target=f"≥ {TARGET_RATIO} × kde",
                met=model >= TARGET_RATIO * kde,
                unit=unit,
            )
        )
    return tuple(out)
