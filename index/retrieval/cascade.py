"""When the multilingual e5 view is worth its cost: a cascade over the cheap views (pure numpy).

BM25 and MiniLM cost a few milliseconds a query; e5 costs several times that. So search ranks
with the cheap views first and calls e5 only when they are unsure: when the question is not in
English (only e5 reads other languages), or when the cheap fusion's best two case studies are
within `margin` of each other (in normalised fusion units, 0..1). The margin is chosen on the
dev split (`casebook eval --tune`): the cheapest cascade whose dev MRR@10 stays within a stated
budget of always calling e5. The ranking and the calibration then follow whichever views ran.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from casebook.index.retrieval.signals import case_max, convex, normalised
from casebook.index.retrieval.tuned import Tuned

# Every view but e5's: what the first stage of the cascade scores from.
CHEAP_SIGNALS: tuple[str, ...] = ("bm25", "minilm_passage", "minilm_case", "borough")
# MRR@10 the cascade may lose on dev against always calling e5, when the margin is chosen.
MRR_BUDGET = 0.005


def top_margin(fused: np.ndarray, passage_case: np.ndarray, cases: int) -> float:
    """Best case study's score minus the second best's (inf with fewer than two)."""
    if cases < 2:
        return float("inf")
    best = np.partition(case_max(fused, passage_case, cases), cases - 2)[-2:]
    return float(best[1] - best[0])


def cheap_fusion(raw: Mapping[str, np.ndarray], tuned: Tuned) -> np.ndarray:
    """The first stage's fused score per passage: the cheap views and their own weights."""
    return convex(normalised({k: v for k, v in raw.items() if k in CHEAP_SIGNALS}),
                  tuned.weights_cheap)


def needs_e5(cheap_fused: np.ndarray, english: bool, margin: float, passage_case: np.ndarray,
             cases: int) -> bool:
    """Whether the second stage (e5) runs for this query."""
    return not english or top_margin(cheap_fused, passage_case, cases) < margin


def served_fusion(raw: Mapping[str, np.ndarray], english: bool, tuned: Tuned,
                  passage_case: np.ndarray, cases: int,
                  margin: float | None = None) -> tuple[np.ndarray, bool]:
    """(fused score, whether e5 ran) as search would serve it, from every view's raw scores:
    what evaluation uses to score the cascade without running the query twice."""
    cheap = cheap_fusion(raw, tuned)
    chosen = tuned.cascade_margin if margin is None else margin
    has_e5 = "e5_passage" in raw
    if has_e5 and needs_e5(cheap, english, chosen, passage_case, cases):
        return convex(normalised(raw), tuned.weights if english else tuned.weights_foreign), True
    return cheap, False
