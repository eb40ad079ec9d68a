"""Choosing the weight-fitting procedure by cross-validation, on toy reciprocal-rank functions."""

from collections.abc import Callable

import numpy as np
import pytest

from casebook.eval.selection import candidates, folds, select, simplex
from casebook.index.retrieval.tuned import packaged

VIEWS = ("a", "b", "c")
QUESTIONS = 40
RNG = np.random.default_rng(7)
# view "a" ranks every question well; "b" and "c" are coin flips, each best on a few questions
NOISY = np.c_[np.full(QUESTIONS, 0.8), RNG.integers(0, 2, (QUESTIONS, 2))]


def linear(table: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """rr of question q under weights w = table[q] . w: the best blend is a single view."""
    return lambda w: table @ w.T


def needs_every_view(w: np.ndarray) -> np.ndarray:
    """Every question needs all three views equally: only the uniform average gets it all."""
    return np.tile(w.min(axis=1) * len(VIEWS), (QUESTIONS, 1))


def near_half_half(w: np.ndarray) -> np.ndarray:
    """Best at a = b = 0.5, c = 0: on the 0.25 and 0.1 grids, not on the 0.2 grid."""
    return np.tile(1 - np.abs(w - [0.5, 0.5, 0.0]).sum(axis=1), (QUESTIONS, 1))


@pytest.mark.parametrize(
    ("rr_of", "chosen", "weights"),
    [
        (linear(NOISY), "single:a", {"a": 1.0}),
        (needs_every_view, "uniform", {v: pytest.approx(1 / 3) for v in VIEWS}),
        # 0.25 and 0.1 grids both reach the optimum: the coarser one wins the tie
        (near_half_half, "grid0.25-shrink0", {"a": 0.5, "b": 0.5}),
    ],
)
def test_the_procedure_with_the_best_cross_validated_mrr_wins(
        rr_of: Callable[[np.ndarray], np.ndarray], chosen: str,
        weights: dict[str, float]) -> None:
    s = select(rr_of, VIEWS, QUESTIONS)
    assert s.chosen == chosen
    assert s.weights == weights
    assert s.cv_mrr[chosen] == max(s.cv_mrr.values())
    assert set(s.cv_mrr) == {p.name for p in candidates(VIEWS)}


def test_an_overfitting_grid_is_scored_out_of_fold() -> None:
    # "b" is right on 25 of 40 questions, "a" gets 0.6 on each: a grid fitted on 4/5 of the
    # questions flips between them, so out of fold it scores below both views alone
    rng = np.random.default_rng(3)
    b = np.zeros(QUESTIONS)
    b[rng.permutation(QUESTIONS)[:25]] = 1
    table = np.c_[np.full(QUESTIONS, 0.6), b, rng.integers(0, 2, QUESTIONS)]
    s = select(linear(table), VIEWS, QUESTIONS)
    in_sample_best = linear(table)(simplex(VIEWS, 0.1)).mean(axis=0).max()
    assert s.cv_mrr["grid0.1-shrink0"] < s.cv_mrr["single:a"] < in_sample_best
    assert (s.chosen, s.weights) == ("single:b", {"b": 1.0})
    assert s.cv_mrr["single:b"] == pytest.approx(0.625) == s.dev_mrr


def test_folds_are_fixed_and_balanced() -> None:
    first, second = folds(23), folds(23)
    assert all((x == y).all() for x, y in zip(first, second))
    assert len(first) == 10 and not (first[0] == first[1]).all()
    assert sorted(np.bincount(first[0])) == [4, 4, 5, 5, 5]


def test_shrinkage_moves_the_fitted_weights_toward_uniform() -> None:
    s = select(near_half_half, VIEWS, QUESTIONS,
               [p for p in candidates(VIEWS) if p.name == "grid0.25-shrink0.5"])
    assert s.weights == pytest.approx({"a": 5 / 12, "b": 5 / 12, "c": 1 / 6}, abs=1e-6)


def test_the_shipped_weights_record_how_they_were_chosen() -> None:
    selection = packaged().provenance["weights_selection"]
    for side in ("english", "cheap", "foreign"):
        record = selection[side]
        assert record["chosen"] in record["candidates_cv_mrr"]
        assert record["cv_mrr"] == max(record["candidates_cv_mrr"].values())
        assert "uniform" in record["candidates_cv_mrr"]
