"""Asking: a question (or a conversation) in, an extractive answer with citations out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from casebook.index.answering.answer import CASES_CONSIDERED, compose
from casebook.index.answering.conversation import contextual_query
from casebook.index.answering.scope import uncovered_places
from casebook.index.retrieval.queries import validate_query
from casebook.index.retrieval.searcher import Searcher
from casebook.records import Answer


def out_of_area(searcher: Searcher, question: str) -> list[str]:
    """Places the question is about that no case study comes from (empty: none named)."""
    return uncovered_places(question, searcher.boroughs(), searcher.corpus_text, searcher.gazetteer)


def ask(searcher: Searcher, question: str) -> Answer:
    """An extractive answer with citations, or an honest "not found"."""
    question = validate_query(question, searcher.settings.max_query_chars, what="question")
    scored = searcher.score(question)
    results = searcher.group(scored.final, CASES_CONSIDERED)
    return compose(question, scored, results, searcher.stored, searcher.settings,
                   sections=searcher.sections(), elsewhere=out_of_area(searcher, question))


def ask_conversation(searcher: Searcher,
                     messages: Sequence[Mapping[str, str] | object]) -> tuple[str, Answer]:
    """Answer the last question in the context of the earlier ones: (what was searched, answer).

    When the question read in context finds nothing but read alone it does (the asker changed
    the subject), the answer to the question alone wins.
    """
    query = contextual_query(messages, searcher.settings.max_query_chars, searcher.gazetteer)
    answer = ask(searcher, query)
    question = answer_question(messages)
    if not answer.found and query != question:
        alone = ask(searcher, question)
        if alone.found:
            return question, alone
    return query, answer


def answer_question(messages: Sequence[Mapping[str, str] | object]) -> str:
    """The conversation's last message, the question being answered."""
    last = messages[-1]
    text = last.get("content", "") if isinstance(last, Mapping) else getattr(last, "content", "")
    return str(text).strip()
