"""Ranking metrics per question, and bootstrap intervals over questions (pure functions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

BOOTSTRAP_SEED = 20231101  # fixed: the same question set always prints the same intervals
BOOTSTRAP_SAMPLES = 2000


def hit_at_1(ranked: Sequence[str], relevant: Sequence[str]) -> float:
    return 1.0 if ranked[:1] and ranked[0] in relevant else 0.0


def recall(ranked: Sequence[str], relevant: Sequence[str], depth: int = 5) -> float:
    return len(set(ranked[:depth]) & set(relevant)) / len(relevant) if relevant else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: Sequence[str], depth: int = 10) -> float:
    for rank, item in enumerate(ranked[:depth], 1):
        if item in relevant:
            return 1.0 / rank
    return 0.0


def precision(ranked: Sequence[str], relevant: Sequence[str], depth: int = 3) -> float:
    return sum(item in relevant for item in ranked[:depth]) / depth


@dataclass(frozen=True)
class Estimate:
    """A mean over questions with its 95% bootstrap interval."""

    mean: float
    low: float
    high: float
    n: int

    def __format__(self, spec: str) -> str:
        return f"{self.mean:.3f} [{self.low:.2f}, {self.high:.2f}]"


def estimate(values: Sequence[float], *, samples: int = BOOTSTRAP_SAMPLES,
             seed: int = BOOTSTRAP_SEED) -> Estimate:
    """Mean and percentile bootstrap 95% interval (resampling questions, fixed seed)."""
    data = np.asarray(values, dtype=np.float64)
    if data.size == 0:
        return Estimate(float("nan"), float("nan"), float("nan"), 0)
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, data.size, (samples, data.size))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return Estimate(float(data.mean()), float(low), float(high), int(data.size))


@dataclass(frozen=True)
class RankMetrics:
    hit_at_1: Estimate
    recall_at_5: Estimate
    mrr_at_10: Estimate

    @property
    def n(self) -> int:
        return self.hit_at_1.n


def rank_metrics(pairs: Sequence[tuple[Sequence[str], Sequence[str]]]) -> RankMetrics:
    """Hit@1, Recall@5 and MRR@10 with intervals over (ranked ids, relevant ids) pairs."""
    return RankMetrics(estimate([hit_at_1(r, rel) for r, rel in pairs]),
                       estimate([recall(r, rel) for r, rel in pairs]),
                       estimate([reciprocal_rank(r, rel) for r, rel in pairs]))
