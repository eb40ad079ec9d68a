"""Questions about the boroughs as a whole, answered from the records (pure): how many
boroughs the case studies come from, which has the most, which have more than one.

No search score can answer them: every case study is equally about "boroughs", and the answer
is a count over the borough field, as a section's count is over the section field.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from casebook.index.answering.prose import case_studies, count_words, join
from casebook.index.answering.shapes import UNITS
from casebook.records import CaseStudy

Tally = Literal["count", "most", "more_than"]

_BOROUGHS = re.compile(r"\bboroughs?\b", re.IGNORECASE)
_HOW_MANY = re.compile(r"\b(?:how\s+many|number\s+of)\s+(?:\w+\s+)?boroughs\b", re.IGNORECASE)
# "the most case studies", "appears the most": not "the most link workers", a count of
# something else, which the summaries' figures hold and the borough field does not
_MOST = re.compile(rf"\bthe\s+most\b(?!\s+(?!{UNITS}\b)[a-z])", re.IGNORECASE)
# "which boroughs are covered?": every borough, as a count of them names them all
_WHICH = re.compile(r"\b(?:which|what)\s+(?:london\s+)?boroughs\b", re.IGNORECASE)
_MORE_THAN = re.compile(r"\b(?:more\s+than\s+(?P<n>one|two|three|four|once|twice|[1-9]\d*)"
                        r"|several|multiple|two\s+or\s+more)\b", re.IGNORECASE)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "once": 1, "twice": 2}
# the tally's own words; any other word of the question's topic asks about a topic, whose case
# studies the boroughs are read from instead ("which boroughs have the most vaccine work?")
TALLY_WORDS = frozenset({"borough", "boroughs", "most", "more", "than", "one", "two", "three",
                         "four", "once", "twice", "several", "multiple", "covered", "london",
                         "number", "case", "studies", "study", "represented", "appear",
                         "appears", "listed", "come", "comes", "from"})


@dataclass(frozen=True)
class Asked:
    kind: Tally
    more_than: int = 1


def tally_asked(question: str, topic: Sequence[str]) -> Asked | None:
    """What a question about the boroughs as a whole asks; None for any other question.
    `topic`: its topic words (selection.topic_words), which must be the tally's own."""
    if not _BOROUGHS.search(question) or any(w not in TALLY_WORDS and not w.isdigit()
                                             for w in topic):
        return None
    if _HOW_MANY.search(question):
        return Asked("count")
    if _MOST.search(question):
        return Asked("most")
    more = _MORE_THAN.search(question)
    if more:
        n = more.group("n")
        return Asked("more_than", int(n) if n and n.isdigit() else _NUMBERS.get(n or "", 1))
    if _WHICH.search(question):
        return Asked("count")
    return None


def per_borough(cases: Sequence[CaseStudy]) -> Counter[str]:
    return Counter(b for case in cases for b in case.boroughs)


def tally_sentences(asked: Asked, cases: Sequence[CaseStudy]) -> tuple[list[str], list[str]]:
    """The answer's sentences, and the boroughs whose case studies it lists (none for a count
    of every borough: the list would be the whole collection)."""
    counts = per_borough(cases)
    unplaced = sum(not case.boroughs for case in cases)
    if asked.kind == "count":
        places = sorted(counts)
        said = [f"The case studies come from {count_words(len(places))} London boroughs: "
                f"{join(places)}."]
        if unplaced:
            verb = "names" if unplaced == 1 else "name"
            said.append(f"{count_words(unplaced, True)} of the {count_words(len(cases))} case "
                        f"studies {verb} no borough.")
        return said, []
    if asked.kind == "most":
        top = max(counts.values(), default=0)
        first = sorted(b for b, n in counts.items() if n == top)
        verb = "has" if len(first) == 1 else "have"
        each = "" if len(first) == 1 else " each"
        return [f"{join(first)} {verb} the most case studies: {count_words(top)}{each}."], first
    kept = sorted((b for b, n in counts.items() if n > asked.more_than),
                  key=lambda b: (-counts[b], b))
    if not kept:
        return [f"No borough has more than {count_words(asked.more_than)} "
                f"{case_studies(asked.more_than)}."], []
    by_count: dict[int, list[str]] = {}
    for b in kept:
        by_count.setdefault(counts[b], []).append(b)
    parts = [f"{join(names)} ({count_words(n)}{' each' if len(names) > 1 else ''})"
             for n, names in by_count.items()]
    units = "borough has" if len(kept) == 1 else "boroughs have"
    study = case_studies(asked.more_than)
    return [f"{count_words(len(kept), True)} {units} more than {count_words(asked.more_than)} "
            f"{study}: {'; '.join(parts)}."], kept
