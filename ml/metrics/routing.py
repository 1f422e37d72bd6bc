"""Routing metrics: accuracy, macro-F1, the confusion matrix and the review rule's effect.

Macro-F1 is the unweighted mean over departments of each department's F1 (the harmonic mean of
its precision and recall), as scikit-learn's `f1_score(average="macro")`; a department never
predicted nor present counts 0 and is left out of the mean only when it is in neither.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def confusion(truth: np.ndarray, predicted: np.ndarray, k: int) -> np.ndarray:
    """Counts (k × k): row = true class index, column = predicted class index."""
    return np.bincount(truth * k + predicted, minlength=k * k).reshape(k, k)


def per_class_f1(matrix: np.ndarray) -> np.ndarray:
    """Each class's F1 from a confusion matrix (k,); NaN for a class in neither row nor column."""
    tp = np.diag(matrix).astype(float)
    support = matrix.sum(axis=1)
    predicted = matrix.sum(axis=0)
    denominator = support + predicted
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, 2 * tp / denominator, np.nan)


def macro_f1(matrix: np.ndarray) -> float:
    """The unweighted mean F1 over classes present in truth or prediction."""
    f1 = per_class_f1(matrix)
    return float(np.nanmean(f1)) if np.isfinite(f1).any() else 0.0


@dataclass(frozen=True)
class ReviewEffect:
    """What a confidence threshold does: the share sent to an analyst, and the accuracy of the
    routings kept (`confident_accuracy`) and of those sent (`reviewed_accuracy`, NaN if none)."""

    threshold: float
    review_share: float
    confident_accuracy: float
    reviewed_accuracy: float


def review_effect(correct: np.ndarray, confidence: np.ndarray, threshold: float) -> ReviewEffect:
    """The effect of sending every routing with confidence < threshold to review.

    `correct` and `confidence` are (n,) arrays, n >= 1.
    """
    review = confidence < threshold
    kept = ~review
    return ReviewEffect(
        threshold=float(threshold),
        review_share=float(review.mean()),
        confident_accuracy=float(correct[kept].mean()) if kept.any() else float("nan"),
        reviewed_accuracy=float(correct[review].mean()) if review.any() else float("nan"),
    )


def threshold_for_share(confidence: np.ndarray, share: float) -> float:
    """The confidence below which about `share` (0–1) of these routings fall (their quantile)."""
    return float(np.quantile(confidence, share)) if len(confidence) else 0.0
