"""Sentences of each case study, each tied to the passage that contains it (for answers)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Sequence

from casebook.ingest.chunk import split_sentences
from casebook.records import CaseStudy, Passage

MIN_WORDS = 4  # shorter fragments ("Case Study") make poor answers


@dataclass(frozen=True)
class Sentence:
    id: str  # f"{case_id}~{ordinal}"
    case_id: str
    passage_id: str
    text: str
    char_start: int

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Sentence:
        return cls(**data)


def _containing_passage(passages: Sequence[Passage], start: int) -> Passage:
    for passage in passages:
        if passage.char_start <= start < passage.char_start + len(passage.text):
            return passage
    return passages[0]


def sentences_of(cases: Sequence[CaseStudy], passages: Sequence[Passage]) -> list[Sentence]:
    """Every answer-worthy sentence of every case study, in corpus order."""
    by_case: dict[str, list[Passage]] = {}
    for passage in passages:
        by_case.setdefault(passage.case_id, []).append(passage)
    result = []
    for case in cases:
        own = by_case.get(case.id)
        if not own:
            continue
        spans = split_sentences(case.text)
        # a title-only case study has just its title to offer
        has_body = len(spans) > 1
        for ordinal, (start, text) in enumerate(spans):
            if has_body and start == 0 and text.strip() == case.title.strip():
                continue
            if has_body and len(text.split()) < MIN_WORDS:
                continue
            passage = _containing_passage(own, start)
            result.append(Sentence(f"{case.id}~{ordinal}", case.id, passage.id, text, start))
    return result
