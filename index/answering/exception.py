"""What a question sets aside: "apart from the training hubs, ...", "which boroughs other than
Lambeth ...". The section or borough it names there is no field the answer is read through;
its case studies are left out of the answer (pure)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from casebook.index.answering.prose import count_words, focus, join, reworded
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
    # the case studies a follow-up asking for others ("who else ...?") was shown before
    shown: tuple[CaseStudy, ...] = ()

    def keeps(self, case: CaseStudy) -> bool:
        return case.section != self.section and not set(case.boroughs) & set(self.places) \
            and case.id not in {c.id for c in self.shown}


# "who else ...?", "anyone else ...?", "where else ...?": others than those already given; "what
# else ...?" asks more of the same (conversation.asks_for_more)
_ELSE = re.compile(r"\b(?P<who>who|whom|anyone|anybody|where|which\s+\w+)\s+else\b", re.IGNORECASE)


def others_asked(question: str) -> str | None:
    """A question asking for others than those already given, without its "else" ("who else
    worked with faith groups?" -> "who worked with faith groups?"); None for any other."""
    found = _ELSE.search(question)
    if not found:
        return None
    return f"{question[:found.start()]}{found.group('who')}{question[found.end():]}"


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
    left out, as asked."; one asking for others than those given before says so first ("“The
    Well Centre”, given before, is left out."), and "no case study" becomes "no other case
    study".
    As it is where nothing was set aside or it has no sentence."""
    if not (aside.section or aside.places or aside.shown) or not answer.sentences:
        return answer
    if aside.shown:
        return _besides(answer, aside.shown)
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


def _besides(answer: Answer, given: Sequence[CaseStudy]) -> Answer:
    titles = join([f"\u201c{focus(c)}\u201d" for c in given])
    said = f"The {count_words(len(given))} case studies given before are" if len(given) > 2 \
        else f"{titles}, given before, {'is' if len(given) == 1 else 'are'}"
    others = reworded(answer, _other)
    if not answer.found:
        return others
    lead = AnswerSentence(f"{said} left out.", None)
    return dataclasses.replace(others, answer=f"{lead.text} {others.answer}",
                               sentences=(lead, *others.sentences))


_NO_CASE = re.compile(r"^No case study here\b")


def _other(sentence: AnswerSentence) -> AnswerSentence:
    """"No case study here is about faith groups." said of the rest: "No other case study ..."."""
    return dataclasses.replace(sentence, text=_NO_CASE.sub("No other case study here",
                                                           sentence.text))
