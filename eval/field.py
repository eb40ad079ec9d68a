"""Fit the field model on dev: the log-odds that a question is about this field at all, from its
whole e5 query vector (a ridge logistic, pure numpy).

Far questions that sound like health care ("is my GP open on bank holiday Monday?", "can my GP
give me a fit note?") share words and cosines with case studies about GP practices, so the
score features alone let them through; what they do not share is the kind of question, which
the direction of the whole query vector carries. The answered / related / none models read the
model's log-odds as the feature `field_e5`. So that those models learn how far to trust it, each
dev question's value comes from models fitted without it (out of fold, as in stacking); serving
uses the model fitted on the whole of dev.

The near misses get no such model: one fitted to tell them from in-scope questions would learn
the topics of dev's near misses, and the near misses users ask are other topics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from casebook.eval.decision import balance_weights, balanced
from casebook.eval.logistic import fit_logistic
from casebook.eval.selection import folds
from casebook.index.retrieval.tuned import LOGIT_LIMIT, Linear

# on unit vectors whose components are a few hundredths: the fit needs a strong ridge
RIDGES = (1.0, 10.0, 100.0, 1000.0)
FOLDS, REPEATS = 5, 5


@dataclass(frozen=True)
class FieldFit:
    model: Linear  # fitted on every row
    out_of_fold: np.ndarray  # each row's log-odds from models that did not see it
    ridge: float
    cv_balanced: dict[float, float]  # ridge -> out-of-fold balanced score


def _fit(x: np.ndarray, y: np.ndarray, ridge: float) -> tuple[np.ndarray, float]:
    return fit_logistic(x, y, ridge=ridge, weights=balance_weights(y))


def out_of_fold(x: np.ndarray, y: np.ndarray, ridge: float, k: int = FOLDS,
                repeats: int = REPEATS) -> np.ndarray:
    """Each row's log-odds, averaged over models fitted without its fold."""
    total = np.zeros(len(y))
    for labels in folds(len(y), k, repeats):
        for fold in range(k):
            held = labels == fold
            coef, bias = _fit(x[~held], y[~held], ridge)
            total[held] += np.clip(x[held] @ coef + bias, -LOGIT_LIMIT, LOGIT_LIMIT)
    return total / repeats


def fit_field(vectors: Sequence[np.ndarray], in_field: Sequence[float],
              positive_weight: float = 1.0, ridges: Sequence[float] = RIDGES) -> FieldFit:
    """The ridge with the best out-of-fold balanced score (the first of equal ones), its
    out-of-fold log-odds, and the model on every row."""
    x = np.asarray(np.stack(vectors), dtype=np.float64)
    y = np.asarray(in_field, dtype=np.float64)
    logits = {r: out_of_fold(x, y, r) for r in ridges}
    scores = {r: round(balanced(1 / (1 + np.exp(-z)), y, positive_weight), 4)
              for r, z in logits.items()}
    best = max(ridges, key=lambda r: scores[r])
    coef, bias = _fit(x, y, best)
    return FieldFit(Linear(tuple(float(c) for c in coef), float(bias)), logits[best], best, scores)
