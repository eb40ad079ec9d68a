"""Combining the dense and BM25 rankings into one score per passage (pure functions)."""

from __future__ import annotations

import numpy as np

from casebook.settings import FusionMethod

FUSION_METHODS: tuple[FusionMethod, ...] = ("rrf", "weighted")


def ranks(scores: np.ndarray, *, positive_only: bool = False) -> np.ndarray:
    """1-based rank of each row by descending score (ties broken by row); 0 = unranked."""
    order = np.argsort(-scores, kind="stable")
    result = np.zeros(len(scores), dtype=np.int64)
    result[order] = np.arange(1, len(scores) + 1)
    if positive_only:
        result[scores <= 0] = 0
    return result


def reciprocal_rank_fusion(rank_lists: list[np.ndarray], k: int = 60) -> np.ndarray:
    """Sum of 1 / (k + rank) over the rankings in which a row appears (rank 0 = absent)."""
    fused = np.zeros(len(rank_lists[0]), dtype=np.float64)
    for r in rank_lists:
        present = r > 0
        fused[present] += 1.0 / (k + r[present])
    return fused


def min_max(scores: np.ndarray) -> np.ndarray:
    """Scale to [0, 1]; a constant vector becomes all zeros."""
    low, high = float(np.min(scores)), float(np.max(scores))
    if high - low <= 1e-12:
        return np.zeros_like(scores, dtype=np.float64)
    return (scores - low) / (high - low)


def weighted_fusion(dense: np.ndarray, lexical: np.ndarray, dense_weight: float) -> np.ndarray:
    """Convex combination of min-max normalised dense and BM25 scores."""
    return dense_weight * min_max(dense) + (1.0 - dense_weight) * min_max(lexical)


def fuse(dense: np.ndarray, lexical: np.ndarray, method: FusionMethod, *, rrf_k: int = 60,
         dense_weight: float = 0.5) -> np.ndarray:
    """One fused score per passage from full-length dense and BM25 score vectors."""
    if dense.shape != lexical.shape:
        raise ValueError(f"score vectors differ in length: {dense.shape} vs {lexical.shape}")
    if method == "rrf":
        return reciprocal_rank_fusion(
            [ranks(dense), ranks(lexical, positive_only=True)], k=rrf_k)
    if method == "weighted":
        return weighted_fusion(dense, lexical, dense_weight)
    raise ValueError(f"unknown fusion method {method!r}; choose one of {', '.join(FUSION_METHODS)}")


def boost(final: np.ndarray, matches: np.ndarray, method: FusionMethod, *, rrf_k: int = 60,
          dense_weight: float = 0.5) -> np.ndarray:
    """Add one more top-ranked vote to the rows in `matches` (e.g. the borough a query names).

    For RRF that is a third ranking in which every match shares rank 1; for weighted fusion,
    the weight of the smaller of the two retrievers, so a match cannot outvote both.
    """
    if method == "rrf":
        vote = 1.0 / (rrf_k + 1)
    else:
        vote = min(dense_weight, 1.0 - dense_weight)
    return final + vote * matches.astype(np.float64)
