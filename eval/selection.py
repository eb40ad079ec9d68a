"""Choose HOW fusion weights are fitted by repeated k-fold cross-validation (pure numpy).

A fine grid over six weights, picked for the best in-sample MRR on ~120 dev questions,
overfits: its out-of-fold estimate can fall below a single view's. So each candidate
procedure (the uniform average, each view alone, simplex grids of several steps, each
optionally shrunk toward uniform) is scored out of fold, and the procedure with the best
estimate is fitted on all of dev. Everything here works on a reciprocal-rank function
`rr(weights) -> (questions x rows)`, so it is testable without an index.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

FOLDS = 5
REPEATS = 10
STEPS = (0.25, 0.2, 0.1)  # coarse first: the simpler procedure wins a tie
SHRINKS = (0.5, 0.25, 0.0)  # more shrinkage first, for the same reason

RRFunction = Callable[[np.ndarray], np.ndarray]


def simplex(views: Sequence[str], step: float) -> np.ndarray:
    """Every weight vector on a grid of `step` whose weights sum to 1 (rows)."""
    units = round(1 / step)
    rows = [c for c in itertools.product(range(units + 1), repeat=len(views)) if sum(c) == units]
    return np.array(rows, dtype=np.float64) / units


@dataclass(frozen=True)
class Procedure:
    """A way to get weights from training questions: fixed, or a grid fit then shrinkage."""

    name: str
    fixed: tuple[float, ...] | None = None  # weights that need no fitting
    step: float = 0.0
    shrink: float = 0.0


def candidates(views: Sequence[str], steps: Sequence[float] = STEPS,
               shrinks: Sequence[float] = SHRINKS) -> list[Procedure]:
    """Simplest first; `choose` breaks ties by this order."""
    n = len(views)
    out = [Procedure("uniform", tuple([1.0 / n] * n))]
    out += [Procedure(f"single:{v}", tuple(float(i == j) for j in range(n)))
            for i, v in enumerate(views)]
    out += [Procedure(f"grid{s:g}-shrink{lam:g}", None, s, lam) for s in steps for lam in shrinks]
    return out


def _best_on(rr: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """The grid row with the best mean reciprocal rank; ties to the most even weights."""
    mean = np.round(rr.mean(axis=0), 9)
    return grid[int(np.lexsort((grid.std(axis=1), -mean))[0])]


def _fit(p: Procedure, rows: np.ndarray, grids: dict[float, tuple[np.ndarray, np.ndarray]],
         n: int) -> np.ndarray:
    if p.fixed is not None:
        return np.array(p.fixed)
    grid, rr = grids[p.step]
    w = _best_on(rr[rows], grid)
    return (1 - p.shrink) * w + p.shrink / n


def folds(n: int, k: int = FOLDS, repeats: int = REPEATS) -> list[np.ndarray]:
    """Fold label per question for each repeat (fixed seeds 0..repeats-1)."""
    return [np.random.default_rng(seed).permutation(n) % k for seed in range(repeats)]


@dataclass(frozen=True)
class Selection:
    chosen: str
    weights: dict[str, float]  # the chosen procedure fitted on every question
    cv_mrr: dict[str, float]  # out-of-fold MRR@10 estimate of every candidate
    dev_mrr: float  # the chosen weights on the questions they were fitted to

    def provenance(self) -> dict[str, object]:
        return {"chosen": self.chosen, "cv_mrr": self.cv_mrr[self.chosen],
                "dev_mrr": self.dev_mrr, "candidates_cv_mrr": self.cv_mrr,
                "cv": f"{REPEATS}x{FOLDS}-fold, seeds 0-{REPEATS - 1}"}


def select(rr_of: RRFunction, views: Sequence[str], questions: int,
           procedures: Sequence[Procedure] | None = None,
           k: int = FOLDS, repeats: int = REPEATS) -> Selection:
    """Score every procedure out of fold, then fit the best on every question."""
    n = len(views)
    procs = list(procedures) if procedures is not None else candidates(views)
    grids = {}
    for step in sorted({p.step for p in procs if p.fixed is None}):
        grid = simplex(views, step)
        grids[step] = (grid, rr_of(grid))
    splits = folds(questions, min(k, questions), repeats)
    # first every fold's weights, then their reciprocal ranks in one call
    plans: list[tuple[int, np.ndarray, np.ndarray]] = []
    for i, p in enumerate(procs):
        for labels in splits:
            for fold in np.unique(labels):
                held = labels == fold
                plans.append((i, held, _fit(p, ~held, grids, n)))
    rr = rr_of(np.array([w for _, _, w in plans]))
    totals = np.zeros(len(procs))
    for col, (i, held, _) in enumerate(plans):
        totals[i] += rr[held, col].sum()
    cv = totals / (questions * len(splits))
    best = int(np.lexsort((np.arange(len(procs)), -np.round(cv, 9)))[0])
    weights = _fit(procs[best], np.ones(questions, bool), grids, n)
    dev = float(rr_of(weights[None, :])[:, 0].mean())
    return Selection(procs[best].name,
                     {v: round(float(w), 6) for v, w in zip(views, weights) if w > 0},
                     {p.name: round(float(c), 6) for p, c in zip(procs, cv)}, dev)
