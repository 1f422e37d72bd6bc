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
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp

_ROWS = 131_072
"""Rows handled at once (bounds the memory of fitting and scoring a year of complaints)."""


@dataclass(frozen=True)
class TextNaiveBayes:
    """A fitted scorer: per-class log prior, and per-class log probability of each kept column
    (`columns`, sorted) and of any other column (`unseen`)."""

    log_prior: np.ndarray  # (K,)
    columns: np.ndarray  # (m,) int64, sorted
    log_prob: np.ndarray  # (K, m) float32
    unseen: np.ndarray  # (K,)

    @staticmethod
    def counts(x: sp.csr_matrix, y: np.ndarray, n_classes: int) -> np.ndarray:
        """Each class's summed feature values (n_classes × width), in one pass over x's entries.

        Counts of disjoint row sets add up, so folds share one pass (`from_counts`).
        """
        flat = np.zeros(n_classes * x.shape[1])
        for start in range(0, x.shape[0], _ROWS):  # in blocks: a year's entries are ~130 M
            part = x[start : start + _ROWS]
            rows = np.repeat(y[start : start + _ROWS].astype(np.int64), np.diff(part.indptr))
            flat += np.bincount(
                rows * x.shape[1] + part.indices,
                weights=part.data,
                minlength=n_classes * x.shape[1],
            )
        return flat.reshape(n_classes, x.shape[1])

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
        occurrences = np.bincount(x.indices, minlength=x.shape[1])
        class_rows = np.bincount(y, minlength=n_classes)
        return cls.from_counts(
            cls.counts(x, y, n_classes), occurrences, class_rows, alpha=alpha, min_count=min_count
        )

    @classmethod
    def from_counts(
        cls,
        counts: np.ndarray,
        occurrences: np.ndarray,
        class_rows: np.ndarray,
        *,
        alpha: float = 0.01,
        min_count: int = 3,
    ) -> TextNaiveBayes:
        """The model of `counts` (K × width, from `counts`), each column's number of rows with
        it (`occurrences`, width) and each class's number of rows (`class_rows`, K)."""
        k, width = counts.shape
        keep = (counts.sum(axis=0) > 0) & (occurrences >= min_count)
        columns = np.flatnonzero(keep)
        totals = counts.sum(axis=1)
        denominator = totals + alpha * width
        log_prob = np.log(counts[:, columns] + alpha) - np.log(denominator)[:, None]
        unseen = np.log(alpha) - np.log(denominator)
        class_counts = class_rows.astype(np.float64)
        log_prior = np.log((class_counts + 1) / (class_counts.sum() + k))
        # Rounded as stored (as_dict), so a loaded model scores exactly as the fitted one.
        return cls(
            np.round(log_prior, 6),
            columns.astype(np.int64),
            np.round(log_prob, 4).astype(np.float32),
            np.round(unseen, 6),
        )

    @cached_property
    def _lookup(self) -> np.ndarray:
        """Column → position in `columns`, or -1 (a dense table up to the last kept column)."""
        table = np.full(int(self.columns.max()) + 1 if len(self.columns) else 1, -1, np.int64)
        table[self.columns] = np.arange(len(self.columns))
        return table

    def log_posterior(self, x: sp.csr_matrix) -> np.ndarray:
        """Each row's log P(class | text) under the model, (n × K), rows summing to 1 in exp."""
        if x.shape[0] > _ROWS:
            return np.vstack(
                [self.log_posterior(x[i : i + _ROWS]) for i in range(0, x.shape[0], _ROWS)]
            )
        lookup = self._lookup
        inside = x.indices < len(lookup)
        position = np.where(inside, lookup[np.where(inside, x.indices, 0)], -1)
        known = position >= 0
        rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
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

    def log_posterior_row(self, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
        """`log_posterior` of one row given as its columns and values (TextHashing.row), (K,)."""
        lookup = self._lookup
        inside = columns < len(lookup)
        position = np.where(inside, lookup[np.where(inside, columns, 0)], -1)
        known = position >= 0
        data = values.astype(np.float64)
        joint = self.log_prior + data[~known].sum() * self.unseen
        joint = joint + self.log_prob[:, position[known]].astype(np.float64) @ data[known]
        joint -= joint.max()
        result: np.ndarray = joint - np.log(np.exp(joint).sum())
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
