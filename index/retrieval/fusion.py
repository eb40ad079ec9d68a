"""Reciprocal rank fusion (pure functions): the older hybrid of MiniLM and BM25, no longer served
(search serves the convex fusion of signals.py) but kept as the baseline `casebook eval`
compares with (eval/methods.py)."""

from __future__ import annotations

import numpy as np

# The usual constant (Cormack, Clarke and Buettcher, SIGIR 2009): a rank's vote is 1 / (k + rank).
RRF_K = 60


def ranks(scores: np.ndarray, *, positive_only: bool = False) -> np.ndarray:
    """1-based rank of each row by descending score (ties broken by row); 0 = unranked."""
    order = np.argsort(-scores, kind="stable")
    result = np.zeros(len(scores), dtype=np.int64)
    result[order] = np.arange(1, len(scores) + 1)
    if positive_only:
        result[scores <= 0] = 0
    return result


def reciprocal_rank_fusion(rank_lists: list[np.ndarray], k: int = RRF_K) -> np.ndarray:
    """Sum of 1 / (k + rank) over the rankings in which a row appears (rank 0 = absent)."""
    fused = np.zeros(len(rank_lists[0]), dtype=np.float64)
    for r in rank_lists:
        present = r > 0
        fused[present] += 1.0 / (k + r[present])
    return fused


def top_vote(fused: np.ndarray, matches: np.ndarray, k: int = RRF_K) -> np.ndarray:
    """Add one more top-ranked vote to the rows in `matches` (e.g. the borough a query names):
    a third ranking in which every match shares rank 1."""
    return fused + (1.0 / (k + 1)) * matches.astype(np.float64)
