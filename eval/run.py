"""Run a question set through Casebook: rankings by every method, answers, similar projects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from casebook.eval.answer_checks import AnswerReport, cited_ids, summarise
from casebook.eval.calibration import Calibration, calibration
from casebook.eval.methods import rankers
from casebook.eval.metrics import Estimate, RankMetrics, estimate, precision, rank_metrics
from casebook.eval.questions import Question, SimilarGroup
from casebook.eval.tradeoff import Row, SkipRow, lexical_table, table
from casebook.index.answering.ask import ask_conversation_scored
from casebook.index.retrieval.searcher import Searcher
from casebook.records import Answer, Scored

DEPTH = 10
MATCHES = ("answered", "related", "none")
SCOPES = ("in_scope", "near_miss", "far")


@dataclass
class Asked:
    """One question as Casebook saw it: what it searched, its views, and its answer."""

    question: Question
    query: str
    scored: Scored
    answer: Answer
    messages: list[dict[str, object]] = field(default_factory=list)  # the conversation asked


@dataclass
class Report:
    split: str
    questions: int
    methods: dict[str, dict[str, RankMetrics]]  # method -> kind ("all" too) -> metrics
    decisions: dict[str, dict[str, Estimate]]  # scope -> match -> rate
    lead_fact: Estimate  # fact questions whose lead sentence holds the expected answer
    non_english: dict[str, Estimate]  # method -> Hit@1 on questions not in English
    similar: dict[str, Estimate]  # method -> precision@3
    cascade: list[Row] = field(default_factory=list)  # e5 calls and ranking at each margin
    cascade_margin: float = float("inf")  # the margin search serves
    lexical: list[SkipRow] = field(default_factory=list)  # BM25 alone at each lexical margin
    lexical_margin: float = float("inf")
    asked: list[Asked] = field(default_factory=list)
    answers: AnswerReport | None = None  # eval/answers.jsonl: content and reading, per kind
    answered: list[Asked] = field(default_factory=list)  # its questions as Casebook saw them
    calibration: Calibration | None = None  # can a client threshold `score` (eval/calibration.py)


def reply(answer: Answer) -> dict[str, object]:
    """The assistant message a client sends back: the answer and the case studies it cited."""
    return {"role": "assistant", "content": answer.answer, "case_studies": cited_ids(answer)}


def _ask(searcher: Searcher, q: Question, by_id: dict[str, Question],
         done: dict[str, Asked], depth: int = 0) -> Asked:
    """One question in its conversation: the question it follows is asked first (as the widget
    would have), and its answer goes back as the assistant message before this one."""
    if q.id in done:
        return done[q.id]
    messages: list[dict[str, object]] = []
    earlier = by_id.get(q.follows) if q.follows else None
    if earlier is not None and depth < 10:
        before = _ask(searcher, earlier, by_id, done, depth + 1)
        messages = [*before.messages, reply(before.answer)]
    messages.append({"role": "user", "content": q.question})
    query, scored, answer = ask_conversation_scored(searcher, messages)
    done[q.id] = Asked(q, query, scored, answer, messages)
    return done[q.id]


def ask_all(searcher: Searcher, questions: Sequence[Question],
            everything: Sequence[Question]) -> list[Asked]:
    """Every question through the conversation path (a follow-up after what it follows)."""
    by_id = {q.id: q for q in everything}
    done: dict[str, Asked] = {}
    return [_ask(searcher, q, by_id, done) for q in questions]


def answer_report(searcher: Searcher, questions: Sequence[Question],
                  everything: Sequence[Question], asked: Sequence[Asked]
                  ) -> tuple[AnswerReport, list[Asked]]:
    """The answer set asked and judged by kind, with the reading checks on `asked` too."""
    answered = ask_all(searcher, questions, everything)
    judged = summarise([(a.question, a.answer) for a in answered],
                       [(a.question, a.answer) for a in asked], searcher.case_studies())
    return judged, answered


def ranked_ids(searcher: Searcher, scores: np.ndarray) -> list[str]:
    return [r.case_study.id for r in searcher.group(scores, DEPTH)]


def lead_holds(answer: Answer, expected: str) -> bool:
    lead = next((s.text for s in answer.sentences if s.citation is not None), "")
    return expected.lower() in lead.lower()


def similar_ids(searcher: Searcher, case_id: str) -> list[str]:
    return [r.case_study.id for r in searcher.similar(case_id, 3)]


def report(searcher: Searcher, questions: Sequence[Question], everything: Sequence[Question],
           groups: Sequence[SimilarGroup], split: str, *, answer_set: Sequence[Question] = (),
           answer_all: Sequence[Question] = ()) -> Report:
    """`answer_set`: the answer questions of this split (eval/answers.jsonl), `answer_all`
    the whole file (follow-ups look their openers up in it)."""
    asked = ask_all(searcher, questions, everything)
    methods = rankers(searcher.tuned, searcher.rows)
    runs: dict[str, list[tuple[Asked, list[str]]]] = {m: [] for m in methods}
    for a in asked:
        if not a.question.in_scope or not a.scored.signals:
            continue
        for name, rank in methods.items():
            runs[name].append((a, ranked_ids(searcher, rank(a.scored.signals, a.scored.english))))
    kinds = sorted({a.question.kind for a in asked if a.question.in_scope})
    rows: dict[str, dict[str, RankMetrics]] = {}
    for name, run in runs.items():
        rows[name] = {"all": rank_metrics([(ids, a.question.relevant) for a, ids in run])}
        for kind in kinds:
            rows[name][kind] = rank_metrics([(ids, a.question.relevant) for a, ids in run
                                             if a.question.kind == kind])
    decisions = {scope: {m: estimate([float(a.answer.match == m) for a in asked
                                      if a.question.scope == scope]) for m in MATCHES}
                 for scope in SCOPES}
    facts = [a for a in asked if a.question.answer and a.question.in_scope]
    lead = estimate([float(lead_holds(a.answer, a.question.answer or "")) for a in facts])
    foreign = {name: estimate([float(bool(ids) and ids[0] in a.question.relevant)
                               for a, ids in run if a.question.lang != "en"])
               for name, run in runs.items()}
    similar = {"similar": estimate([precision(similar_ids(searcher, g.id), g.similar)
                                    for g in groups])}
    in_scope = [(a.scored.signals, a.scored.english, a.question.relevant) for a in asked
                if a.question.in_scope]
    tradeoff = table(in_scope, searcher.tuned, searcher.rows)
    lexical = lexical_table(in_scope, searcher.tuned, searcher.rows)
    out = Report(split, len(asked), rows, decisions, lead, foreign, similar, tradeoff,
                 searcher.tuned.cascade_margin, lexical=lexical,
                 lexical_margin=searcher.tuned.served_lexical_margin, asked=asked,
                 calibration=calibration(searcher, [(a.query, a.question.relevant, a.scored)
                                                    for a in asked]))
    if answer_set:
        out.answers, out.answered = answer_report(searcher, answer_set,
                                                  answer_all or answer_set, asked)
    return out
