"""Scoring a query over every passage against scoring only a candidate union, for bench/scale.py.

`full` mirrors what `Searcher.score` / `_convex` / `group` do today without e5 (views over all n
passages, min-max normalised, convex weights, calibration, a stable argsort of all n). `union`
scores only the passages some view lifts off its floor: the dense top-`depth`, the passages that
hold a query term (BM25 posting lists), and per case study the whole-case view. A passage outside
the union sits at every passage view's floor (dense: just under the last retrieved; BM25: 0), so
its fused score is its case study's floor score, and the global min and max each view is
normalised by are known without the other n rows. Hence the same results (ids, order, scores)
from work on the order of depth + postings + case studies rather than n. Bench-only: Searcher's
scoring is not changed here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from casebook.index.lexical import LexicalIndex
from casebook.index.retrieval.tuned import Logistic
from casebook.index.text.terms import tokenize

PASSAGES_PER_RESULT = 3


@dataclass
class Corpus:
    """What scoring reads: passage -> case study, case centroids, the two indexes."""

    passage_case: np.ndarray  # int, row -> case row, passages of one case contiguous and sorted
    case_vectors: np.ndarray  # (cases, dim) unit centroids
    dense: object  # FaissIndex
    lexical: LexicalIndex
    weights: dict[str, float]
    calibration: Logistic

    def __post_init__(self) -> None:
        cases = len(self.case_vectors)
        self.case_start = np.searchsorted(self.passage_case, np.arange(cases))
        self.case_size = np.bincount(self.passage_case, minlength=cases)


def _min_max(values: np.ndarray, low: float, high: float) -> np.ndarray:
    if high - low <= 1e-12:
        return np.zeros(len(values), dtype=np.float64)
    return (values.astype(np.float64) - low) / (high - low)


def _weights(corpus: Corpus) -> dict[str, float]:
    views = ("bm25", "minilm_passage", "minilm_case", "borough")
    present = {k: w for k, w in corpus.weights.items() if k in views and w > 0}
    total = sum(present.values())
    return {k: w / total for k, w in present.items()}


def _calibrate(fused: np.ndarray, features: dict[str, float], model: Logistic) -> np.ndarray:
    z = np.full(len(fused), model.bias, dtype=np.float64)
    for name, coef in zip(model.features, model.coef):
        z += coef * (fused if name == "fused" else features.get(name, 0.0))
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))


def _features(dense_top: float, bm25_top: float) -> dict[str, float]:
    return {"minilm_top": dense_top, "e5_top": 0.0,
            "bm25_top": float(np.log1p(max(bm25_top, 0.0))), "english": 1.0}


def full(corpus: Corpus, vector: np.ndarray, query: str, k: int,
         depth: int) -> list[tuple[int, float, list[int]]]:
    """Today's way: every view over all n passages, then group by a stable argsort of n."""
    n = len(corpus.passage_case)
    top, rows = corpus.dense.search(vector[None, :], depth)  # type: ignore[attr-defined]
    valid = rows[0] >= 0
    dense = np.full(n, float(top[0][valid].min()) - 1e-6)
    dense[rows[0][valid]] = top[0][valid]
    raw = {"bm25": corpus.lexical.scores(query).astype(np.float64),
           "minilm_passage": dense.astype(np.float64),
           "minilm_case": (corpus.case_vectors @ vector)[corpus.passage_case].astype(np.float64),
           "borough": np.zeros(n)}
    norm = {name: values if name == "borough" else
            _min_max(values, float(values.min()), float(values.max())) for name, values in raw.items()}
    fused = np.zeros(n)
    for name, w in _weights(corpus).items():
        fused += w * norm[name]
    final = _calibrate(fused, _features(float(raw["minilm_passage"].max()),
                                        float(raw["bm25"].max())), corpus.calibration)
    order = np.argsort(-final, kind="stable")
    return _grouped(order, final, corpus.passage_case, corpus.case_size, k)


def _grouped(order: np.ndarray, final: np.ndarray, passage_case: np.ndarray, case_size: np.ndarray,
             k: int) -> list[tuple[int, float, list[int]]]:
    """Searcher.group's loop: stop once k cases are seen and none can gain a passage."""
    best: dict[int, list[int]] = {}
    incomplete = 0
    for row in order:
        case = int(passage_case[row])
        hits = best.get(case)
        if hits is None:
            if len(best) >= k:
                continue
            hits = best[case] = []
            incomplete += 1
        if len(hits) < PASSAGES_PER_RESULT:
            hits.append(int(row))
            if len(hits) == min(PASSAGES_PER_RESULT, int(case_size[case])):
                incomplete -= 1
        if len(best) >= k and not incomplete:
            break
    ranked = sorted(best.items(), key=lambda item: -final[item[1][0]])[:k]
    return [(case, float(final[rows[0]]), rows) for case, rows in ranked]


def union(corpus: Corpus, vector: np.ndarray, query: str, k: int,
          depth: int) -> list[tuple[int, float, list[int]]]:
    """The candidate union: the same results as `full`, reading only what lifts off a floor."""
    n = len(corpus.passage_case)
    top, rows = corpus.dense.search(vector[None, :], depth)  # type: ignore[attr-defined]
    valid = rows[0] >= 0
    dense_rows, dense_scores = rows[0][valid], top[0][valid]
    dense_floor = float(dense_scores.min()) - 1e-6
    s = corpus.lexical._scores
    ids = [s.vocab[t] for t in tokenize(query) if t in s.vocab]
    postings = (np.concatenate([s.indices[s.indptr[t]:s.indptr[t + 1]] for t in ids])
                if ids else np.zeros(0, dtype=np.int64))
    cand = np.union1d(dense_rows, postings).astype(np.int64)
    # BM25 on the candidates only: the same term-by-term float32 sums as LexicalIndex.scores
    local = np.full(n, -1, dtype=np.int64)  # row -> position in cand (a scratch map)
    local[cand] = np.arange(len(cand))
    lexical = np.zeros(len(cand), dtype=s.dtype)
    for t in ids:
        start, end = s.indptr[t], s.indptr[t + 1]
        np.add.at(lexical, local[s.indices[start:end]], s.data[start:end])
    lexical = lexical.astype(np.float32).astype(np.float64)
    dense = np.full(len(cand), dense_floor)
    dense[local[dense_rows]] = dense_scores
    dense = dense.astype(np.float64)
    case_scores = (corpus.case_vectors @ vector).astype(np.float64)
    # global floors and ceilings: a passage outside the union is at the floor of both passage views
    outside = len(cand) < n
    bm25_low = min(float(lexical.min()), 0.0) if outside else float(lexical.min())
    dense_low = min(float(dense.min()), dense_floor) if outside else float(dense.min())
    w = _weights(corpus)
    case_norm = _min_max(case_scores, float(case_scores.min()), float(case_scores.max()))
    fused_cand = (w.get("bm25", 0) * _min_max(lexical, bm25_low, float(lexical.max()))
                  + w.get("minilm_passage", 0) * _min_max(dense, dense_low, float(dense.max()))
                  + w.get("minilm_case", 0) * case_norm[corpus.passage_case[cand]])
    # each case study's floor: a passage of it outside the union (both passage views at 0)
    fused_floor = (w.get("bm25", 0) * _min_max(np.array([0.0]), bm25_low, float(lexical.max()))[0]
                   + w.get("minilm_passage", 0) * _min_max(np.array([dense_floor]), dense_low,
                                                           float(dense.max()))[0]
                   + w.get("minilm_case", 0) * case_norm)
    features = _features(float(dense.max()), float(lexical.max()))
    final_cand = _calibrate(fused_cand, features, corpus.calibration)
    final_floor = _calibrate(fused_floor, features, corpus.calibration)
    # a case study's hits: its best candidates, then its rows outside the union at its floor
    # score (lowest rows first, as a stable sort of all n would put them)
    order = np.lexsort((cand, -final_cand))
    best: dict[int, list[tuple[float, int]]] = {}
    for i in order:
        hits = best.setdefault(int(corpus.passage_case[cand[i]]), [])
        if len(hits) < PASSAGES_PER_RESULT:
            hits.append((float(final_cand[i]), int(cand[i])))
    # beside the cases with candidates, only the k best floors can reach the top k
    floors = np.argsort(-final_floor, kind="stable")[:k + len(best)]
    in_union = set(cand.tolist())
    results: list[tuple[float, int, int, list[int]]] = []
    for case in set(best) | {int(c) for c in floors}:
        start, size = int(corpus.case_start[case]), int(corpus.case_size[case])
        outside = [r for r in range(start, start + size) if r not in in_union][:PASSAGES_PER_RESULT]
        hits = sorted(best.get(case, []) + [(float(final_floor[case]), r) for r in outside],
                      key=lambda h: (-h[0], h[1]))[:PASSAGES_PER_RESULT]
        results.append((-hits[0][0], hits[0][1], case, [r for _, r in hits]))
    results.sort()
    return [(case, -neg, rows) for neg, _, case, rows in results[:k]]
