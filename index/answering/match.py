"""Does a case study cover the question? answered, related (none covers it) or none (outside
the domain), decided by two logistic models over the evidence (answering/evidence.py), both
fitted on the dev split by `casebook eval --tune` (casebook/data/tuned.json):

- domain: P(the question is about this field at all); under one half it gets "none",
- answer: P(a case study covers it, given it is in the field); under one half, "related".

A question not in English is read by a second pair fitted on the features that mean the same in
any language (evidence.ANY_LANGUAGE): BM25, MiniLM and word coverage see English only.

A question about dementia scores well on "social prescribing" and "people", but its topic,
dementia, is near no case study: the topic features and the coverage say so.
"""

from __future__ import annotations

from typing import Literal

from casebook.index.answering.evidence import Evidence
from casebook.index.retrieval.tuned import Tuned

Match = Literal["answered", "related", "none"]
CUT = 0.5  # both models estimate probabilities: decide for the likelier side


def probabilities(evidence: Evidence, tuned: Tuned) -> tuple[float, float]:
    """(P(in the field), P(covered | in the field)) for a question's evidence."""
    if evidence.features.get("english", 1.0):
        return tuned.domain(evidence.features), tuned.answer(evidence.features)
    return tuned.domain_any(evidence.features), tuned.answer_any(evidence.features)


def decide(evidence: Evidence, tuned: Tuned) -> Match:
    domain, answer = probabilities(evidence, tuned)
    if domain < CUT:
        return "none"
    return "answered" if answer >= CUT else "related"
