"""Extractive answers: the sentences of the top case studies that best answer a question."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from casebook.index.answering.evidence import Evidence
from casebook.index.answering.lead import answer_type, type_bonus
from casebook.index.answering.match import Match
from casebook.index.store import StoredIndex
from casebook.records import Answer, AnswerSentence, CaseResult, Citation, Scored
from casebook.settings import Settings

CASES_CONSIDERED = 3
MAX_PER_CASE = 2
# Later case studies must beat the top one by a margin to be quoted: the ranking already
# weighed lexical evidence that sentence cosine alone does not see.
CASE_RANK_PENALTY = 0.05
RELATED_CASES = 2

NOT_FOUND = "I could not find a case study about that."
ENGLISH_SOURCES = "The case studies are in English, so the sentences above are quoted in English."


def not_found_text(sections: Sequence[str], elsewhere: Sequence[str] = ()) -> str:
    covered = "; ".join(sections)
    where = ""
    if elsewhere:
        where = f" None of the case studies is from {' or '.join(elsewhere)}: they are from London."
    return f"{NOT_FOUND}{where} The case studies cover: {covered}."


def related_text(topic: str, results: Sequence[CaseResult], elsewhere: Sequence[str]) -> str:
    titles = [f"\u201c{r.case_study.title}\u201d" for r in results[:RELATED_CASES]]
    if elsewhere:
        head = (f"None of the case studies is from {' or '.join(elsewhere)}: they are from "
                "London.")
    else:
        head = f"No case study here is about {topic or 'that'}."
    closest = " and ".join(titles)
    return f"{head} The closest {'are' if len(titles) > 1 else 'is'} {closest}:"


def pick_sentences(sentence_scores: dict[int, float], sentence_case: dict[int, str],
                   top_case: str, limit: int, per_case: int = MAX_PER_CASE) -> list[int]:
    """Best sentences, at most `per_case` from one case study; the top case study's best first."""
    ranked = sorted(sentence_scores, key=lambda i: (-sentence_scores[i], i))
    chosen: list[int] = []
    counts: dict[str, int] = {}
    first = next((i for i in ranked if sentence_case[i] == top_case), None)
    if first is not None:
        chosen.append(first)
        counts[top_case] = 1
    for i in ranked:
        if len(chosen) >= limit:
            break
        case = sentence_case[i]
        if i in chosen or counts.get(case, 0) >= per_case:
            continue
        chosen.append(i)
        counts[case] = counts.get(case, 0) + 1
    return chosen


def _sentence_scores(question: str, scored: Scored, rows: list[int], rank_of: dict[str, int],
                     stored: StoredIndex) -> dict[int, float]:
    """Cosine to the question (e5 for a question not in English), a case-rank penalty, and the
    answer-type bonus."""
    if not scored.english and scored.e5_vector is not None and stored.e5_sentence_vectors is not None:
        cosines = stored.e5_sentence_vectors[rows] @ scored.e5_vector
    else:
        cosines = stored.sentence_vectors[rows] @ scored.query_vector if rows else np.zeros(0)
    kind = answer_type(question)
    return {row: float(c) - CASE_RANK_PENALTY * rank_of[stored.sentences[row].case_id]
            + type_bonus(kind, stored.sentences[row].text) for row, c in zip(rows, cosines)}


def compose(question: str, scored: Scored, results: Sequence[CaseResult], stored: StoredIndex,
            settings: Settings, *, sections: Sequence[str], elsewhere: Sequence[str] = (),
            match: Match = "answered", evidence: Evidence | None = None, topic: str = "") -> Answer:
    """The answer: its sentences (lead first) with citations, and the text they join into.

    `match` says what the question gets: "answered" quotes the best case studies; "related"
    says no case study is about the topic and quotes the closest; "none" is the honest
    "not found". `elsewhere` names places the question is about that no case study is from.
    """
    confidence = evidence.score if evidence else (
        float(np.max(scored.dense)) if len(scored.dense) else 0.0)
    cover = evidence.coverage if evidence else 1.0
    domain = evidence.domain if evidence else 1.0
    signals = dict(evidence.features) if evidence else {}
    if not results or match == "none":
        text = not_found_text(sections, elsewhere)
        return Answer(question, text, (), False, confidence, "none",
                      (AnswerSentence(text, None),), cover, domain, signals)

    considered = results[:RELATED_CASES] if match == "related" else results
    rank_of = {r.case_study.id: i for i, r in enumerate(considered)}
    rows = [row for case in rank_of for row in stored.sentence_rows.get(case, ())]
    scores = _sentence_scores(question, scored, rows, rank_of, stored)
    case_of = {row: stored.sentences[row].case_id for row in rows}
    per_case = 1 if match == "related" else MAX_PER_CASE
    chosen = pick_sentences(scores, case_of, considered[0].case_study.id,
                            settings.answer_sentences, per_case)
    # the lead stays first; the rest read in each case study's own order
    rest = chosen[1:]
    first_seen = {case: i for i, case in reversed(list(enumerate(case_of[r] for r in chosen)))}
    rest.sort(key=lambda r: (first_seen[case_of[r]], stored.sentences[r].char_start))
    chosen = chosen[:1] + rest

    cases = {r.case_study.id: r.case_study for r in considered}
    citations: list[Citation] = []
    marker: dict[str, int] = {}
    out: list[AnswerSentence] = []
    if match == "related":
        out.append(AnswerSentence(related_text(topic, considered, elsewhere), None))
    for row in chosen:
        sentence = stored.sentences[row]
        if sentence.passage_id not in marker:
            citations.append(Citation(cases[sentence.case_id],
                                      stored.passage_by_id[sentence.passage_id]))
            marker[sentence.passage_id] = len(citations)
        out.append(AnswerSentence(sentence.text.strip(), marker[sentence.passage_id]))
    if not scored.english:
        out.append(AnswerSentence(ENGLISH_SOURCES, None))
    text = " ".join(s.text if s.citation is None else f"{s.text} [{s.citation}]" for s in out)
    return Answer(question, text, tuple(citations), match == "answered", confidence, match,
                  tuple(out), cover, domain, signals)
