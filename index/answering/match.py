"""Does a case study cover the question? answered, related (none covers it) or none (outside
the domain), decided by signals that do not depend on which questions were asked:

- domain: the best passage's e5 cosine; under the tuned floor, the question is outside the field,
- the calibrated score of the best case study (P(relevant), see retrieval/calibrate.py), and
- coverage: the share of the question's content, weighted by how rare each word is in the
  corpus, that occurs in the best case studies' own text (after acronym expansion and
  stemming). A question about dementia scores well on "social prescribing" and "people" but
  the word that carries it, "dementia", is in no case study.

The thresholds come from the dev split (`casebook eval --tune`, casebook/data/tuned.json).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, Sequence

from casebook.index.lexical import tokenize
from casebook.index.retrieval.tuned import Tuned
from casebook.index.vocabulary import expand_acronyms
from casebook.records import CaseResult

Match = Literal["answered", "related", "none"]
TOP_CASES = 2  # coverage counts the words of the best two case studies


@dataclass(frozen=True)
class Evidence:
    score: float  # calibrated score of the best case study
    coverage: float  # idf-weighted share of the question's terms found in the best case studies
    missing: tuple[str, ...]  # the question's terms none of them holds, rarest first
    domain: float = 1.0  # e5 cosine of the best passage: how near the field the question is


@lru_cache(maxsize=4)
def _document_frequency(texts: tuple[str, ...]) -> tuple[Counter[str], int]:
    df: Counter[str] = Counter()
    for text in texts:
        df.update(set(tokenize(expand_acronyms(text))))
    return df, len(texts)


def coverage(question: str, results: Sequence[CaseResult], corpus: tuple[str, ...]) -> Evidence:
    """How much of the question the best case studies' text holds (1.0 for a question of no
    content words: nothing is missing)."""
    df, n = _document_frequency(corpus)
    terms = list(dict.fromkeys(tokenize(expand_acronyms(question, keep=False))))
    if not terms:
        return Evidence(results[0].score if results else 0.0, 1.0, ())
    held = set()
    for result in results[:TOP_CASES]:
        held |= set(tokenize(expand_acronyms(result.case_study.text)))
    # a word in no case study is as rare as can be: it weighs like a word in one
    idf = {t: math.log((n + 1) / (df.get(t, 0) + 0.5)) for t in terms}
    total = sum(idf.values())
    missing = sorted((t for t in terms if t not in held), key=lambda t: -idf[t])
    covered = total - sum(idf[t] for t in missing)
    return Evidence(results[0].score if results else 0.0, covered / total if total else 1.0,
                    tuple(missing))


def decide(evidence: Evidence, tuned: Tuned) -> Match:
    # e5 is multilingual, so one threshold on its best cosine serves every language
    if evidence.domain < tuned.none_below:
        return "none"
    if evidence.score >= tuned.answered and evidence.coverage >= tuned.coverage:
        return "answered"
    return "related"
