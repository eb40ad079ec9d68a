"""The cascade's trade-offs: how often each margin calls e5 (or lets BM25 settle a question
alone, skipping MiniLM and e5), and what the ranking keeps.

Pure over already-scored questions: every question's raw views (all of them, e5 included) are
re-fused the way search would serve them at each margin, so one pass over the questions gives
the whole table. `choose_margin` is how `casebook eval --tune` picks both served margins on dev.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from casebook.eval.metrics import hit_at_1, reciprocal_rank
from casebook.index.retrieval.cascade import MRR_BUDGET, lexical_suffices, served_fusion
from casebook.index.retrieval.signals import case_max
from casebook.index.retrieval.tuned import Tuned
from casebook.records import CaseRows

MARGINS: tuple[float, ...] = (0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.4,
                              0.5, float("inf"))
# the lexical stage's: BM25's lead as a share of its best score (inf: BM25 never settles alone)
LEXICAL_MARGINS: tuple[float, ...] = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7,
                                      0.8, float("inf"))


@dataclass(frozen=True)
class Row:
    margin: float
    e5_calls: float  # share of questions that run e5 (non-English ones always do)
    e5_calls_english: float
    hit_at_1: float
    mrr_at_10: float


@dataclass(frozen=True)
class SkipRow:
    margin: float
    settled: float  # share of English questions BM25 settled alone (MiniLM and e5 skipped)
    hit_at_1: float
    mrr_at_10: float


def _ranking(fused: np.ndarray, rows: CaseRows, relevant: Sequence[str]) -> tuple[float, float]:
    """(Hit@1, reciprocal rank@10) of the case studies `fused` ranks."""
    best = case_max(fused, rows.passage_case, rows.cases)
    ranked = [rows.case_order[i] for i in np.argsort(-best, kind="stable")[:10]]
    return hit_at_1(ranked, relevant), reciprocal_rank(ranked, relevant)


def _mean(values: Sequence[float]) -> float:
    return float(np.mean(values)) if values else 0.0


# one in-scope question: every view's raw scores, whether it is English, its relevant ids
Scoredq = tuple[Mapping[str, np.ndarray], bool, Sequence[str]]


def table(questions: Sequence[Scoredq], tuned: Tuned, rows: CaseRows,
          margins: Sequence[float] = MARGINS) -> list[Row]:
    """One row per margin over in-scope questions scored with every view (e5 included)."""
    scored = [q for q in questions if "e5_passage" in q[0]]
    out = []
    for margin in margins:
        calls, english_calls, hits, rrs = [], [], [], []
        for raw, english, relevant in scored:
            fused, called = served_fusion(raw, english, tuned, rows, margin)
            calls.append(float(called))
            if english:
                english_calls.append(float(called))
            hit, rr = _ranking(fused, rows, relevant)
            hits.append(hit)
            rrs.append(rr)
        out.append(Row(margin, _mean(calls), _mean(english_calls), _mean(hits), _mean(rrs)))
    return out


def lexical_table(questions: Sequence[Scoredq], tuned: Tuned, rows: CaseRows,
                  margins: Sequence[float] = LEXICAL_MARGINS) -> list[SkipRow]:
    """One row per lexical margin over the English in-scope questions (the only ones the stage
    reads), at the tuned e5 margin."""
    scored = [q for q in questions if q[1] and "e5_passage" in q[0]]
    out = []
    for margin in margins:
        settled, hits, rrs = [], [], []
        for raw, english, relevant in scored:
            fused, _ = served_fusion(raw, english, tuned, rows, lexical=margin)
            settled.append(float(lexical_suffices(raw["bm25"], english, margin,
                                                  rows.passage_case, rows.cases)))
            hit, rr = _ranking(fused, rows, relevant)
            hits.append(hit)
            rrs.append(rr)
        out.append(SkipRow(margin, _mean(settled), _mean(hits), _mean(rrs)))
    return out


def choose_margin(rows: Sequence[Row | SkipRow], budget: float = MRR_BUDGET) -> float:
    """The smallest margin from which on every larger one stays within `budget` MRR@10 of the
    last row (always calling e5; BM25 never alone): the least work, and not a lucky dip in a
    noisy curve."""
    always = rows[-1].mrr_at_10
    chosen = rows[-1].margin
    for row in reversed(rows):
        if row.mrr_at_10 < always - budget:
            break
        chosen = row.margin
    return chosen
