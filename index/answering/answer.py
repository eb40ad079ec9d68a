"""Extractive answers: the sentences of the top case studies that best answer a question."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np

from casebook.gazetteer import london
from casebook.index.answering.lead import (
    overlap,
    rarity,
    terms,
)
from casebook.index.answering.prose import join
from casebook.index.store import StoredIndex
from casebook.records import (
    CaseStudy,
    Scored,
)

CASES_CONSIDERED = 3
MAX_PER_CASE = 2
# Later case studies must beat the top one by a margin to be quoted: the ranking already
# weighed lexical evidence that sentence cosine alone does not see.
CASE_RANK_PENALTY = 0.05
RELATED_CASES = 2
# A sentence's relevance is its cosine to the question plus OVERLAP_WEIGHT times the share of
# the question's words it holds; the lead among them is `lead.pick_lead`'s. Chosen on dev fact
# questions, with lead.NEAR: a plateau over 1.5-3 (and 0.5-0.75 for NEAR).
OVERLAP_WEIGHT = 2.0

NOT_FOUND = "I could not find a case study about that."
ENGLISH_SOURCES = "The case studies are in English, so the sentences above are quoted in English."


def covered_text(topics: Sequence[str], sections: Sequence[str]) -> str:
    """What the case studies cover, as a sentence: the topics their themes name ("long-term
    conditions, mental health and vaccination"), else the source page's sections."""
    if topics:
        return f"The case studies cover {join(list(topics))}."
    return f"The case studies cover: {'; '.join(sections)}."


def not_found_text(sections: Sequence[str], elsewhere: Sequence[str] = (),
                   topics: Sequence[str] = ()) -> str:
    where = f" {elsewhere_text(elsewhere)}" if elsewhere else ""
    return f"{NOT_FOUND}{where} {covered_text(topics, sections)}"


def elsewhere_text(elsewhere: Sequence[str]) -> str:
    """That no case study is from the places named: a London borough without one ("Camden")
    is not told that the case studies are from London."""
    names = " or ".join(elsewhere)
    in_london = [place for place in elsewhere if london().find(place)]
    if not in_london:
        return f"None of the case studies is from {names}: they are from London."
    if len(in_london) == len(elsewhere):
        return f"None of the case studies is from {names}; they are from other London boroughs."
    return f"None of the case studies is from {names}."


@lru_cache(maxsize=4)
def _rarity(texts: tuple[str, ...]) -> dict[str, float]:
    return rarity(texts)


def sentence_scores(question: str, scored: Scored, rows: list[int], rank_of: dict[str, int],
                     stored: StoredIndex, cases: Mapping[str, CaseStudy]
                     ) -> tuple[dict[int, float], dict[int, float]]:
    """Relevance: cosine to the question (e5 for a question not in English), plus the weighted
    share of the question's words the sentence holds, less a case-rank penalty; and the share.

    The words that name a case study (its title, its boroughs) found it; within it they do not
    tell one sentence from another, so they are left out of its sentences' share."""
    if not scored.english and scored.e5_vector is not None and stored.e5_sentence_vectors is not None:
        cosines = stored.e5_sentence_vectors[rows] @ scored.e5_vector
    else:
        cosines = stored.sentence_vectors[rows] @ scored.query_vector if rows else np.zeros(0)
    weight = _rarity(tuple(s.text for s in stored.sentences))
    # a question in another language shares no words with the English sentences
    asked = terms(question) if scored.english else set()
    named = {cid: terms(" ".join((c.title, *c.boroughs))) for cid, c in cases.items()}
    relevance, shares = {}, {}
    for row, cosine in zip(rows, cosines):
        sentence = stored.sentences[row]
        shares[row] = overlap(asked, sentence.text, weight, named[sentence.case_id])
        relevance[row] = (float(cosine) + OVERLAP_WEIGHT * shares[row]
                          - CASE_RANK_PENALTY * rank_of[sentence.case_id])
    return relevance, shares


