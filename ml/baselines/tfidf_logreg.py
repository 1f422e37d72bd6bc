"""The routing baseline: TF-IDF over character n-grams and a multinomial logistic regression.

After Amsterdam's Signalen classifier (github.com/Amsterdam/classification: TF-IDF features and
scikit-learn's LogisticRegression, macro weighted F1 0.88 over 8 main classes;
seoul-domain-facts.md §9). Character n-grams within words (`char_wb`, 1–3) replace Amsterdam's
Dutch word stems, since Korean words carry particles. Text only: the baseline sees neither channel
nor gu nor time. Fitted by stochastic gradient descent on the log loss (scikit-learn's
SGDClassifier), the same model as LogisticRegression's, because lbfgs took minutes at 120,000
complaints on this machine; rows beyond `max_rows` are left out of fitting (the text-only
accuracy saturates far earlier: the run reports the text-only ceiling beside it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier


class TfidfLogReg:
    """A text-only router. `fit(texts, y)` with y class indices; `predict_proba(texts)`."""

    def __init__(
        self,
        *,
        alpha: float = 1e-5,
        epochs: int = 8,
        max_rows: int = 300_000,
        random_state: int = 0,
    ) -> None:
        self.alpha = alpha
        self.epochs = epochs
        self.max_rows = max_rows
        self.random_state = random_state

    def fit(self, texts: Sequence[str], y: np.ndarray, n_classes: int) -> TfidfLogReg:
        """Fit on texts and their class indices in [0, n_classes). Requires len(texts) >= 1."""
        rng = np.random.default_rng(self.random_state)
        rows = np.arange(len(texts))
        if len(rows) > self.max_rows:
            rows = np.sort(rng.choice(len(rows), self.max_rows, replace=False))
        chosen = [texts[int(i)] for i in rows]
        self.vectorizer_ = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=2, dtype=np.float32
        )
        x = self.vectorizer_.fit_transform(chosen)
        self.classifier_ = SGDClassifier(
            loss="log_loss",
            alpha=self.alpha,
            max_iter=self.epochs,
            tol=None,
            random_state=self.random_state,
        ).fit(x, y[rows])
        self.n_classes_ = n_classes
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Each text's probability of each class (n × n_classes); classes never seen get 0."""
        proba = self.classifier_.predict_proba(self.vectorizer_.transform(texts))
        full = np.zeros((len(texts), self.n_classes_))
        full[:, self.classifier_.classes_] = proba
        return full
