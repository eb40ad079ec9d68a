"""Asking: a question (or a conversation) in, an extractive answer with citations out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from casebook.index.answering.answer import CASES_CONSIDERED, compose
from casebook.index.answering.conversation import contextual_query, topic
from casebook.index.answering.match import Evidence, Match, coverage, decide
from casebook.index.answering.scope import uncovered_places
from casebook.index.retrieval.queries import validate_query
from casebook.index.retrieval.searcher import Searcher
from casebook.records import Answer, CaseResult, Scored


def out_of_area(searcher: Searcher, question: str) -> list[str]:
    """Places the question is about that no case study comes from (empty: none named)."""
    return uncovered_places(question, searcher.boroughs(), searcher.corpus_text, searcher.gazetteer)


def judge(searcher: Searcher, question: str, scored: Scored,
          results: Sequence[CaseResult]) -> tuple[Match, Evidence]:
    """answered / related / none for a question, and the evidence it was decided on."""
    if scored.fused is None:  # rrf or weighted fusion: the best cosine against the threshold
        best = float(np.max(scored.dense)) if len(scored.dense) else 0.0
        evidence = Evidence(best, 1.0, ())
        answered = best >= searcher.settings.answer_threshold and results
        return ("answered" if answered else "none"), evidence
    corpus = tuple(searcher.cases[cid].text for cid in searcher.case_order)
    # a question in another language cannot share words with English text: its coverage is
    # e5's to judge, through the calibrated score
    evidence = coverage(question, results, corpus)
    domain = scored.features.get("e5_top", 1.0) if "e5_passage" in scored.signals else 1.0
    evidence = Evidence(evidence.score, evidence.coverage if scored.english else 1.0,
                        evidence.missing if scored.english else (), domain)
    return decide(evidence, searcher.tuned), evidence


def ask(searcher: Searcher, question: str) -> Answer:
    """An extractive answer with citations, saying so when no case study covers the question."""
    return ask_scored(searcher, question)[1]


def ask_scored(searcher: Searcher, question: str) -> tuple[Scored, Answer]:
    """The answer, with the per-passage views it was read from (for evaluation and explain)."""
    question = validate_query(question, searcher.settings.max_query_chars, what="question")
    scored = searcher.score(question)
    results = searcher.group(scored.final, CASES_CONSIDERED)
    match, evidence = judge(searcher, question, scored, results)
    elsewhere = out_of_area(searcher, question)
    if elsewhere and match == "answered":
        match = "related"
    if scored.fused is None and elsewhere:
        match = "none"
    return scored, compose(question, scored, results, searcher.stored, searcher.settings,
                           sections=searcher.sections(), elsewhere=elsewhere, match=match,
                           evidence=evidence, topic=topic(question, searcher.gazetteer))


def ask_conversation(searcher: Searcher,
                     messages: Sequence[Mapping[str, str] | object]) -> tuple[str, Answer]:
    """Answer the last question in the context of the earlier ones: (what was searched, answer).

    When the question read in context finds nothing but read alone it does (the asker changed
    the subject), the answer to the question alone wins.
    """
    query, _, answer = ask_conversation_scored(searcher, messages)
    return query, answer


def ask_conversation_scored(searcher: Searcher, messages: Sequence[Mapping[str, str] | object]
                            ) -> tuple[str, Scored, Answer]:
    """ask_conversation, with the views of the query that was answered."""
    query = contextual_query(messages, searcher.settings.max_query_chars, searcher.gazetteer)
    scored, answer = ask_scored(searcher, query)
    question = answer_question(messages)
    if not answer.found and query != question:
        alone_scored, alone = ask_scored(searcher, question)
        if alone.found:
            return question, alone_scored, alone
    return query, scored, answer


def answer_question(messages: Sequence[Mapping[str, str] | object]) -> str:
    """The conversation's last message, the question being answered."""
    last = messages[-1]
    text = last.get("content", "") if isinstance(last, Mapping) else getattr(last, "content", "")
    return str(text).strip()
