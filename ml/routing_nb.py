"""What the words of a complaint say about its department: multinomial naive Bayes on hashed
character n-grams, whose log-posteriors the routing booster reads beside the context.

Multinomial naive Bayes with additive (Lidstone) smoothing, as in Manning, Raghavan & Schütze,
"Introduction to Information Retrieval" (2008), §13.2, fitted on the L2-normalised features of
`ml.routing_text` (fractional counts, as scikit-learn's MultinomialNB accepts). One pass over the
data (a sparse product), so a year of Seoul's complaints fits in seconds; its probabilities are
over-confident, which does not matter here: the booster re-weighs them. Columns seen less than
`min_count` times in training count as unseen, which keeps the stored model small.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class TextNaiveBayes:
    """A fitted scorer: per-class log prior, and per-class log probability of each kept column
    (`columns`, sorted) and of any other column (`unseen`)."""

    log_prior: np.ndarray  # (K,)
    columns: np.ndarray  # (m,) int64, sorted
    log_prob: np.ndarray  # (K, m) float32
    unseen: np.ndarray  # (K,)

    @classmethod
    def fit(
        cls,
        x: sp.csr_matrix,
        y: np.ndarray,
        n_classes: int,
        *,
        alpha: float = 0.01,
        min_count: int = 3,
    ) -> TextNaiveBayes:
        """Fit on features x (n × width) and class indices y (n,) in [0, n_classes).

        Requires n >= 1 and alpha > 0.
        """
        onehot = sp.csr_matrix(
            (np.ones(len(y), dtype=np.float32), (y, np.arange(len(y)))),
            shape=(n_classes, len(y)),
        )
        counts = (onehot @ x).tocsc()  # (K, width)
        seen = np.diff(counts.indptr) > 0
        occurrences = np.diff(x.tocsc().indptr) if min_count > 1 else None
        keep = seen if occurrences is None else seen & (occurrences >= min_count)
        columns = np.flatnonzero(keep)
        kept = counts[:, columns].toarray().astype(np.float64)
        totals = np.asarray(counts.sum(axis=1)).ravel()
        denominator = totals + alpha * x.shape[1]
        log_prob = np.log(kept + alpha) - np.log(denominator)[:, None]
        unseen = np.log(alpha) - np.log(denominator)
        class_counts = np.bincount(y, minlength=n_classes).astype(np.float64)
        log_prior = np.log((class_counts + 1) / (class_counts.sum() + n_classes))
        # Rounded as stored (as_dict), so a loaded model scores exactly as the fitted one.
        return cls(
            np.round(log_prior, 6),
            columns.astype(np.int64),
            np.round(log_prob, 4).astype(np.float32),
            np.round(unseen, 6),
        )

    def log_posterior(self, x: sp.csr_matrix) -> np.ndarray:
        """Each row's log P(class | text) under the model, (n × K), rows summing to 1 in exp."""
        rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
        position = np.searchsorted(self.columns, x.indices)
        position = np.minimum(position, max(len(self.columns) - 1, 0))
        known = (
            self.columns[position] == x.indices if len(self.columns) else np.zeros(0, dtype=bool)
        )
        data = x.data.astype(np.float64)
        joint = np.tile(self.log_prior, (x.shape[0], 1))
        # Unseen columns: each class's constant times the row's mass there.
        unseen_mass = np.bincount(rows[~known], weights=data[~known], minlength=x.shape[0])
        joint += unseen_mass[:, None] * self.unseen[None, :]
        known_x = sp.csr_matrix(
            (data[known], (rows[known], position[known])), shape=(x.shape[0], len(self.columns))
        )
        joint += np.asarray(known_x @ self.log_prob.T.astype(np.float64))
        joint -= joint.max(axis=1, keepdims=True)
        result: np.ndarray = joint - np.log(np.exp(joint).sum(axis=1, keepdims=True))
        return result

    def as_dict(self) -> dict[str, Any]:
        """The fitted state as JSON-able values (log probabilities to 4 decimals)."""
        return {
            "log_prior": [round(float(v), 6) for v in self.log_prior],
            "columns": self.columns.tolist(),
            "log_prob": np.round(self.log_prob.astype(np.float64), 4).tolist(),
            "unseen": [round(float(v), 6) for v in self.unseen],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TextNaiveBayes:
        """The state stored by `as_dict`."""
        return cls(
            np.array(data["log_prior"], dtype=np.float64),
            np.array(data["columns"], dtype=np.int64),
            np.array(data["log_prob"], dtype=np.float32).reshape(len(data["log_prior"]), -1),
            np.array(data["unseen"], dtype=np.float64),
        )
