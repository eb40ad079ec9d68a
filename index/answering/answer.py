"""Extractive answers: the sentences of the top case studies that best answer a question."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from casebook.index.store import StoredIndex
from casebook.records import Answer, CaseResult, Citation, Scored
from casebook.settings import Settings

CASES_CONSIDERED = 3
MAX_PER_CASE = 2
# Later case studies must beat the top one by a margin to be quoted: the ranking already
# weighed lexical evidence that sentence cosine alone does not see.
CASE_RANK_PENALTY = 0.05

NOT_FOUND = "I could not find a case study about that."


def not_found_text(sections: Sequence[str], elsewhere: Sequence[str] = ()) -> str:
    covered = "; ".join(sections)
    where = ""
    if elsewhere:
        where = f" None of the case studies is from {' or '.join(elsewhere)}: they are from London."
    return f"{NOT_FOUND}{where} The case studies cover: {covered}."


def pick_sentences(sentence_scores: dict[int, float], sentence_case: dict[int, str],
                   top_case: str, limit: int) -> list[int]:
    """Best sentences, at most MAX_PER_CASE from one case study, the top case study first."""
    ranked = sorted(sentence_scores, key=lambda i: (-sentence_scores[i], i))
    chosen: list[int] = []
    per_case: dict[str, int] = {}
    first = next((i for i in ranked if sentence_case[i] == top_case), None)
    if first is not None:
        chosen.append(first)
        per_case[top_case] = 1
    for i in ranked:
        if len(chosen) >= limit:
            break
        case = sentence_case[i]
        if i in chosen or per_case.get(case, 0) >= MAX_PER_CASE:
            continue
        chosen.append(i)
        per_case[case] = per_case.get(case, 0) + 1
    return chosen


def compose(question: str, scored: Scored, results: Sequence[CaseResult], stored: StoredIndex,
            settings: Settings, *, sections: Sequence[str], elsewhere: Sequence[str] = ()) -> Answer:
    """The answer text with [n] markers, and one citation per quoted passage.

    `elsewhere` names the places the question is about that no case study comes from; a
    question only about such places gets the honest "not found" however close its words are.
    """
    confidence = float(np.max(scored.dense)) if len(scored.dense) else 0.0
    if not results or confidence < settings.answer_threshold or elsewhere:
        return Answer(question, not_found_text(sections, elsewhere), (), False, confidence)

    rank_of = {r.case_study.id: i for i, r in enumerate(results)}
    rows = [row for case in rank_of for row in stored.sentence_rows.get(case, ())]
    cosines = stored.sentence_vectors[rows] @ scored.query_vector if rows else np.zeros(0)
    scores = {row: float(c) - CASE_RANK_PENALTY * rank_of[stored.sentences[row].case_id]
              for row, c in zip(rows, cosines)}
    case_of = {row: stored.sentences[row].case_id for row in rows}
    chosen = pick_sentences(scores, case_of, results[0].case_study.id, settings.answer_sentences)
    # quote each case study's sentences in the order it tells them: they read as a passage
    first_seen = {case: i for i, case in reversed(list(enumerate(case_of[r] for r in chosen)))}
    chosen.sort(key=lambda r: (first_seen[case_of[r]], stored.sentences[r].char_start))

    passages = stored.passage_by_id
    cases = {r.case_study.id: r.case_study for r in results}
    citations: list[Citation] = []
    marker: dict[str, int] = {}
    parts = []
    for row in chosen:
        sentence = stored.sentences[row]
        if sentence.passage_id not in marker:
            citations.append(Citation(cases[sentence.case_id], passages[sentence.passage_id]))
            marker[sentence.passage_id] = len(citations)
        parts.append(f"{sentence.text.strip()} [{marker[sentence.passage_id]}]")
    return Answer(question, " ".join(parts), tuple(citations), True, confidence)
