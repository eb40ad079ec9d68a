"""Fit the list-membership model (answering/membership.py) and its floor on the dev split.

Its questions are the dev list, count and borough questions of eval/answers.jsonl about a topic
alone (the ones that name a section, a borough or an organisation are read from the records),
which label every case study that matches: each (question, case study) pair is an example.

The floor is chosen out of fold: the questions are split into FOLDS, each fold's probabilities
come from a model fitted on the others, and the floor kept is the one whose lists most often
hold every relevant case study, less the share that also hold one that is not (the issue's
content-right and padding, as the answer checks count them). A tie keeps the higher floor:
a shorter list quotes fewer sentences that could be off the question.

The claim is the probability at which a topic list's likeliest case study answers the question
though the question as a whole was judged "related" or "none" (the whole question's match
reads scaffolding the topic does not: "how many case studies focus on children and young
people?"). It is chosen on the dev questions of both sets that the decision did not answer: the
claim of CLAIMS that wins the most in-scope ones less the out-of-scope ones it would claim
(near misses cost as much as refused answers, as eval/tune.py weighs them; a tie keeps the
higher claim).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from casebook.eval.logistic import fit_logistic
from casebook.eval.questions import Question
from casebook.index.answering.ask import (
    ask,
    claim_strength,
    member_features,
    members,
    out_of_area,
    part_members,
    topic_holds,
    topic_themes,
)
from casebook.index.answering.evidence import case_level
from casebook.index.answering.membership import MEMBERSHIP_FEATURES, gated
from casebook.index.answering.selection import MATCH_FLOOR
from casebook.index.retrieval.searcher import Searcher
from casebook.index.retrieval.tuned import Logistic

FOLDS = 5
# Strong: a few dozen questions, features that move together (the two models' cosines).
RIDGE = 1.0
FLOORS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
CLAIMS = (0.5, 0.6, 0.7, 0.8, 0.9)
# 1.0: a case study lacking the topic's rarest word is never on a list
UNHELD = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


@dataclass(frozen=True)
class Examples:
    x: np.ndarray  # (pairs x MEMBERSHIP_FEATURES)
    y: np.ndarray  # 1: the case study is among the question's relevant
    question: np.ndarray  # which question each pair belongs to (index into the questions)
    # each pair's calibrated search score: what lists kept before membership (the baseline)
    score: np.ndarray | None = None
    # 1 where the case study holds the rarest word of its question's topic (ask.topic_holds;
    # 1 throughout for a topic no text holds a word of)
    holds: np.ndarray | None = None
    # 1 where the case study carries a theme its question's topic names, or is near in meaning
    # (ask.topic_themes): on the list whatever the model reads, as the service serves it
    themed: np.ndarray | None = None


def examples(searcher: Searcher, questions: Sequence[Question]) -> Examples:
    """Every case study of every topic-alone list, count or borough question, with its label."""
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    qs: list[np.ndarray] = []
    scores: list[np.ndarray] = []
    holds: list[np.ndarray] = []
    themes: list[np.ndarray] = []
    for q in questions:
        if q.kind not in ("list", "count", "where") or not q.relevant:
            continue
        scored = searcher.score(q.question, full=True)
        values = member_features(searcher, q.question, scored)
        if values is None:
            continue
        xs.append(np.column_stack([values[f] for f in MEMBERSHIP_FEATURES]))
        ys.append(np.array([c in q.relevant for c in searcher.case_order], dtype=np.float64))
        qs.append(np.full(len(searcher.case_order), len(qs)))
        scores.append(case_level(scored.final, scored.rows.passage_case, scored.rows.cases))
        held = topic_holds(searcher, q.question)
        holds.append(np.ones(len(searcher.case_order)) if held is None else held)
        # a theme near the topic in meaning joins where the served model's likeliest case
        # study carries it (ask.topic_themes)
        served = part_members(searcher, q.question, values) \
            if searcher.tuned.membership is not None else None
        themes.append(topic_themes(searcher, q.question, served))
    if not xs:
        return Examples(np.zeros((0, len(MEMBERSHIP_FEATURES))), np.zeros(0), np.zeros(0, int))
    return Examples(np.vstack(xs), np.concatenate(ys), np.concatenate(qs),
                    np.concatenate(scores), np.concatenate(holds), np.concatenate(themes))


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """(coef, bias) on the features as they are: the fit standardises them, and the
    standardisation is folded back into the coefficients."""
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    coef, bias = fit_logistic((x - mean) / std, y, ridge=RIDGE)
    return coef / std, float(bias - np.sum(coef * mean / std))


def _predict(x: np.ndarray, coef: np.ndarray, bias: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x @ coef + bias, -40.0, 40.0)))


def out_of_fold(data: Examples, folds: int = FOLDS) -> np.ndarray:
    """Each pair's probability from a model fitted without its question's fold (questions are
    dealt into folds in order)."""
    p = np.zeros(len(data.y))
    fold = data.question % folds
    for k in range(folds):
        held = fold == k
        if held.any() and (~held).any():
            coef, bias = fit(data.x[~held], data.y[~held])
            p[held] = _predict(data.x[held], coef, bias)
    return p


def list_rates(p: np.ndarray, data: Examples, floor: float) -> tuple[float, float]:
    """(share of questions whose list holds every relevant case study, share whose list holds
    one that is not), a list being the pairs at `floor` and over, else the likeliest one."""
    complete = padded = 0
    questions = np.unique(data.question)
    for q in questions:
        rows = data.question == q
        kept = p[rows] >= floor
        if not kept.any():
            kept = p[rows] == p[rows].max()
        labels = data.y[rows] > 0
        complete += bool(np.all(kept[labels]))
        padded += bool(np.any(kept & ~labels))
    n = max(len(questions), 1)
    return complete / n, padded / n


def choose_floor(p: np.ndarray, data: Examples) -> tuple[float, dict[str, list[float]]]:
    """The floor of FLOORS that maximises complete less padded (ties: the higher floor)."""
    p = _themed(p, data)
    rates = {f"{floor:.1f}": list(list_rates(p, data, floor)) for floor in FLOORS}
    best = max(FLOORS, key=lambda f: (rates[f"{f:.1f}"][0] - rates[f"{f:.1f}"][1], f))
    return best, rates


def choose_unheld(p: np.ndarray, data: Examples, floor: float
                  ) -> tuple[float | None, dict[str, list[float]]]:
    """The gate of UNHELD (answering/membership.py's gated) that maximises complete less
    padded at `floor`, against no gate (None); ties: no gate, then the lowest (the gate
    overrules the model only as far as dev shows it must: a topic's rarest word has synonyms,
    "worries" for "concerns")."""
    options: list[float | None] = [None, *UNHELD]
    rates = {str(u): list(list_rates(_themed(_gated(p, data, u, floor), data), data, floor))
             for u in options}
    best = max(options, key=lambda u: (rates[str(u)][0] - rates[str(u)][1],
                                       1.0 if u is None else -u))
    return best, rates


def _gated(p: np.ndarray, data: Examples, unheld: float | None, floor: float) -> np.ndarray:
    """`gated` question by question, as the service reads one question at a time."""
    out = p.copy()
    if data.holds is None:
        return out
    for q in np.unique(data.question):
        rows = data.question == q
        out[rows] = gated(p[rows], data.holds[rows], unheld, floor)
    return out


def _themed(p: np.ndarray, data: Examples) -> np.ndarray:
    """`p` where the question's topic names no theme; the theme's case studies where it does."""
    if data.themed is None:
        return p
    out = p.copy()
    for q in np.unique(data.question):
        rows = data.question == q
        if data.themed[rows].any():
            out[rows] = data.themed[rows]
    return out


def fit_membership(searcher: Searcher, questions: Sequence[Question]
                   ) -> tuple[Logistic | None, float, dict[str, object]]:
    """The model, its floor, and what was fitted on (None when dev holds no such question);
    the facts carry the gate on case studies that lack the topic's rarest word ("unheld")."""
    data = examples(searcher, questions)
    if not len(data.y) or data.y.min() == data.y.max():
        return None, FLOORS[3], {"questions": 0, "unheld": None}
    p = out_of_fold(data)
    floor, rates = choose_floor(p, data)
    unheld, unheld_rates = choose_unheld(p, data, floor)
    coef, bias = fit(data.x, data.y)
    model = Logistic(MEMBERSHIP_FEATURES, tuple(float(c) for c in coef), bias)
    facts: dict[str, object] = {
        "questions": len(np.unique(data.question)), "pairs": len(data.y),
        "floor": floor, "out_of_fold_complete_padded": rates,
        "unheld": unheld, "out_of_fold_unheld_complete_padded": unheld_rates,
        "calibrated_score_complete_padded": list(list_rates(data.score, data, MATCH_FLOOR))
        if data.score is not None else None}
    return model, floor, facts


def choose_claim(won: Sequence[float], claimed: Sequence[float]
                 ) -> tuple[float, dict[str, list[int]]]:
    """The claim of CLAIMS that answers the most of `won` (the likeliest membership of each
    in-scope question the decision did not answer) less `claimed` (the same for out-of-scope
    ones); a tie keeps the higher claim. Also, per claim: [in-scope won, out-of-scope claimed].
    """
    rates = {f"{c:.1f}": [sum(p >= c for p in won), sum(p >= c for p in claimed)]
             for c in CLAIMS}
    best = max(CLAIMS, key=lambda c: (rates[f"{c:.1f}"][0] - rates[f"{c:.1f}"][1], c))
    return best, rates


def fit_claim(searcher: Searcher, questions: Sequence[Question]
              ) -> tuple[float, dict[str, object]]:
    """The claim and its counts, on `questions` (dev; follow-ups left out) under the searcher's
    membership model, each decided as the service decides it without a claim."""
    before = searcher.tuned
    searcher.tuned = before.with_(membership_claim=None)
    won: list[float] = []
    claimed: list[float] = []
    try:
        for q in questions:
            if q.follows or out_of_area(searcher, q.question):
                continue
            # as the service reads a question the decision did not answer (reworded)
            found = members(searcher, q.question, searcher.score(q.question, full=True),
                            reword=True)
            strength = claim_strength(searcher, q.question, found)
            if not strength or ask(searcher, q.question).match == "answered":
                continue
            (won if q.in_scope else claimed).append(strength)
    finally:
        searcher.tuned = before
    claim, rates = choose_claim(won, claimed)
    return claim, {"claim": claim, "unanswered_in_scope": len(won),
                   "out_of_scope": len(claimed), "won_claimed": rates}
