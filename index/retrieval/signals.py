"""The views a query is scored from, one score per passage each (pure numpy).

- bm25: BM25 over the passage text,
- minilm_passage / e5_passage: cosine of the query to the passage, by each model,
- minilm_case / e5_case: cosine to the whole case study (the mean of its passage vectors),
  the same for every passage of one case study,
- borough: 1 for the passages of case studies from a London borough the query names.

Fusion (Bruch, Gai and Ingber, ACM TOIS 2023) is a convex combination of the min-max
normalised views; `fused_cases` is what ranks case studies, one score per case (its best passage).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

SIGNALS: tuple[str, ...] = ("bm25", "minilm_passage", "minilm_case", "e5_passage", "e5_case",
                            "borough")
E5_SIGNALS = ("e5_passage", "e5_case")


def centroids(vectors: np.ndarray, passage_case: np.ndarray, cases: int) -> np.ndarray:
    """Unit mean vector of each case study's passages: the whole-case-study view."""
    sums = np.zeros((cases, vectors.shape[1]), np.float32)
    np.add.at(sums, passage_case, vectors)
    return sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)


def dense_views(query: np.ndarray, passages: np.ndarray, cases: np.ndarray,
                passage_case: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(passage view, case view) cosines, both one value per passage."""
    return passages @ query, (cases @ query)[passage_case]


def min_max(scores: np.ndarray) -> np.ndarray:
    low, high = float(np.min(scores)), float(np.max(scores))
    if high - low <= 1e-12:
        return np.zeros(len(scores), dtype=np.float64)
    return (scores.astype(np.float64) - low) / (high - low)


def normalised(raw: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Min-max per view over the passages; the borough view is already 0/1."""
    return {name: (values.astype(np.float64) if name == "borough" else min_max(values))
            for name, values in raw.items()}


def convex(norm: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """Sum of weight x normalised view over the views present; weights renormalised to sum 1."""
    present = {k: w for k, w in weights.items() if k in norm and w > 0}
    total = sum(present.values())
    if not present or total <= 0:
        raise ValueError(f"no weighted view among {sorted(norm)}")
    size = len(next(iter(norm.values())))
    fused = np.zeros(size, dtype=np.float64)
    for name, w in present.items():
        fused += (w / total) * norm[name]
    return fused


def case_max(passage_scores: np.ndarray, passage_case: np.ndarray, cases: int) -> np.ndarray:
    """Each case study's best passage score."""
    out = np.full(cases, -np.inf)
    np.maximum.at(out, passage_case, passage_scores)
    return out
