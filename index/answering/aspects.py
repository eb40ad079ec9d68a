"""A comparison set out aspect by aspect: what the question asks about, then the need, what was
done and what came of it, each with what every compared case study's summary says of it.

A reader comparing two services reads across them one point at a time; a case study's
sentences one after another, then the other's, leave the comparing to the reader. Pure: the
compose step picks, quotes and cites the sentences.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence

from casebook.index.answering.corpus_words import asks
from casebook.index.answering.lead import (
    NUMBER,
    OUTCOME,
    PROBLEM,
    AnswerType,
    answer_type,
    holds,
)
from casebook.index.answering.selection import topic_words
from casebook.index.answering.shapes import without_comparison
from casebook.index.answering.subject import only_a_verb
from casebook.index.text.terms import tokenize
from casebook.records import AnswerAspect, AnswerItem, AnswerSentence

NEED = "The need"
DONE = "What was done"
RESULT = "What came of it"
MORE = "Other detail"

# in this order: a sentence on a need that says what was done about it tells the need first
KINDS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    (NEED, lambda t: bool(PROBLEM.search(t))),
    (DONE, lambda t: holds("action", t)),
    (RESULT, lambda t: bool(OUTCOME.search(t))),
)
ORDER = (NEED, DONE, RESULT, MORE)

# a question that asks for one kind of fact: the aspect is named by the kind
_KIND_LABELS: dict[AnswerType, str] = {"name": "Who", "date": "When", "number": "How many",
                                       "reason": "Why"}
# where its topic makes no label: what was asked, by the kind of answer it wants
_FALLBACK = {"action": DONE, "outcome": RESULT, "any": "Closest to the question"}
# a comparison of how each did something: "compare how X and Y reached ...", "differ in how
# they ...", "how each of them ..."
_HOW_DONE = re.compile(r"\b(?:compare|contrast|differ(?:s|ed)?\s+in|difference\s+in|between)\s+"
                       r"how\b|\bhow\s+(?:they|each(?:\s+of\s+them)?|both(?:\s+of\s+them)?)\s+"
                       r"(?!(?:are|is|were|was|compare|differ)\b)\w+", re.I)
# "the first two", "the top three": which case studies, not what about them
_GROUP_WORDS = re.compile(r"\bthe\s+(?:(?:first|top|last)\s+)?(?:two|three|four)\b", re.I)
# an asked topic longer than this is no label: the question is not about one thing
ASKED_MOST_WORDS = 5
# a question longer than this (in words) tells a situation; what it asks is not one run of it
LONG_QUESTION = 25
_WORD = re.compile(r"[\w’'&-]+")
# words a topic runs on through ("funding for social prescribing"), never ends on
_LINKS = frozenset({"the", "a", "an", "of", "for", "about", "with", "to", "in", "on", "by"})


def kind_of(text: str) -> str:
    """The aspect a sentence tells: the first kind it holds, else `MORE`."""
    return next((label for label, tells in KINDS if tells(text)), MORE)


def kind_asked(label: str | None) -> AnswerType | None:
    """The kind of fact a label made from it names ("When": "date"), else None."""
    return next((kind for kind, named in _KIND_LABELS.items() if named == label), None)


def asked_label(question: str, named: Collection[str], places: Sequence[str]) -> str | None:
    """What a comparison asks about beyond the case studies it names, as a label: the kind of
    fact it asks for ("Who", "When"), or its topic as the asker put it ("Funding for social
    prescribing", "Supporting young people"): the run of the question's own lower-case words
    around a topic word that none of the compared titles (`named`, their stems) or `places`
    holds. None: it asks about nothing beyond them ("Compare the two Lewisham case studies")."""
    kind = answer_type(question)
    if kind in _KIND_LABELS:
        return _KIND_LABELS[kind]
    if _HOW_DONE.search(question):
        # "compare how Hounslow and Southwark reached people": what each did, whatever it did
        # it to ("the vaccine" is what both are about, not what is compared)
        return DONE
    text = _GROUP_WORDS.sub(" ", without_comparison(question))
    topic = set(tokenize(" ".join(topic_words(text, None, places)))) - set(named)
    words = list(_WORD.finditer(text))
    own = [w.group(0).islower() and not asks(w.group(0)) and not NUMBER.fullmatch(w.group(0))
           for w in words]
    anchors = [i for i, w in enumerate(words) if own[i] and set(tokenize(w.group(0))) & topic]
    if len(words) > LONG_QUESTION:
        # a story of a question ("I'm a GP and PCN clinical director. The networks ...") asks
        # about more than a run of its words can name
        return _FALLBACK.get(kind)
    if not anchors:
        # "compare what came of the Ealing and Barnet work": what was asked is the kind alone
        return None if kind == "any" else _FALLBACK.get(kind)
    low = high = anchors[0]
    for step in (-1, 1):
        at = low if step < 0 else high
        j = at + step
        # a run is one phrase: it stops at a comma or a full stop ("clinical director. The
        # networks" is two)
        # and runs on through a link word forward only: "the Ealing meditation on anxiety"
        # asks about anxiety, "funding for social prescribing" about all of it
        while 0 <= j < len(words) and (own[j] or (step > 0
                                                  and words[j].group(0).lower() in _LINKS)) \
                and not text[words[min(j, j - step)].end():words[max(j, j - step)].start()].strip():
            if own[j]:
                at = j
            j += step
        low, high = (at, high) if step < 0 else (low, at)
    run = text[words[low].start():words[high].end()]
    if all(OUTCOME.search(w) for w in run.split()):
        return RESULT  # "compare the results in Ealing and Barnet": the aspect's own name
    first = words[low].group(0)
    # "for people who are isolated": a past participle or a lone verb names no topic
    if high - low >= ASKED_MOST_WORDS or first.endswith("ed") \
            or (low == high and only_a_verb(first)):
        return _FALLBACK.get(kind)
    return run[0].upper() + run[1:]


def order(asked: str | None) -> tuple[str, ...]:
    """The aspects in the order they are read: what was asked first."""
    return (asked, *(a for a in ORDER if a != asked)) if asked else ORDER


def grouped(labelled: Sequence[tuple[str, int]], before: Callable[[int], Sequence[int]]
            ) -> dict[str, list[int]]:
    """Rows under their aspects in the order given (the most telling first), each after the
    rows it needs before it (`before`: the sentence that says who "she" is). A row whose
    antecedent another aspect already shows joins that aspect, so it is read after it."""
    out: dict[str, list[int]] = {}
    home: dict[int, str] = {}
    for label, row in labelled:
        needed = [r for r in before(row) if r != row]
        shown = next((home[r] for r in needed if r in home), None)
        label = shown or label
        rows = [r for r in (*needed, row) if r not in home]
        for r in rows:
            home[r] = label
        out.setdefault(label, []).extend(rows)
    return out


def by_aspect(labels: Sequence[str], compared: Sequence[tuple[AnswerItem, dict[str, tuple[
        AnswerSentence, ...]]]]) -> list[AnswerAspect]:
    """The aspects, each with an entry (`AnswerItem` labelled as the comparison calls the case
    study) for every compared case study that says something of it; aspects none does are left
    out."""
    out = []
    for label in labels:
        entries = tuple(AnswerItem(item.case_study, said[label], item.label)
                        for item, said in compared if said.get(label))
        if entries:
            out.append(AnswerAspect(label, entries))
    return out


def plain(aspects: Sequence[AnswerAspect]) -> list[str]:
    """The aspects as lines of text: the label, then a line per case study."""
    lines = []
    for aspect in aspects:
        lines.append(f"{aspect.label}:")
        lines.extend(f"- {item.label}: " + " ".join(
            s.text if s.citation is None else f"{s.text} [{s.citation}]" for s in item.sentences)
            for item in aspect.items)
    return lines
