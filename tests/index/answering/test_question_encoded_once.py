"""Answering reads the query vectors retrieval computed: through a real ask, each model encodes
the question once, and answering asks MiniLM nothing but a list's topic."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from casebook.index.answering.ask import ask, ask_scored
from casebook.index.retrieval.searcher import Searcher

pytestmark = pytest.mark.slow


class Counted:
    """The real encoder, with every text it is asked to encode written down."""

    def __init__(self, encoder: Any) -> None:
        self.encoder = encoder
        self.texts: list[str] = []

    def encode_one(self, text: str) -> np.ndarray:
        self.texts.append(text)
        return self.encoder.encode_one(text)

    def query(self, text: str) -> np.ndarray:
        self.texts.append(text)
        return self.encoder.query(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.encoder, name)


@pytest.fixture(scope="module")
def counted(searcher: Searcher) -> Searcher:
    """The session's searcher again, over the same index, tuning and loaded models, each model
    behind a counter."""
    return Searcher(searcher.settings, searcher.stored, Counted(searcher.embedder),  # type: ignore[arg-type]
                    Counted(searcher.e5), searcher.tuned)  # type: ignore[arg-type]


def _texts(searcher: Searcher) -> tuple[list[str], list[str]]:
    minilm, e5 = searcher.embedder, searcher.e5
    assert isinstance(minilm, Counted) and isinstance(e5, Counted)
    return minilm.texts, e5.texts


@pytest.mark.parametrize("question", [
    "How did link workers help people with gambling problems?",  # related: words it lacks
    "vaccine hesitancy in Newham",
    "Which case studies are in Lambeth?",
    "¿Cómo ayudan a las personas mayores?",  # not English: e5 reads it as asked
    "Is my GP open on bank holiday Monday?",
])
def test_an_ask_encodes_the_question_once_with_each_model(counted: Searcher, question: str) -> None:
    minilm, e5 = _texts(counted)
    minilm.clear()
    e5.clear()
    scored, answer = ask_scored(counted, question)
    assert answer.answer
    # retrieval: MiniLM on the question as normalised, e5 on it once (as asked, when it is not
    # English); answering asks MiniLM nothing and e5 nothing about the question
    assert minilm == [scored.normalised]
    assert e5[0] == (scored.normalised if scored.english else question)
    assert scored.query_vector is not None and scored.e5_vector is not None
    # the one e5 call after retrieval is the question's words its best case study lacks (the
    # evidence's missing_sentence_e5): a text retrieval never read, never the question again
    later = e5[1:]
    assert len(later) <= 1
    for text in later:
        assert text not in (question, scored.normalised)
        assert set(text.split()) < set(scored.normalised.rstrip("?").split())


def test_the_extra_e5_call_is_only_for_words_the_best_case_study_lacks(counted: Searcher) -> None:
    _, e5 = _texts(counted)
    e5.clear()
    ask(counted, "How did link workers help people with gambling problems?")
    assert e5[1:] == ["help gambling problems"]
    e5.clear()
    ask(counted, "Which case studies are in Lambeth?")  # the records answer it: nothing lacking
    assert len(e5) == 1


def test_a_list_about_a_topic_encodes_the_topic_once_with_each_model(counted: Searcher) -> None:
    minilm, e5 = _texts(counted)
    minilm.clear()
    e5.clear()
    scored, answer = ask_scored(counted, "Are there case studies about care coordinators?")
    assert answer.shape == "list"
    # retrieval's one call each, then membership's: the topic alone, without the scaffolding
    assert minilm == [scored.normalised, "care coordinators"]
    assert e5[0] == scored.normalised and e5[-1] == "care coordinators" and len(e5) <= 3
