"""Extractive answers: the sentences of the top case studies that best answer a question."""

from __future__ import annotations

from functools import lru_cache
from typing import Mapping, Sequence

import numpy as np

from casebook.index.answering.evidence import Evidence
from casebook.index.answering.lead import (
    AnswerType,
    answer_type,
    headline,
    holds,
    overlap,
    problem_only,
    rarity,
    terms,
)
from casebook.index.answering.match import Match
from casebook.index.store import StoredIndex
from casebook.records import (
    Answer,
    AnswerSentence,
    CaseResult,
    CaseStudy,
    Citation,
    Passage,
    Scored,
)
from casebook.settings import Settings

CASES_CONSIDERED = 3
MAX_PER_CASE = 2
# Later case studies must beat the top one by a margin to be quoted: the ranking already
# weighed lexical evidence that sentence cosine alone does not see.
CASE_RANK_PENALTY = 0.05
RELATED_CASES = 2
# A sentence's relevance is its cosine to the question plus OVERLAP_WEIGHT times the share of
# the question's words it holds. The lead is the most relevant of the top case study's sentences
# that holds the expected answer type, among its most relevant sentence and those that hold at
# least NEAR of the best share. Chosen on dev fact questions: a plateau over 1.5-3 and 0.5-0.75.
OVERLAP_WEIGHT = 2.0
NEAR = 2 / 3

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


def pick_lead(candidates: Sequence[int], relevance: Mapping[int, float],
              share: Mapping[int, float], texts: Mapping[int, str], kind: AnswerType,
              question: str, near: float = NEAR) -> int | None:
    """The lead among `candidates`: the type is a tie-breaker among the relevant ones, namely the
    most relevant sentence and those holding at least `near` of the best share of the question's
    words; the most relevant of them that holds the expected answer type, else the most relevant."""
    if not candidates:
        return None
    ranked = sorted(candidates, key=lambda i: (-relevance[i], i))
    best_share = max(share[i] for i in candidates)
    relevant = [i for n, i in enumerate(ranked)
                if n == 0 or (best_share > 0 and share[i] >= near * best_share)]
    return next((i for i in relevant if holds(kind, texts[i], question)), ranked[0])


def pick_sentences(sentence_scores: dict[int, float], sentence_case: dict[int, str],
                   lead: int | None, limit: int, per_case: int = MAX_PER_CASE) -> list[int]:
    """The lead, then the best sentences, at most `per_case` from one case study."""
    ranked = sorted(sentence_scores, key=lambda i: (-sentence_scores[i], i))
    chosen: list[int] = []
    counts: dict[str, int] = {}
    if lead is not None:
        chosen.append(lead)
        counts[sentence_case[lead]] = 1
    for i in ranked:
        if len(chosen) >= limit:
            break
        case = sentence_case[i]
        if i in chosen or counts.get(case, 0) >= per_case:
            continue
        chosen.append(i)
        counts[case] = counts.get(case, 0) + 1
    return chosen


def title_lead(result: CaseResult, quoted: Sequence[str]) -> tuple[str, Passage] | None:
    """(what the case study's title says it did, the passage to cite it by), unless the title
    is a bare name or says nothing the quoted sentences do not (a title-only case study)."""
    said = headline(result.case_study.title)
    if said is None or any(said.lower() in q.lower() for q in quoted):
        return None
    return said, result.passages[0].passage


@lru_cache(maxsize=4)
def _rarity(texts: tuple[str, ...]) -> dict[str, float]:
    return rarity(texts)


def _sentence_scores(question: str, scored: Scored, rows: list[int], rank_of: dict[str, int],
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


def compose(question: str, scored: Scored, results: Sequence[CaseResult], stored: StoredIndex,
            settings: Settings, *, sections: Sequence[str], elsewhere: Sequence[str] = (),
            match: Match = "answered", evidence: Evidence | None = None, topic: str = "") -> Answer:
    """The answer: its sentences (lead first) with citations, and the text they join into.

    `match` says what the question gets: "answered" quotes the best case studies; "related"
    says no case study is about the topic and quotes the closest; "none" is the honest
    "not found". `elsewhere` names places the question is about that no case study is from.
    """
    confidence = evidence.score if evidence else (
        float(np.max(scored.dense)) if scored.dense is not None and len(scored.dense) else 0.0)
    cover = evidence.coverage if evidence else 1.0
    domain = evidence.domain if evidence else 1.0
    signals = dict(evidence.features) if evidence else {}
    if not results or match == "none":
        text = not_found_text(sections, elsewhere)
        return Answer(question, text, (), False, confidence, "none",
                      (AnswerSentence(text, None),), cover, domain, signals)

    considered = results[:RELATED_CASES] if match == "related" else results
    rank_of = {r.case_study.id: i for i, r in enumerate(considered)}
    cases = {r.case_study.id: r.case_study for r in considered}
    rows = [row for case in rank_of for row in stored.sentence_rows.get(case, ())]
    scores, shares = _sentence_scores(question, scored, rows, rank_of, stored, cases)
    case_of = {row: stored.sentences[row].case_id for row in rows}
    top_case = considered[0].case_study.id
    kind = answer_type(question)
    own = [r for r in rows if case_of[r] == top_case]
    lead = pick_lead(own, scores, shares, {r: stored.sentences[r].text for r in rows}, kind,
                     question)
    per_case = 1 if match == "related" else MAX_PER_CASE
    chosen = pick_sentences(scores, case_of, lead, settings.answer_sentences, per_case)
    # "how did they ...", the lead tells the problem and nothing the best case study's text
    # says is what was done (the source page's summaries often stop at the problem): its title
    # says what it did, so that leads
    done = (title_lead(considered[0], [stored.sentences[r].text for r in chosen])
            if match == "answered" and lead is not None and problem_only(
                kind, stored.sentences[lead].text, [stored.sentences[r].text for r in own],
                question) else None)
    if done is not None and len(chosen) > 1:
        # the title is one of the best case study's quotes: it makes room by dropping that
        # case study's last sentence, so that the others stay cited
        mine = [r for r in chosen[1:] if case_of[r] == top_case]
        chosen.remove(mine[-1] if mine else chosen[-1])
    # the lead stays first; the rest read in each case study's own order
    rest = chosen[1:]
    first_seen = {case: i for i, case in reversed(list(enumerate(case_of[r] for r in chosen)))}
    rest.sort(key=lambda r: (first_seen[case_of[r]], stored.sentences[r].char_start))
    chosen = chosen[:1] + rest

    citations: list[Citation] = []
    marker: dict[str, int] = {}
    out: list[AnswerSentence] = []
    if match == "related":
        out.append(AnswerSentence(related_text(topic, considered, elsewhere), None))
    if done is not None:
        citations.append(Citation(considered[0].case_study, done[1]))
        marker[done[1].id] = 1
        out.append(AnswerSentence(done[0], 1))
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
