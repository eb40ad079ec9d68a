"""Sentences of each case study, each tied to the passage that contains it (for answers)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from casebook.index.text.chunking import split_sentences
from casebook.records import CaseStudy, Passage

MIN_WORDS = 4  # shorter fragments ("Case Study") make poor answers
# A semicolon between two clauses of at least this many words joins two sentences: each says
# its own thing ("There were few vaccinators from the community; some women felt ..."). One
# before "and ..." or a short list item does not, nor one after a subordinate opening ("To
# support the new staff, ...; the CCG worked ..."), which leans on the clause after it.
MIN_CLAUSE_WORDS = 6
_SEMICOLON = re.compile(r";\s+(?!(?:and|or|but|nor|as well as)\b)", re.IGNORECASE)
_SUBORDINATE = re.compile(r"^\W*(?:to|while|whilst|although|though|when|whenever|if|unless|because|"
                          r"as|since|after|before|despite|once|until|whether)\b", re.IGNORECASE)


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


def clauses(start: int, text: str) -> list[tuple[int, str]]:
    """A sentence cut at the semicolons that join two full clauses, as (offset, text) spans."""
    out: list[tuple[int, str]] = []
    begin = 0
    for match in _SEMICOLON.finditer(text):
        left, right = text[begin:match.start()], text[match.end():]
        if (len(left.split()) >= MIN_CLAUSE_WORDS and len(right.split()) >= MIN_CLAUSE_WORDS
                and not _SUBORDINATE.match(left)):
            out.append((start + begin, left.strip()))
            begin = match.end()
    out.append((start + begin, text[begin:].strip()))
    return out


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
        spans = [c for start, text in split_sentences(case.text) for c in clauses(start, text)]
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
