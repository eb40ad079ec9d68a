"""The labelled question set and its fixed dev/test split."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from casebook.errors import CorpusError

Split = Literal["dev", "test", "all"]
SPLITS: tuple[Split, ...] = ("dev", "test", "all")
# Out-of-scope kinds: a near miss is a social prescribing topic the corpus has no case study
# about; every other unanswerable question counts as far from the domain.
NEAR_MISS = "near_miss"


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    relevant: tuple[str, ...]  # case study ids, best first; empty = out of scope
    kind: str = ""
    follows: str | None = None  # id of the question this one follows up in a conversation
    lang: str = "en"
    answer: str | None = None  # for fact questions: the string the lead sentence must hold
    # What a right answer holds (eval/answers.jsonl): the strings a fact answer contains, the
    # number of case studies a count answer gives first, the boroughs a where answer names.
    facts: tuple[str, ...] = ()
    count: int | None = None
    boroughs: tuple[str, ...] = ()

    @property
    def in_scope(self) -> bool:
        return bool(self.relevant)

    @property
    def scope(self) -> str:
        """in_scope, near_miss or far: the three groups the answered/related/none rates use."""
        if self.in_scope:
            return "in_scope"
        return NEAR_MISS if self.kind == NEAR_MISS else "far"


@dataclass(frozen=True)
class SimilarGroup:
    id: str  # the case study whose neighbours are judged
    similar: tuple[str, ...]  # case studies a programme lead would call similar to it
    why: str = ""


def normalise(text: str) -> str:
    """What the split hashes: NFKC, lower case, single spaces (so re-typing cannot move a question)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().lower()


def split_of(text: str) -> Literal["dev", "test"]:
    """dev if the first byte of sha256(normalised text) is even, else test: fixed forever."""
    return "dev" if hashlib.sha256(normalise(text).encode("utf-8")).digest()[0] % 2 == 0 else "test"


def _read_jsonl(path: Path, what: str) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise CorpusError(f"No {what} at {path}.",
                          hint="Pass a JSONL file; eval/README.md describes the fields.") from None
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{path} line {number} is not JSON ({exc}).") from exc
        if not isinstance(row, dict):
            raise CorpusError(f"{path} line {number} is not a JSON object.")
        rows.append(row)
    return rows


def load_questions(path: Path) -> list[Question]:
    questions = []
    for number, row in enumerate(_read_jsonl(path, "question set"), 1):
        try:
            questions.append(Question(
                str(row["id"]), str(row["question"]), tuple(row.get("relevant", ())),
                str(row.get("kind", "")), row.get("follows"),
                str(row.get("lang", "en")), row.get("answer"),
                tuple(row.get("facts", ())), row.get("count"),
                tuple(row.get("boroughs", ()))))
        except (KeyError, TypeError) as exc:
            raise CorpusError(f"{path} record {number} is not a question record ({exc}).") from exc
    return questions


def load_similar(path: Path) -> list[SimilarGroup]:
    groups = []
    for number, row in enumerate(_read_jsonl(path, "similar-projects set"), 1):
        try:
            groups.append(SimilarGroup(str(row["id"]), tuple(row["similar"]),
                                       str(row.get("why", ""))))
        except (KeyError, TypeError) as exc:
            raise CorpusError(f"{path} record {number} is not a similar group ({exc}).") from exc
    return groups


def root_text(question: Question, by_id: dict[str, Question]) -> str:
    """The text a question is split by: a follow-up goes wherever its conversation's opener goes."""
    seen = set()
    while question.follows and question.follows in by_id and question.id not in seen:
        seen.add(question.id)
        question = by_id[question.follows]
    return question.question


def select(questions: Sequence[Question], split: Split) -> list[Question]:
    """The questions of one split (follow-ups travel with the question they follow)."""
    if split == "all":
        return list(questions)
    by_id = {q.id: q for q in questions}
    return [q for q in questions if split_of(root_text(q, by_id)) == split]


def select_similar(groups: Sequence[SimilarGroup], split: Split) -> list[SimilarGroup]:
    return list(groups) if split == "all" else [g for g in groups if split_of(g.id) == split]
