"""Complaint routing: which city department a complaint goes to, with a confidence.

Two stages. The words: hashed character n-grams (`ml.routing_text`) scored by multinomial naive
Bayes (`ml.routing_nb`), one log-posterior per department. The context: channel, gu, hour and
the Korean calendar (`ml.routing_context`). A LightGBM multiclass booster reads both, so where
the words cannot tell (a puddle on the road: a flood or a sunken road?) the season, hour, gu or
channel decide. The naive Bayes scores the booster learns from are out-of-fold (two folds), so
the booster never sees words scored by a model that had seen them.

The review rule: a routing whose confidence (the booster's probability of its department) is
below `threshold` goes to an analyst (`ml.review`). The threshold is the REVIEW_SHARE quantile of
the confidences on a held-out tenth of the training draw (never the evaluation draw), so about
6 % of complaints go to review, Seoul's share corrected by hand; the run reports the share and
the accuracy of the rest on the evaluation draw.

Seeds, for `train(seed=s)`: training draws seed 2·s, evaluation draws seed 10 000 + s (disjoint
for every s ≥ 0). Training is on the recorded (noisy) departments, as the city has them; the
evaluation reads only text, channel, gu and time, and is scored against the generator's true
department afterwards (and against the recorded one, reported beside it).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from ml.errors import InvalidScale, MLError, RegistryDamaged, check_training
from ml.metrics.routing import (
    confusion,
    macro_f1,
    per_class_f1,
    review_effect,
    threshold_for_share,
)
from ml.progress import Progress, quiet
from ml.registry import StoredModel
from ml.routing_context import CATEGORICAL, CONTEXT_FEATURES, context_matrix
from ml.routing_nb import TextNaiveBayes
from ml.routing_text import TextHashing
from ml.trained import Comparison, DataDescription, Speed, TrainedModel
from seeds.complaints import (
    CHANNELS,
    GENERATOR_VERSION,
    ComplaintTruth,
    Settings,
    count_at,
    generate,
    owning_departments,
)
from seeds.gu_codes import english_names

if TYPE_CHECKING:
    import lightgbm

NAME = "routing"
DEFAULT_SCALE = 0.02
"""24,000 complaints (a 50th of Seoul's year); the words' accuracy is near its ceiling by then."""
REVIEW_SHARE = 0.06
"""Seoul's share of complaints whose routing is corrected by hand: the share sent to review."""
TARGET_ACCURACY = 0.94
TARGET_F1_MARGIN = 0.02
VALIDATION_SHARE = 0.1
PARAMS: dict[str, Any] = {
    "objective": "multiclass",
    "learning_rate": 0.1,
    "num_leaves": 31,
    "min_data_in_leaf": 40,
    "lambda_l2": 1.0,
    "max_bin": 63,
    "max_cat_to_onehot": 4,
    "cat_smooth": 10.0,
    "num_threads": 1,
    "deterministic": True,
    "force_col_wise": True,
    "verbose": -1,
}
SMALL_BATCH = 16
"""Up to this many complaints are scored one by one without sparse matrices (same figures)."""
MAX_ROUNDS = 400
BOOSTER_ROWS = 250_000
"""The booster fits on at most this many complaints (naive Bayes on all): its 18 features need
far fewer rows than the words, and a year's 1.2 million took minutes a round here."""
EARLY_STOPPING = 20


class InvalidComplaint(MLError):
    """A complaint the model cannot route (a time without a zone, lists of unequal length);
    `field` names the culprit."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Routing:
    """Where one complaint goes: a department code (graph/data/departments.csv), the model's
    probability of it (0–1), the runner-up and its probability, and whether it waits for an
    analyst (`confidence` below the stored threshold)."""

    department: str
    confidence: float
    runner_up: str
    runner_up_confidence: float
    needs_review: bool


def _utc(at: datetime | np.datetime64) -> np.datetime64:
    if isinstance(at, datetime):
        if at.tzinfo is None:
            raise InvalidComplaint("the filing time needs a time zone", "at")
        return np.datetime64(at.astimezone(UTC).replace(tzinfo=None), "s")
    converted: np.datetime64 = at.astype("datetime64[s]")
    return converted


class RoutingModel:
    """A trained router: `route` one complaint, `route_batch` many, `probabilities` for all
    departments. Loaded from the registry; never trains."""

    def __init__(self, booster: lightgbm.Booster, serving: dict[str, Any]) -> None:
        try:
            self.departments: tuple[str, ...] = tuple(serving["departments"])
            self.channels: tuple[str, ...] = tuple(serving["channels"])
            self.districts: tuple[str, ...] = tuple(serving["districts"])
            self.threshold = float(serving["threshold"])
            self.hashing = TextHashing.from_dict(serving["text_hashing"])
            self.words = TextNaiveBayes.from_dict(serving["naive_bayes"])
        except (KeyError, TypeError, ValueError) as error:
            raise RegistryDamaged(f"routing serving data: {error!r}") from None
        self.booster = booster

    @classmethod
    def from_stored(cls, stored: StoredModel) -> RoutingModel:
        """The router of a registry version (RegistryDamaged if its files do not fit)."""
        return cls(stored.booster(), stored.serving)

    def probabilities(
        self,
        texts: Sequence[str],
        channels: Sequence[str] | np.ndarray,
        district_codes: Sequence[str] | np.ndarray,
        at: Sequence[datetime] | np.ndarray,
    ) -> np.ndarray:
        """Each complaint's probability of each department (n × len(departments)).

        `at` holds zone-aware datetimes or datetime64 in UTC. Raises UnknownChannel,
        UnknownDistrict (ml.routing_context) or InvalidComplaint.
        """
        n = len(texts)
        if not len(channels) == len(district_codes) == len(at) == n:
            raise InvalidComplaint("texts, channels, districts and times differ in length", "at")
        times = (
            at.astype("datetime64[s]")
            if isinstance(at, np.ndarray)
            else np.array([_utc(t) for t in at], dtype="datetime64[s]")
        )
        context = context_matrix(
            np.asarray(channels, dtype=object),
            np.asarray(district_codes, dtype=object),
            times,
            channels=self.channels,
            districts=self.districts,
        )
        if n <= SMALL_BATCH:  # a filing or a few: no sparse matrices, ~1 ms less a complaint
            words = np.array([self.words.log_posterior_row(*self.hashing.row(t)) for t in texts])
            features = np.hstack([words.reshape(n, -1), context])
        else:
            features = _features(self.words, self.hashing.transform(texts), context)
        threads = 1 if n < 1000 else 2
        result = np.asarray(self.booster.predict(features, num_threads=threads))
        return result.reshape(n, len(self.departments))

    def route_batch(
        self,
        texts: Sequence[str],
        channels: Sequence[str],
        district_codes: Sequence[str],
        at: Sequence[datetime] | np.ndarray,
    ) -> list[Routing]:
        """The routing of each complaint, in order (see `probabilities` for inputs and errors)."""
        proba = self.probabilities(texts, channels, district_codes, at)
        order = np.argsort(-proba, axis=1, kind="stable")[:, :2]
        return [
            Routing(
                department=self.departments[first],
                confidence=float(p[first]),
                runner_up=self.departments[second],
                runner_up_confidence=float(p[second]),
                needs_review=bool(p[first] < self.threshold),
            )
            for p, (first, second) in zip(proba, order, strict=True)
        ]

    def route(self, text: str, channel: str, district_code: str, at: datetime) -> Routing:
        """Where one complaint goes: `text` as filed (Korean or English), `channel` one of
        seeds.complaints.CHANNELS, `district_code` a gu code ("11680"), `at` zone-aware."""
        return self.route_batch([text], [channel], [district_code], [at])[0]


def _features(words: TextNaiveBayes, x: Any, context: np.ndarray) -> np.ndarray:
    return np.hstack([words.log_posterior(x), context])


def _feature_names(departments: tuple[str, ...]) -> list[str]:
    return [f"words_{d}" for d in departments] + list(CONTEXT_FEATURES)


def seeds_of(seed: int) -> tuple[int, int]:
    """The training and evaluation draws' seeds for `train(seed=seed)`: 2·seed and 10 000 +
    seed, disjoint for every seed in 0..4999 (training seeds are even and below 10 000)."""
    return 2 * seed, 10_000 + seed


def _ceilings(truth: ComplaintTruth, truth_idx: np.ndarray) -> dict[str, float]:
    """The generator's ceilings: the Bayes router's accuracy and macro-F1 given everything
    observable, and given the words alone (each topic's department shares, context averaged)."""
    k = len(truth.departments)
    words_posterior = np.empty_like(truth.posterior)
    for topic in np.unique(truth.topic):
        rows = truth.topic == topic
        words_posterior[rows] = truth.posterior[rows].mean(axis=0)
    bayes = truth.posterior.argmax(axis=1)
    words_bayes = words_posterior.argmax(axis=1)
    return {
        "ceiling_accuracy": truth.ceiling(),
        "ceiling_accuracy_recorded": truth.recorded_ceiling(),
        "ceiling_macro_f1": macro_f1(confusion(truth_idx, bayes, k)),
        "ceiling_words_only_accuracy": float(words_posterior.max(axis=1).mean()),
        "ceiling_words_only_macro_f1": macro_f1(confusion(truth_idx, words_bayes, k)),
        "ceiling_ambiguous": float(truth.posterior[truth.ambiguous].max(axis=1).mean())
        if truth.ambiguous.any()
        else float("nan"),
    }


def _scores(
    proba: np.ndarray, truth_idx: np.ndarray, recorded_idx: np.ndarray, k: int
) -> dict[str, Any]:
    predicted = proba.argmax(axis=1)
    matrix = confusion(truth_idx, predicted, k)
    return {
        "accuracy": float((predicted == truth_idx).mean()),
        "accuracy_recorded": float((predicted == recorded_idx).mean()),
        "macro_f1": macro_f1(matrix),
        "per_class_f1": [round(float(v), 4) for v in per_class_f1(matrix)],
        "confusion": matrix.tolist(),
        "predicted": predicted,
        "confidence": proba.max(axis=1),
    }


def _round(value: float) -> float:
    return round(float(value), 4)


MIN_COMPLAINTS = 1_000
"""The fewest training complaints routing trains on (each department needs examples in both
naive Bayes folds and in the held-out tenth)."""


def train(
    *, scale: float = DEFAULT_SCALE, seed: int = 0, progress: Progress = quiet
) -> TrainedModel:
    """Train the router on a year of complaints at `scale` and compare it with the baseline.

    `scale` in (0, 1]: 1.2 million × scale training complaints; the evaluation draw is a quarter
    of that, at least 15,000 (or as many as for training, if fewer) and at most 300,000.
    Raises InvalidScale, InvalidSeed.
    """
    import lightgbm  # imported to train: commands that never train stay light

    from ml.baselines.tfidf_logreg import TfidfLogReg  # scikit-learn: ~1.7 s to import

    check_training(scale, seed)
    if count_at(scale) < MIN_COMPLAINTS:
        raise InvalidScale(
            f"scale {scale:g} is {count_at(scale):,} complaints: routing needs at least "
            f"{MIN_COMPLAINTS:,} (scale ≥ {MIN_COMPLAINTS / count_at(1.0):.5f})"
        )
    settings = Settings()
    eval_scale = min(max(scale / 4, min(scale, 0.0125)), 0.25)
    train_seed, eval_seed = seeds_of(seed)
    labels = owning_departments()
    k = len(labels)
    districts = tuple(sorted(english_names()))
    timings: dict[str, float] = {}

    progress("generating complaints", 0.0)
    started = time.perf_counter()
    observed, _ = generate(scale, train_seed, settings)
    evaluation, truth = generate(eval_scale, eval_seed, settings)
    timings["generate_s"] = time.perf_counter() - started
    y = _indices(observed.department, labels)
    n = len(observed)
    rng = np.random.default_rng([seed, 0x2073])
    validation = rng.random(n) < VALIDATION_SHARE
    fold = rng.integers(0, 2, n)

    progress("hashing the words", 0.15)
    started = time.perf_counter()
    cpu_started = time.process_time()
    hashing = TextHashing()
    x = hashing.transform(observed.text)
    timings["hash_s"] = time.perf_counter() - started
    progress("naive Bayes on the words (two folds)", 0.3)
    started = time.perf_counter()
    # One pass over the entries gives both folds' counts (fold f's classes are f·k + class).
    width = x.shape[1]
    counts = TextNaiveBayes.counts(x, y + k * fold, 2 * k).reshape(2, k, width)
    entry_fold = np.repeat(fold, np.diff(x.indptr))
    occurrences = np.bincount(entry_fold * width + x.indices, minlength=2 * width).reshape(2, width)
    class_rows = np.bincount(y + k * fold, minlength=2 * k).reshape(2, k)
    words_oof = np.empty((n, k))
    for f in (0, 1):  # each fold scored by the model of the other
        other = TextNaiveBayes.from_counts(counts[1 - f], occurrences[1 - f], class_rows[1 - f])
        words_oof[fold == f] = other.log_posterior(x)[fold == f]
    words = TextNaiveBayes.from_counts(
        counts.sum(axis=0), occurrences.sum(axis=0), class_rows.sum(axis=0)
    )
    del counts, entry_fold, occurrences
    timings["naive_bayes_s"] = time.perf_counter() - started
    started = time.perf_counter()
    context = context_matrix(
        observed.channel,
        observed.district_code,
        observed.at,
        channels=CHANNELS,
        districts=districts,
    )
    features = np.hstack([words_oof, context])
    timings["context_s"] = time.perf_counter() - started

    progress("training LightGBM", 0.4)
    started = time.perf_counter()
    names = _feature_names(labels)
    fit_rows, val_rows = ~validation, validation
    booster_rows = fit_rows.copy()
    if booster_rows.sum() > BOOSTER_ROWS:
        chosen = rng.choice(np.flatnonzero(booster_rows), BOOSTER_ROWS, replace=False)
        booster_rows[:] = False
        booster_rows[chosen] = True
    train_set = lightgbm.Dataset(
        features[fit_rows],
        y[fit_rows],
        feature_name=names,
        categorical_feature=list(CATEGORICAL),
        free_raw_data=True,
    )
    val_set = lightgbm.Dataset(features[val_rows], y[val_rows], reference=train_set)
    booster = lightgbm.train(
        {**PARAMS, "num_class": k, "seed": seed},
        train_set,
        num_boost_round=MAX_ROUNDS,
        valid_sets=[val_set],
        callbacks=[lightgbm.early_stopping(EARLY_STOPPING, verbose=False)],
    )
    val_confidence = np.asarray(
        booster.predict(features[val_rows], num_iteration=booster.best_iteration)
    ).max(axis=1)
    threshold = threshold_for_share(val_confidence, REVIEW_SHARE)
    timings["lightgbm_s"] = time.perf_counter() - started
    timings["model_train_cpu_s"] = time.process_time() - cpu_started
    timings["model_train_s"] = sum(
        timings[key] for key in ("hash_s", "naive_bayes_s", "context_s", "lightgbm_s")
    )
    serving = {
        "departments": list(labels),
        "channels": list(CHANNELS),
        "districts": list(districts),
        "threshold": threshold,
        "review_share_target": REVIEW_SHARE,
        "text_hashing": hashing.as_dict(),
        "naive_bayes": words.as_dict(),
        "features": names,
        "generator_version": GENERATOR_VERSION,
    }
    # Serving reads the booster as saved: keep only the rounds early stopping chose.
    booster = lightgbm.Booster(
        model_str=booster.model_to_string(num_iteration=booster.best_iteration)
    )
    model = RoutingModel(booster, serving)

    progress("training the TF-IDF baseline", 0.6)
    started = time.perf_counter()
    baseline = TfidfLogReg(random_state=seed).fit(
        [observed.text[i] for i in np.flatnonzero(fit_rows)], y[fit_rows], k
    )
    baseline_val = baseline.predict_proba([observed.text[i] for i in np.flatnonzero(val_rows)]).max(
        axis=1
    )
    baseline_threshold = threshold_for_share(baseline_val, REVIEW_SHARE)
    timings["baseline_train_s"] = time.perf_counter() - started

    progress("evaluating", 0.8)
    truth_idx = _indices(truth.department, labels)
    recorded_idx = _indices(evaluation.department, labels)
    started = time.perf_counter()
    proba = model.probabilities(
        evaluation.text, evaluation.channel, evaluation.district_code, evaluation.at
    )
    timings["model_eval_s"] = time.perf_counter() - started
    words_only = words.log_posterior(hashing.transform(evaluation.text))
    started = time.perf_counter()
    base_proba = baseline.predict_proba(evaluation.text)
    timings["baseline_eval_s"] = time.perf_counter() - started
    ours = _scores(proba, truth_idx, recorded_idx, k)
    base = _scores(base_proba, truth_idx, recorded_idx, k)
    words_scores = _scores(np.exp(words_only), truth_idx, recorded_idx, k)
    review = review_effect(ours["predicted"] == truth_idx, ours["confidence"], threshold)
    base_review = review_effect(
        base["predicted"] == truth_idx, base["confidence"], baseline_threshold
    )
    ceilings = _ceilings(truth, truth_idx)
    amb = truth.ambiguous
    details: dict[str, Any] = {
        "departments": list(labels),
        **{key: _round(v) for key, v in ceilings.items()},
        "ambiguous_share": _round(amb.mean()),
        "mislabelled_share_eval": _round(truth.mislabelled.mean()),
        "english_share_eval": _round(truth.english.mean()),
        "model": {
            "accuracy": _round(ours["accuracy"]),
            "accuracy_recorded": _round(ours["accuracy_recorded"]),
            "macro_f1": _round(ours["macro_f1"]),
            "accuracy_ambiguous": _round((ours["predicted"] == truth_idx)[amb].mean()),
            "per_class_f1": ours["per_class_f1"],
            "confusion": ours["confusion"],
            "review": {key: _round(v) for key, v in review.__dict__.items()},
        },
        "words_only_stage": {
            "accuracy": _round(words_scores["accuracy"]),
            "macro_f1": _round(words_scores["macro_f1"]),
        },
        "tfidf_logreg": {
            "accuracy": _round(base["accuracy"]),
            "accuracy_recorded": _round(base["accuracy_recorded"]),
            "macro_f1": _round(base["macro_f1"]),
            "accuracy_ambiguous": _round((base["predicted"] == truth_idx)[amb].mean()),
            "per_class_f1": base["per_class_f1"],
            "confusion": base["confusion"],
            "review": {key: _round(v) for key, v in base_review.__dict__.items()},
        },
        "boosting_rounds": int(booster.current_iteration()),
        "timings_s": {key: round(v, 2) for key, v in timings.items()},
    }
    comparisons = (
        Comparison(
            "accuracy",
            ours["accuracy"],
            {"tfidf_logreg": base["accuracy"], "generator_ceiling": ceilings["ceiling_accuracy"]},
            f"≥ {TARGET_ACCURACY} (generator's ceiling {ceilings['ceiling_accuracy']:.3f})",
            ours["accuracy"] >= TARGET_ACCURACY,
        ),
        Comparison(
            "macro_f1",
            ours["macro_f1"],
            {"tfidf_logreg": base["macro_f1"]},
            f"≥ tfidf_logreg + {TARGET_F1_MARGIN}",
            ours["macro_f1"] >= base["macro_f1"] + TARGET_F1_MARGIN,
        ),
        Comparison(
            "review_share",
            review.review_share,
            {"tfidf_logreg": base_review.review_share},
            f"≈ {REVIEW_SHARE} (Seoul's share corrected by hand), within 0.02",
            abs(review.review_share - REVIEW_SHARE) <= 0.02,
            higher_is_better=False,
        ),
        Comparison(
            "confident_accuracy",
            review.confident_accuracy,
            {"tfidf_logreg": base_review.confident_accuracy},
            "≥ tfidf_logreg at the same review share",
            review.confident_accuracy >= base_review.confident_accuracy,
        ),
    )
    progress("done", 1.0)
    return TrainedModel(
        name=NAME,
        booster=booster,
        serving=serving,
        comparisons=comparisons,
        data=DataDescription(
            generator="seeds.complaints",
            generator_version=GENERATOR_VERSION,
            settings={**settings.as_dict(), "scale": scale, "eval_scale": eval_scale},
            train_seeds=(train_seed,),
            eval_seeds=(eval_seed,),
            train_rows=n,
            eval_rows=len(evaluation),
        ),
        features=tuple(["words (hashed character 1–3-grams → naive Bayes log-posteriors)", *names]),
        intended_use=(
            "Proposing the responsible city department for a complaint filed by 120 Dasan, the "
            "응답소 web form or the smart complaint app, from its text, channel, gu and time; "
            "routings below the confidence threshold wait for an analyst (ml.review)."
        ),
        not_for=(
            "Deciding a complaint's priority or merit, judging the person who filed it, routing "
            "to gu offices or to departments that own no service, or any text other than a "
            "Seoul complaint; its figures come from synthetic complaints, not Seoul's records."
        ),
        details=details,
        speed=Speed(
            unit="complaints",
            fit_seconds={
                "model": timings["model_train_s"],
                "tfidf_logreg": timings["baseline_train_s"],
            },
            rows_per_second={
                "model": len(evaluation.text) / timings["model_eval_s"],
                "tfidf_logreg": len(evaluation.text) / timings["baseline_eval_s"],
            },
        ),
    )


def _indices(values: np.ndarray, labels: tuple[str, ...]) -> np.ndarray:
    position = {v: i for i, v in enumerate(labels)}
    return np.fromiter((position[v] for v in values.tolist()), dtype=np.int64, count=len(values))
