"""Logistic regression by iteratively reweighted least squares, with a small ridge (numpy)."""

from __future__ import annotations

import numpy as np


def fit_logistic(x: np.ndarray, y: np.ndarray, *, ridge: float = 1e-2,
                 iterations: int = 50, weights: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """(coefficients, bias) maximising the penalised likelihood of labels y in {0, 1}, each
    row counted `weights` times (default once).

    The ridge (not applied to the bias) keeps the fit finite when the classes separate, as they
    can on a few dozen questions.
    """
    rows, cols = x.shape
    counts = np.ones(rows) if weights is None else np.asarray(weights, dtype=np.float64)
    design = np.hstack([np.ones((rows, 1)), x.astype(np.float64)])
    beta = np.zeros(cols + 1)
    penalty = np.eye(cols + 1) * ridge
    penalty[0, 0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ beta, -40, 40)))
        w = counts * np.maximum(p * (1 - p), 1e-9)
        gradient = design.T @ (counts * (y - p)) - penalty @ beta
        hessian = design.T @ (design * w[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.max(np.abs(step)) < 1e-8:
            break
    return beta[1:], float(beta[0])
