"""When the dense views are worth their cost: a cascade over the views (pure numpy).

BM25 and MiniLM cost a few milliseconds a query; e5 costs several times that. So search ranks
with the cheap views first and calls e5 only when they are unsure: when the question is not in
English (only e5 reads other languages), or when the cheap fusion's best two case studies are
within `margin` of each other (in normalised fusion units, 0..1). The margin is chosen on the
dev split (`casebook eval --tune`): the cheapest cascade whose dev MRR@10 stays within a stated
budget of always calling e5. The ranking and the calibration then follow whichever views ran.

Before both, BM25 alone (a tenth of a millisecond) may settle an English question: when its best
case study beats the second by at least `lexical_margin` of its own score, MiniLM and e5 rarely
change the first place, so search serves BM25 (and the borough view) without them. That margin is
chosen on dev the same way, within the same MRR@10 budget of the cascade without this stage.
A filtered search (section, borough, theme) skips this stage: BM25's lead over every case study
says nothing about its lead among those the filter keeps.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from casebook.index.retrieval.signals import case_max, convex, normalised
from casebook.index.retrieval.tuned import Tuned
from casebook.records import CaseRows

# Every view but e5's: what the first stage of the cascade scores from.
CHEAP_SIGNALS: tuple[str, ...] = ("bm25", "minilm_passage", "minilm_case", "borough")
# What the lexical stage scores from, when BM25 alone is sure.
LEXICAL_SIGNALS: tuple[str, ...] = ("bm25", "borough")
# MRR@10 the cascade may lose on dev against always calling e5, when the margin is chosen.
MRR_BUDGET = 0.005


def lexical_margin(bm25: np.ndarray, passage_case: np.ndarray, cases: int) -> float:
    """How far BM25's best case study leads the second, as a share of the best's score (0 when
    nothing matched or fewer than two case studies)."""
    if cases < 2:
        return 0.0
    second, best = np.partition(case_max(bm25, passage_case, cases), cases - 2)[-2:]
    return float((best - second) / best) if best > 0 else 0.0


def lexical_suffices(bm25: np.ndarray, english: bool, margin: float, passage_case: np.ndarray,
                     cases: int) -> bool:
    """Whether BM25 alone ranks this query (MiniLM and e5 skipped)."""
    return english and lexical_margin(bm25, passage_case, cases) >= margin


def lexical_fusion(raw: Mapping[str, np.ndarray], tuned: Tuned) -> np.ndarray:
    """The lexical stage's fused score: the cheap weights over the views it has."""
    return convex(normalised({k: v for k, v in raw.items() if k in LEXICAL_SIGNALS}),
                  tuned.weights_cheap)


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


def served_fusion(raw: Mapping[str, np.ndarray], english: bool, tuned: Tuned, rows: CaseRows,
                  margin: float | None = None, lexical: float | None = None
                  ) -> tuple[np.ndarray, bool]:
    """(fused score, whether e5 ran) as search would serve it, from every view's raw scores:
    what evaluation uses to score the cascade without running the query twice. `margin` and
    `lexical` replace the tuned e5 and lexical margins."""
    passage_case, cases = rows.passage_case, rows.cases
    chosen_lexical = tuned.served_lexical_margin if lexical is None else lexical
    if lexical_suffices(raw["bm25"], english, chosen_lexical, passage_case, cases):
        return lexical_fusion(raw, tuned), False
    cheap = cheap_fusion(raw, tuned)
    chosen = tuned.cascade_margin if margin is None else margin
    has_e5 = "e5_passage" in raw
    if has_e5 and needs_e5(cheap, english, chosen, passage_case, cases):
        return convex(normalised(raw), tuned.weights if english else tuned.weights_foreign), True
    return cheap, False
