"""Calibrated relevance: P(this case study is relevant to the question), in [0, 1], fitted on dev
by `casebook eval --tune` with the out-of-scope questions in (every case study is irrelevant to
them), every relevant case study of a question a positive.

It is a product of two logistic models, one pair per way a score is made (tuned.py):

- scope: P(some case study answers the question), from query-level evidence that keeps its
  absolute size: the raw top cosine and BM25 of each view that ran, how far the best case study
  stands out in raw units (z-scores), the best single sentence's cosine, the share of the
  question's terms the corpus holds at all, and e5's field model. Min-max normalisation erases
  exactly this: after it, every query's best passage scores about 1.
- case: P(relevant | the question is in scope), from the passage's fused score and the query's
  best fused score: how far below the best it sits.

Both inputs of the case model are the same for every passage of one query but the fused score,
and its coefficient is positive, so the score keeps the fused ranking; the scope factor moves
the whole list up or down: a 0.8 means as much for "loneliness" as for a paragraph describing a
project, and a question no case study answers scores low everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from casebook.index.retrieval.cascade import lexical_margin
from casebook.index.retrieval.signals import case_max
from casebook.index.retrieval.tuned import Logistic

# query-level evidence beyond each view's top (what the scope models may read)
EVIDENCE = ("known_share", "sentence_minilm_top", "sentence_e5_top", "field_e5")


def standout(values: np.ndarray) -> float:
    """How far the best case study stands above the others, in their standard deviations."""
    if len(values) < 2:
        return 0.0
    ordered = np.sort(values)[::-1]
    rest = ordered[1:]
    return float((ordered[0] - rest.mean()) / (rest.std() + 1e-9))


def query_features(raw: Mapping[str, np.ndarray], english: bool, passage_case: np.ndarray,
                   cases: int, evidence: Mapping[str, float] | None = None) -> dict[str, float]:
    """How well the query matched in each raw view, before normalisation, with `evidence`
    (EVIDENCE, where its view ran). A view that did not run reads 0."""
    top = {name: float(np.max(values)) if len(values) else 0.0 for name, values in raw.items()}
    per_case = {name: case_max(raw[name], passage_case, cases)
                for name in ("bm25", "minilm_passage", "e5_passage") if name in raw}
    out = {
        "minilm_top": top.get("minilm_passage", 0.0),
        "e5_top": top.get("e5_passage", 0.0),
        "bm25_top": float(np.log1p(max(top.get("bm25", 0.0), 0.0))),
        "english": 1.0 if english else 0.0,
        "bm25_z": standout(per_case["bm25"]) if "bm25" in per_case else 0.0,
        "minilm_z": standout(per_case["minilm_passage"]) if "minilm_passage" in per_case else 0.0,
        "e5_z": standout(per_case["e5_passage"]) if "e5_passage" in per_case else 0.0,
        "lexical_margin": lexical_margin(raw["bm25"], passage_case, cases) if "bm25" in raw
        else 0.0,
    }
    out.update({name: 0.0 for name in EVIDENCE})
    out.update(evidence or {})
    return out


def in_scope(features: Mapping[str, float], model: Logistic | None) -> float:
    """P(some case study answers the question); 1 without a scope model (the case model alone)."""
    return 1.0 if model is None else model(features)


def calibrated(fused: np.ndarray, features: Mapping[str, float], model: Logistic,
               scope: Logistic | None = None) -> np.ndarray:
    """P(relevant) per passage: P(in scope) x sigmoid(bias + coef . features), where "fused" is
    the per-passage feature and "fused_top" the query's best fused score."""
    values = {**features, "fused_top": float(np.max(fused)) if len(fused) else 0.0}
    z = np.full(len(fused), model.bias, dtype=np.float64)
    for name, coef in zip(model.features, model.coef):
        z += coef * (fused if name == "fused" else values[name])
    return in_scope(values, scope) / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))
