"""Figures across case studies (pure): "how many link workers are there?" and "which borough
has the most link workers?" ask for the number each summary gives of the thing counted, not
for the case studies about it (every case study is about link workers) nor for a count of
case studies per borough.

A summary gives a figure where a number stands before the thing's own words, with at most two
other words between ("11 link workers", "a federation of 17 GP practices", "four link
workers", not "one of four link workers" read as one). Acronyms are read spelled out
("SPLWs" are social prescribing link workers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from casebook.index.answering.prose import NUMBER_WORDS as SAID_NUMBERS
from casebook.index.answering.shapes import UNITS
from casebook.index.text.acronyms import expand_acronyms

# the numbers prose.count_words writes (one to twenty), and tens a summary may give
NUMBER_WORDS = {**{word: n for n, word in enumerate(SAID_NUMBERS) if n},
                "thirty": 30, "forty": 40, "fifty": 50}
_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+|" + "|".join(NUMBER_WORDS)
# what ends the thing counted: a verb, a preposition or the end ("how many link workers are
# there?", "... in total?", "... does each case study have?")
_END_WORDS = (r"are|were|is|was|do|does|did|have|has|had|in|across|altogether|overall|work|"
              r"worked|working|employed|there")
_COUNTED_END = rf"(?=\s*$|\s*[?.!]|\s+(?:{_END_WORDS})\b)"
_HOW_MANY = re.compile(rf"^\s*(?:(?:and|so|but)[\s,]+)?how\s+many\s+(?P<noun>[a-z][a-z-]*"
                       rf"(?:\s+[a-z][a-z-]*){{0,2}}?){_COUNTED_END}", re.IGNORECASE)
_MOST = re.compile(rf"^\s*(?:which|what)\s+(?:[\w&'’-]+\s+){{0,6}}?(?:has|had|have|employs?|employed|"
                   rf"gives?|reports?|names?)\s+the\s+(?:most|largest\s+number\s+of|"
                   rf"highest\s+number\s+of|biggest\s+number\s+of)\s+(?P<noun>[a-z][a-z-]*"
                   rf"(?:\s+[a-z][a-z-]*){{0,2}}?){_COUNTED_END}", re.IGNORECASE)
# "how many case studies give a number for the GP practices involved?", "which summaries
# state the number of link workers?", "how many case studies say how many link workers they
# have?": the case studies whose summaries give a figure of it
_GIVES_A_NUMBER = re.compile(
    rf"^\s*(?P<ask>how\s+many|which|what)\s+(?:{UNITS}|summaries|summary)\s+(?:\w+\s+)?"
    r"(?:give|gives|state|states|say|says|report|reports|quote|quotes|include|includes|have|has)"
    r"\s+(?:(?:a|the|any)\s+(?:number|figure|count|total)s?\s+(?:of|for)\s+(?:the\s+)?|"
    r"how\s+many\s+)"
    rf"(?P<noun>[a-z][a-z-]*(?:\s+[a-z][a-z-]*){{0,2}}?)(?=\s*$|\s*[?.!]|\s+(?:{_END_WORDS}|"
    r"involved|they|it|that|who|which)\b)", re.IGNORECASE)
# a word between the number and the thing: not another number, nor one that joins two
# phrases ("one of four link workers" gives four, not one)
_BETWEEN = re.compile(rf"^(?!(?:{_NUMBER}|of|and|or|the|a|an|to|in|for|with|from)$)[\w()-]+$",
                      re.IGNORECASE)
# what a count of case studies or boroughs asks, which the records answer
# the records' own units, alone or opening what is counted ("projects help teenagers": how many
# projects, not a thing called that)
_RECORDS = re.compile(rf"^(?:(?:\w+\s+)?{UNITS}|boroughs?|areas?|places?|sections?|"
                      r"topics?|themes?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Counted:
    """What a question counts across case studies ("link workers"), whether it asks which
    gives the most, and whether it asks how many case studies give a number of it (a count
    of case studies, answered with the same figures)."""

    noun: str
    most: bool
    of_case_studies: bool = False


@dataclass(frozen=True)
class Figure:
    """A number a sentence gives of the thing counted."""

    value: int
    said: str  # the number as the sentence writes it ("11", "four")


def counted(question: str) -> Counted | None:
    """What `question` counts across the case studies; None for a question of another form,
    or one that counts case studies, boroughs or sections (the records' own count)."""
    gives = _GIVES_A_NUMBER.match(question)
    if gives:
        counting = gives.group("ask").lower().startswith("how")
        return Counted(gives.group("noun").strip(), False, counting)
    for pattern, most in ((_MOST, True), (_HOW_MANY, False)):
        match = pattern.match(question)
        if match:
            noun = match.group("noun").strip()
            return None if _RECORDS.match(noun) else Counted(noun, most)
    return None


def figure_in(sentence: str, noun: str) -> Figure | None:
    """The number `sentence` gives of `noun` (its last word singular or plural, any case),
    or None; read as written, then with its acronyms spelled out."""
    *before, head = noun.lower().split()
    stem = head[:-1] if head.endswith("s") and not head.endswith("ss") else head
    thing = r"\s+".join([*map(re.escape, before), rf"{re.escape(stem)}s?"])
    pattern = re.compile(rf"(?<![\w-])(?P<n>{_NUMBER})\s+(?P<between>(?:[\w()-]+\s+){{0,2}}?){thing}\b",
                         re.IGNORECASE)
    for text in dict.fromkeys([sentence, expand_acronyms(sentence, keep=False)]):
        # tried at every number, as matches may overlap ("one of four link workers")
        for start in _NUMBERS.finditer(text):
            match = pattern.match(text, start.start())
            if not match or not all(_BETWEEN.match(w) for w in match.group("between").split()):
                continue
            said = match.group("n")
            value = NUMBER_WORDS.get(said.lower()) or int(said.replace(",", ""))
            # "17 GP practices": many of a thing written in the singular names a kind of what
            # follows it, whatever else the next word could be
            singular = value > 1 and stem != head and not match.group(0).lower().endswith("s")
            if value and not _modifies_a_noun(text[match.end():], singular):
                return Figure(value, said)
    return None


# a number in a name ("Covid-19") counts nothing
_NUMBERS = re.compile(rf"(?<![\w-])(?:{_NUMBER})\b", re.IGNORECASE)
_NEXT_WORD = re.compile(r"^ ([a-z]+)\b")


def _modifies_a_noun(after: str, singular: bool = False) -> bool:
    """Whether the thing counted is followed by a word that can only be a noun (with
    `singular`, one that can be a noun): it then describes that noun ("40 refugee
    organisations" are organisations, not refugees)."""
    from lemminflect import getAllLemmas  # its lexicon loads on first use

    word = _NEXT_WORD.match(after)
    if word is None:
        return False
    kinds = set(getAllLemmas(word.group(1)))
    return "NOUN" in kinds if singular else kinds == {"NOUN"}
