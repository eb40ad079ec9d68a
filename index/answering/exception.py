"""What a question sets aside: "apart from the training hubs, ...", "which boroughs other than
Lambeth ...". The section or borough it names there is no field the answer is read through;
its case studies are left out of the answer (pure)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from casebook.index.answering.prose import join
from casebook.index.answering.selection import boroughs_named, section_named
from casebook.index.answering.shapes import UNITS
from casebook.records import Answer, AnswerSentence, CaseStudy

_EXCEPT = re.compile(r"\b(?:apart\s+from|other\s+than|except(?:\s+for)?|excluding|aside\s+from|"
                     r"besides|not\s+counting)\s+", re.IGNORECASE)
# what a section's name may end on: "the video case studies", "the vaccine section"
_UNIT_AFTER = re.compile(rf"^\s*(?:{UNITS}|section)\b", re.IGNORECASE)
# how far after "apart from" the thing set aside may end ("the Personalised Care in Secondary
# Care section")
_MOST_WORDS = 10


@dataclass(frozen=True)
class Excepted:
    """The question with what it sets aside taken out, and the section and boroughs that were."""

    question: str
    section: str | None = None
    places: tuple[str, ...] = ()

    def keeps(self, case: CaseStudy) -> bool:
        return case.section != self.section and not set(case.boroughs) & set(self.places)


def sets_aside(question: str) -> bool:
    """The question says "apart from", "other than", "except" or the like."""
    return _EXCEPT.search(question) is not None


def excepted(question: str, sections: Sequence[str], boroughs: Sequence[str]) -> Excepted:
    """The question less "apart from X" where X is a section or borough (the shortest run of
    words after the phrase that names one); the question as it is where it sets aside nothing
    the records hold (a topic: "apart from vaccines" is left to the words)."""
    found = _EXCEPT.search(question)
    if not found:
        return Excepted(question)
    for word in list(re.finditer(r"\S+", question[found.end():]))[:_MOST_WORDS]:
        said = question[found.end():found.end() + word.end()].rstrip(",;:?.!")
        section, places = section_named(said, sections), boroughs_named(said, boroughs)
        if section or places:
            end = found.end() + len(said)  # its punctuation stays the question's
            if unit := _UNIT_AFTER.match(question[end:]):
                end += unit.end()
            # the clause's own commas go with it: "Which boroughs, other than X, have ..."
            before = question[:found.start()].rstrip().removesuffix(",")
            after = question[end:].strip().removeprefix(",").lstrip()
            rest = " ".join(filter(None, (before, after)))
            if not re.search(r"\w", rest):
                return Excepted(question)  # nothing asked beside it: the question as it is
            rest = re.sub(r"\s+([?.!])$", r"\1", rest)
            return Excepted(rest[:1].upper() + rest[1:], section, places)
    return Excepted(question)


def said_aside(answer: Answer, aside: Excepted) -> Answer:
    """`answer` telling, after its first sentence, what it left out: "Lambeth's case studies are
    left out, as asked."; as it is where nothing was set aside or it has no sentence."""
    if not (aside.section or aside.places) or not answer.sentences:
        return answer
    left = [f"the \u201c{aside.section}\u201d section\u2019s"] if aside.section else []
    left += [f"{place}\u2019s" for place in aside.places]
    said = join(left)
    sentence = AnswerSentence(f"{said[:1].upper()}{said[1:]} case studies are left out, as asked.",
                              None)
    first = answer.sentences[0]
    shown = first.text if first.citation is None else f"{first.text} [{first.citation}]"
    text = answer.answer.replace(shown, f"{shown} {sentence.text}", 1)
    return dataclasses.replace(answer, answer=text, sentences=(
        first, sentence, *answer.sentences[1:]))
