"""What a question's retrieval says about whether the case studies cover it: named features.

Every feature is a property of the scores, the corpus or general English, never of a list of
topics, so it means the same for questions nobody has asked yet:

- how strongly the best case study matched (calibrated score, fused score, best e5 / MiniLM /
  BM25 values) and how much it stands out from the rest (z-score, entropy of the scores),
- coverage: the idf-weighted share of the question's words that the best case studies hold,
- how well the best case study's single best sentence matches (e5 and MiniLM), and
- what the best case study does not say: the question's words its text lacks (what "social
  prescribing for people with X" leaves when no case study names X), read by e5 against that
  case study's sentences, so that "jab" still finds a sentence about vaccination while
  "gambling" finds nothing, and
- whether the question is about this field at all, read from its whole e5 query vector by a
  logistic model fitted on dev (field_e5): "is my GP open on bank holiday Monday?" shares words
  and cosine with case studies about GP practices, but not their kind of question.

`match.decide` reads them through two logistic models fitted on the dev split.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from casebook.index.answering.corpus_words import question_words
from casebook.index.retrieval.calibrate import standout
from casebook.index.text.acronyms import expand_acronyms
from casebook.index.text.terms import stem, tokenize, words
from casebook.records import CaseResult, Scored

TOP_CASES = 2  # coverage counts the words of the best two case studies
# A stem in at least this share of the case studies is the field's own vocabulary: that the best
# case study happens to lack "workers" or "covid" says nothing about the question's topic.
COMMON_SHARE = 0.25

FEATURES: tuple[str, ...] = (
    "score", "fused_top", "fused_z", "entropy", "coverage", "e5_top", "minilm_top", "bm25_top",
    "english", "e5_z", "bm25_mean", "sentence_e5", "sentence_minilm", "missing_sentence_e5",
    "field_e5")
# What means the same whatever the question's language: e5's views and the fused and
# calibrated scores. BM25, MiniLM and word coverage read English only, so a question in another
# language is judged by models that never saw them.
ANY_LANGUAGE: tuple[str, ...] = ("score", "fused_top", "fused_z", "entropy", "e5_top", "e5_z",
                                 "sentence_e5", "english", "field_e5")


@dataclass(frozen=True)
class Evidence:
    score: float  # calibrated score of the best case study
    coverage: float  # idf-weighted share of the question's terms found in the best case studies
    missing: tuple[str, ...]  # the question's terms none of them holds, rarest first
    domain: float = 1.0  # e5 cosine of the best passage: how near the field the question is
    features: dict[str, float] = field(default_factory=dict)  # FEATURES, by name


@lru_cache(maxsize=4)
def _document_frequency(texts: tuple[str, ...]) -> tuple[Counter[str], int]:
    df: Counter[str] = Counter()
    for text in texts:
        df.update(set(tokenize(expand_acronyms(text))))
    return df, len(texts)


def coverage(question: str, results: Sequence[CaseResult],
             corpus: tuple[str, ...]) -> tuple[float, tuple[str, ...]]:
    """(how much of the question the best case studies' text holds, the missing terms); 1.0 for
    a question of no content words: nothing is missing."""
    df, n = _document_frequency(corpus)
    terms = list(dict.fromkeys(tokenize(expand_acronyms(question, keep=False))))
    if not terms:
        return 1.0, ()
    held: set[str] = set()
    for result in results[:TOP_CASES]:
        held |= set(tokenize(expand_acronyms(result.case_study.text)))
    # a word in no case study is as rare as can be: it weighs like a word in one
    idf = {t: math.log((n + 1) / (df.get(t, 0) + 0.5)) for t in terms}
    total = sum(idf.values())
    missing = sorted((t for t in terms if t not in held), key=lambda t: -idf[t])
    covered = total - sum(idf[t] for t in missing)
    return (covered / total if total else 1.0), tuple(missing)


def scarce(terms: Sequence[str], corpus: tuple[str, ...], at_most: int = 0) -> frozenset[str]:
    """Those of `terms` (stems) that at most `at_most` texts of the corpus hold."""
    df, _ = _document_frequency(corpus)
    return frozenset(t for t in terms if df.get(t, 0) <= at_most)


@lru_cache(maxsize=4)
def common_stems(corpus: tuple[str, ...], share: float = COMMON_SHARE) -> frozenset[str]:
    """Stems in at least `share` of the corpus's texts: the field's own words."""
    df, n = _document_frequency(corpus)
    return frozenset(t for t, count in df.items() if count >= share * n)


def unheld_words(question: str, text: str, common: frozenset[str] = frozenset()) -> list[str]:
    """The question's words whose stems `text` does not hold, in order. The words that shape a
    question ("how", "did", "examples") and the field's common words (`common` stems: "link",
    "workers", "covid") say nothing about what a case study lacks."""
    held = set(tokenize(expand_acronyms(text))) | common
    shaping = question_words()
    return [w for w in dict.fromkeys(words(expand_acronyms(question, keep=False)))
            if w not in shaping and stem(w) not in held]


def title_bears(topic: str, title: str, plain: frozenset[str]) -> bool:
    """Whether a title holds a stem of the question's topic words that is not one of `plain`
    (the field's common words and its generic ones): "supporting cancer patients" bears on
    "cancer", and nothing in it on "unpaid carers" but "link worker". Acronyms are spelled out
    on both sides ("A&E" and "accident and emergency" meet)."""
    def stems(text: str) -> set[str]:
        return set(tokenize(expand_acronyms(text, keep=False)))
    return bool((stems(topic) & stems(title)) - plain)


def _entropy(scores: np.ndarray) -> float:
    total = float(scores.sum())
    if total <= 0:
        return 0.0
    p = scores / total
    return float(-(p * np.log(p + 1e-12)).sum())


def case_level(values: np.ndarray, passage_case: np.ndarray, cases: int) -> np.ndarray:
    out = np.full(cases, -np.inf)
    np.maximum.at(out, passage_case, values)
    return out


@dataclass(frozen=True)
class SentenceEvidence:
    """How the best case study's single best sentences match the question, and e5's field
    model: the features a question's scores alone do not give."""

    minilm: float = 0.0  # its best sentence's MiniLM cosine to the question
    e5: float = 0.0  # the same by e5
    # by e5, to the question's words the case study lacks (1.0: it lacks none, nothing unsaid)
    missing_e5: float = 1.0
    field_e5: float = 0.0  # the field model's logit (0.0: even odds, without the model)


def features(scored: Scored, results: Sequence[CaseResult], covered: float,
             sentences: SentenceEvidence) -> dict[str, float]:
    """Every feature of FEATURES from one question's scores (pure)."""
    passage_case, cases = scored.rows.passage_case, scored.rows.cases
    final = case_level(scored.final, passage_case, cases)
    fused = case_level(scored.fused if scored.fused is not None else scored.final, passage_case,
                       cases)
    e5 = scored.signals.get("e5_passage")
    bm25 = case_level(scored.signals.get("bm25", scored.lexical), passage_case, cases)
    return {
        "score": results[0].score if results else 0.0,
        "fused_top": float(fused.max()) if cases else 0.0,
        "fused_z": standout(fused),
        "entropy": _entropy(final),
        "coverage": covered,
        "e5_top": scored.features.get("e5_top", 0.0),
        "minilm_top": scored.features.get("minilm_top", 0.0),
        "bm25_top": scored.features.get("bm25_top", 0.0),
        "english": 1.0 if scored.english else 0.0,
        "e5_z": standout(case_level(e5, passage_case, cases)) if e5 is not None else 0.0,
        "bm25_mean": float(bm25.mean()) if cases else 0.0,
        "sentence_e5": sentences.e5,
        "sentence_minilm": sentences.minilm,
        "missing_sentence_e5": sentences.missing_e5,
        "field_e5": sentences.field_e5,
    }
