"""Fit the answered / related / none models on dev: forward feature selection by repeated
k-fold cross-validation, then a ridge logistic on the chosen features (pure numpy).

Two binary problems, each over the named features of answering/evidence.py:
- domain: far questions (0) against every other (1),
- answer: in-scope questions (1) against near misses (0), far questions left out.
A feature joins a model only while it raises the out-of-fold balanced score by at least
MIN_GAIN, and at most MAX_FEATURES join: a few dozen out-of-scope dev questions cannot
support more. Features are standardised for the fit; the stored coefficients are on the raw
scale, so serving needs no statistics of dev.

The selection's own out-of-fold score flatters it: it is the best of many candidates scored on
the same folds (the English answer model's, 0.93, was 0.86 when the selection itself was
cross-validated). So the ridge is chosen per model by nested cross-validation (`fit_chosen`):
the whole procedure, selection included, is refitted without each outer fold and scored on it.

How many dev questions of each kind there are is the evaluation writers' choice, not the
users' mix, so both classes weigh the same in the fit; then the cost of the two errors moves
the cut: with `positive_weight` w (refusing a positive costs w times a false positive), a
question is positive when P >= 1 / (1 + w), which is folded into the bias (+ log w) so that
serving cuts every model at one half.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from casebook.eval.logistic import fit_logistic
from casebook.eval.selection import folds
from casebook.index.retrieval.tuned import Logistic

MAX_FEATURES = 4
MIN_GAIN = 0.005
RIDGE = 0.1  # on standardised features: a few dozen negatives separate easily
# What `fit_chosen` tries, on standardised features. Another ridge replaces RIDGE only when its
# nested score is higher by RIDGE_GAIN: with other outer folds the scores moved by up to 0.04,
# and a difference smaller than the noise is no reason to change.
RIDGES = (RIDGE, 1.0, 3.0, 10.0)
RIDGE_GAIN = 0.01
OUTER_FOLDS, OUTER_REPEATS = 5, 3


@dataclass(frozen=True)
class Fitted:
    model: Logistic
    chosen: tuple[str, ...]
    cv: float  # out-of-fold balanced score of the chosen features
    path: tuple[tuple[str, float], ...]  # each step of the forward selection and its score
    ridge: float = RIDGE
    nested: tuple[tuple[float, float], ...] = ()  # (ridge, nested CV balanced score) tried


def balance_weights(y: np.ndarray) -> np.ndarray:
    """Per-row weights under which both classes of labels y weigh the same in a fit."""
    positives = max(float(y.sum()), 1.0)
    negatives = max(float(len(y) - y.sum()), 1.0)
    return np.where(y == 1, len(y) / (2 * positives), len(y) / (2 * negatives))


def _fit(x: np.ndarray, y: np.ndarray, positive_weight: float,
         ridge: float = RIDGE) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    coef, bias = fit_logistic((x - mean) / std, y, ridge=ridge, weights=balance_weights(y))
    return coef, bias + float(np.log(positive_weight)), mean, std


def balanced(p: np.ndarray, y: np.ndarray, positive_weight: float = 1.0) -> float:
    """Weighted mean of the two classes' accuracies at the 0.5 cut."""
    kept = float(np.mean(p[y == 1] >= 0.5)) if (y == 1).any() else 1.0
    refused = float(np.mean(p[y == 0] < 0.5)) if (y == 0).any() else 1.0
    return (positive_weight * kept + refused) / (positive_weight + 1)


def out_of_fold(x: np.ndarray, y: np.ndarray, positive_weight: float = 1.0, k: int = 5,
                repeats: int = 10, ridge: float = RIDGE) -> np.ndarray:
    """Each question's P(positive) from models that did not see it, averaged over repeats."""
    total = np.zeros(len(y))
    for labels in folds(len(y), k, repeats):
        for fold in range(k):
            held = labels == fold
            coef, bias, mean, std = _fit(x[~held], y[~held], positive_weight, ridge)
            total[held] += 1.0 / (1.0 + np.exp(-np.clip(((x[held] - mean) / std) @ coef + bias,
                                                         -40, 40)))
    return total / repeats


def fit(rows: Sequence[Mapping[str, float]], labels: Sequence[float] | np.ndarray, candidates: Sequence[str],
        positive_weight: float = 1.0, required: Sequence[str] = (),
        ridge: float = RIDGE) -> Fitted:
    """Forward selection over `candidates`, starting from `required`, then the model on every
    row."""
    y = np.asarray(labels, dtype=np.float64)
    table = np.array([[float(r[f]) for f in candidates] for r in rows], dtype=np.float64)
    chosen: list[int] = [list(candidates).index(f) for f in required]
    best = balanced(out_of_fold(table[:, chosen], y, positive_weight, ridge=ridge), y,
                    positive_weight) if chosen else -1.0
    path: list[tuple[str, float]] = [(f, round(best, 4)) for f in required]
    while len(chosen) < MAX_FEATURES + len(required):
        scores = []
        for j in range(len(candidates)):
            if j in chosen:
                continue
            p = out_of_fold(table[:, [*chosen, j]], y, positive_weight, ridge=ridge)
            scores.append((balanced(p, y, positive_weight), -j, j))
        if not scores:
            break
        score, _, j = max(scores)
        if score < best + MIN_GAIN:
            break
        chosen.append(j)
        best = score
        path.append((candidates[j], round(score, 4)))
    coef, bias, mean, std = _fit(table[:, chosen], y, positive_weight, ridge)
    raw = coef / std
    names = tuple(candidates[j] for j in chosen)
    model = Logistic(names, tuple(float(c) for c in raw), float(bias - np.sum(raw * mean)))
    return Fitted(model, names, best, tuple(path), ridge)


def nested_balanced(rows: Sequence[Mapping[str, float]], labels: Sequence[float],
                    candidates: Sequence[str], positive_weight: float = 1.0,
                    required: Sequence[str] = (), ridge: float = RIDGE, k: int = OUTER_FOLDS,
                    repeats: int = OUTER_REPEATS) -> float:
    """The balanced score of `fit` as a whole: each question predicted by a model whose
    feature selection and fit never saw it (outer folds seeded apart from the inner ones)."""
    y = np.asarray(labels, dtype=np.float64)
    total = np.zeros(len(y))
    for repeat in range(repeats):
        outer = np.random.default_rng(1000 + repeat).permutation(len(y)) % k
        for fold in range(k):
            held = np.flatnonzero(outer == fold)
            kept = np.flatnonzero(outer != fold)
            model = fit([rows[i] for i in kept.tolist()], y[kept], candidates, positive_weight,
                        required, ridge).model
            total[held] += [model(rows[i]) for i in held.tolist()]
    return balanced(total / repeats, y, positive_weight)


def fit_chosen(rows: Sequence[Mapping[str, float]], labels: Sequence[float],
               candidates: Sequence[str], positive_weight: float = 1.0,
               required: Sequence[str] = (), ridges: Sequence[float] = RIDGES) -> Fitted:
    """`fit` with the ridge of the best nested cross-validated balanced score, where it beats
    the first of `ridges` by RIDGE_GAIN."""
    scores = [(r, round(nested_balanced(rows, labels, candidates, positive_weight, required, r),
                        4)) for r in ridges]
    top = max(scores, key=lambda rs: rs[1])  # max keeps the first of equal scores
    best = top[0] if top[1] >= scores[0][1] + RIDGE_GAIN else scores[0][0]
    fitted = fit(rows, labels, candidates, positive_weight, required, best)
    return Fitted(fitted.model, fitted.chosen, fitted.cv, fitted.path, best, tuple(scores))
