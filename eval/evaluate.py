"""Retrieval metrics over a labelled question set, and calibration of the answer threshold."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from casebook.errors import CorpusError
from casebook.index.answering.ask import out_of_area as places_outside
from casebook.index.retrieval.fusion import fuse
from casebook.index.retrieval.searcher import Searcher
from casebook.jsonl import read_jsonl
from casebook.records import Scored


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    relevant: tuple[str, ...]  # case study ids, best first; empty = out of scope
    kind: str = ""

    @property
    def in_scope(self) -> bool:
        return bool(self.relevant)


@dataclass(frozen=True)
class Metrics:
    hit_at_1: float
    recall_at_5: float
    mrr_at_10: float
    questions: int


@dataclass
class Evaluation:
    methods: dict[str, Metrics]
    per_kind: dict[str, dict[str, Metrics]]
    confidence_in: list[float]
    confidence_out: list[float]
    threshold: float
    threshold_accuracy: float
    decision_accuracy: float  # found / not found right, with the configured threshold and places
    out_of_area: list[str] = field(default_factory=list)  # ids of questions refused by place
    rankings: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # method -> qid -> ids


def load_questions(path: Path) -> list[Question]:
    return read_jsonl(path, _question, error=CorpusError, what="a question record",
                      missing="No question set at {path}.",
                      hint="Pass a JSONL file: one {id, question, relevant, kind} a line.")


def _question(row: dict[str, Any]) -> Question:
    return Question(row["id"], row["question"], tuple(row.get("relevant", ())), row.get("kind", ""))


def reciprocal_rank(ranked: Sequence[str], relevant: Sequence[str], depth: int = 10) -> float:
    for rank, item in enumerate(ranked[:depth], 1):
        if item in relevant:
            return 1.0 / rank
    return 0.0


def recall(ranked: Sequence[str], relevant: Sequence[str], depth: int = 5) -> float:
    return len(set(ranked[:depth]) & set(relevant)) / len(relevant) if relevant else 0.0


def metrics(rankings: Sequence[tuple[Sequence[str], Sequence[str]]]) -> Metrics:
    """Hit@1, Recall@5 and MRR@10 over (ranked ids, relevant ids) pairs."""
    if not rankings:
        return Metrics(0.0, 0.0, 0.0, 0)
    hit = np.mean([1.0 if r[:1] and r[0] in rel else 0.0 for r, rel in rankings])
    rec = np.mean([recall(r, rel) for r, rel in rankings])
    mrr = np.mean([reciprocal_rank(r, rel) for r, rel in rankings])
    return Metrics(float(hit), float(rec), float(mrr), len(rankings))


def calibrate(inside: Sequence[float], outside: Sequence[float]) -> tuple[float, float]:
    """The threshold that best separates in-scope from out-of-scope confidences, and its accuracy.

    Candidates are midpoints between neighbouring observed values; ties prefer the larger
    margin, so the threshold sits in the middle of the widest gap.
    """
    values = sorted(set(inside) | set(outside))
    if not values:
        return 0.0, 0.0
    candidates = [values[0] - 1e-6] + [(a + b) / 2 for a, b in zip(values, values[1:])]
    total = len(inside) + len(outside)

    def quality(t: float) -> tuple[float, float]:
        correct = sum(c >= t for c in inside) + sum(c < t for c in outside)
        margin = min([abs(c - t) for c in list(inside) + list(outside)])
        return correct / total, margin

    best = max(candidates, key=quality)
    return float(best), quality(best)[0]


Ranker = Callable[[Scored], np.ndarray]


def evaluate(searcher: Searcher, questions: Sequence[Question], *, k: int = 10) -> Evaluation:
    """Rank every question with BM25, dense, the searcher's hybrid and alternative fusions.

    "hybrid" is exactly what search returns (fusion plus the borough boost); the plain
    fusions beside it show what each would give on its own.
    """
    s = searcher.settings
    rankers: dict[str, Ranker] = {
        "bm25": lambda sc: sc.lexical.astype(np.float64),
        "dense": lambda sc: sc.dense.astype(np.float64),
        "hybrid": lambda sc: sc.final,
        "rrf": lambda sc: fuse(sc.dense, sc.lexical, "rrf", rrf_k=s.rrf_k),
    }
    for w in (0.3, 0.5, 0.7):
        rankers[f"weighted@{w}"] = lambda sc, w=w: fuse(sc.dense, sc.lexical, "weighted",
                                                        dense_weight=w)

    pairs: dict[str, list[tuple[list[str], tuple[str, ...], str]]] = {m: [] for m in rankers}
    rankings: dict[str, dict[str, list[str]]] = {m: {} for m in rankers}
    inside, outside = [], []
    out_of_area, decisions = [], []
    for q in questions:
        scored = searcher.score(q.question)
        confidence = float(np.max(scored.dense))
        if places_outside(searcher, q.question):
            # refused by place whatever its confidence: not part of the threshold's calibration
            out_of_area.append(q.id)
            decisions.append(not q.in_scope)
        else:
            (inside if q.in_scope else outside).append(confidence)
            decisions.append((confidence >= s.answer_threshold) == q.in_scope)
        if not q.in_scope:
            continue
        for name, rank in rankers.items():
            ids = [r.case_study.id for r in searcher.group(rank(scored), k)]
            pairs[name].append((ids, q.relevant, q.kind))
            rankings[name][q.id] = ids

    methods = {m: metrics([(r, rel) for r, rel, _ in rows]) for m, rows in pairs.items()}
    kinds = sorted({kind for rows in pairs.values() for _, _, kind in rows})
    per_kind = {m: {kind: metrics([(r, rel) for r, rel, kd in rows if kd == kind])
                    for kind in kinds} for m, rows in pairs.items()}
    threshold, accuracy = calibrate(inside, outside)
    decision_accuracy = float(np.mean(decisions)) if decisions else 0.0
    return Evaluation(methods, per_kind, inside, outside, threshold, accuracy, decision_accuracy,
                      out_of_area, rankings)
