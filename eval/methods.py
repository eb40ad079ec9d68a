"""The rankings compared side by side, all from one query's raw views (pure functions).

- bm25, and each dense view alone (minilm_passage, minilm_case, e5_passage, e5_case),
- rrf: the old hybrid, reciprocal rank fusion of MiniLM passages and BM25 plus the borough vote,
- fusion: the convex combination of normalised views with the tuned weights (what search serves),
- fusion-<view>: the same without one view (weights renormalised): its contribution,
- fusion_cheap: the cascade's first stage alone (no e5), with its own weights,
- cascade: what hybrid search serves, e5 only when the first stage is unsure (cascade.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from casebook.index.retrieval.cascade import cheap_fusion, served_fusion
from casebook.index.retrieval.fusion import RRF_K, ranks, reciprocal_rank_fusion, top_vote
from casebook.index.retrieval.signals import SIGNALS, convex, normalised
from casebook.index.retrieval.tuned import Tuned
from casebook.records import CaseRows

Ranker = Callable[[Mapping[str, np.ndarray], bool], np.ndarray]
SINGLE = ("bm25", "minilm_passage", "minilm_case", "e5_passage", "e5_case")


def rrf(raw: Mapping[str, np.ndarray], k: int = RRF_K) -> np.ndarray:
    fused = reciprocal_rank_fusion([ranks(raw["minilm_passage"]),
                                    ranks(raw["bm25"], positive_only=True)], k=k)
    return top_vote(fused, raw["borough"] > 0, k)


def fusion(raw: Mapping[str, np.ndarray], english: bool, tuned: Tuned,
           drop: str | None = None) -> np.ndarray:
    weights = dict(tuned.weights if english else tuned.weights_foreign)
    if drop is not None:
        weights.pop(drop, None)
        if not any(w > 0 for k, w in weights.items() if k in raw):
            return np.zeros(len(raw["bm25"]))
    return convex(normalised(raw), weights)


def _alone(name: str) -> Ranker:
    return lambda raw, en: raw[name]


def _without(view: str, tuned: Tuned) -> Ranker:
    return lambda raw, en: fusion(raw, en, tuned, drop=view)


def rankers(tuned: Tuned, rows: CaseRows) -> dict[str, Ranker]:
    out: dict[str, Ranker] = {name: _alone(name) for name in SINGLE}
    out["rrf"] = lambda raw, en: rrf(raw)
    out["fusion"] = lambda raw, en: fusion(raw, en, tuned)
    for view in SIGNALS:
        out[f"fusion-{view}"] = _without(view, tuned)
    out["fusion_cheap"] = lambda raw, en: cheap_fusion(raw, tuned)
    out["cascade"] = lambda raw, en: served_fusion(raw, en, tuned, rows)[0]
    return out
