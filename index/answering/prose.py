"""Sentences a reader can read once: whole, with a full stop, introduced when they point back (pure).

An answer quotes sentences of the case studies, which were written to be read in order: a
clause cut at a semicolon, a title line with no full stop, or "This includes ..." read alone
confuses. Each quote is shown as the whole sentence it came from, ends with its full stop, and
when it opens on a pronoun or on "This case study" it is introduced by what it points to, the
case study's place or name ("In Lewisham, this includes ..."). Titles are shown as titles,
inside a sentence of Casebook's own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache

from casebook.index.text.chunking import split_sentences
from casebook.index.text.stopwords import stopwords
from casebook.records import Answer, AnswerSentence, CaseStudy

# a word that points back to something said before it
POINTING = re.compile(r"^(?:this|these|that|those|they|their|theirs|them|it|its|he|she|his|her|"
                      r"hers|we|our|us|such|both|each|the\s+latter|the\s+former)\b",
                      re.IGNORECASE)
# a pronoun subject after an opening phrase: "Formally launched in April 2017, it is ..."
_POINTING_AFTER_OPENER = re.compile(r"^[^,.;:]{1,80},\s+(?:it|its|they|their|this|these|he|she)\b",
                                    re.IGNORECASE)


# a person said before the sentence: a place put before it ("In Ealing, she ...") does not say
# who
_PERSON = re.compile(r"(?:she|he|her|his|him)\b", re.IGNORECASE)


def opens_on_person(text: str) -> bool:
    """Whether a sentence opens on a pronoun for a person named before it."""
    return bool(_PERSON.match(text))


_FIRST_NAME = re.compile(r"([A-Z][a-z]+)\s+(?=[a-z]|and\s+[A-Z][a-z]+\s+[a-z])")


def opens_on_first_name(text: str, before: str) -> bool:
    """Whether a sentence opens on a first name that the sentence before it gave in full
    ("Farah is Pakistani ..." after "Farah Ahmed and Saiba Salam are both link workers."):
    alone it names someone the reader has not met."""
    from lemminflect import getAllLemmas  # its lexicon loads on first use, not at import

    found = _FIRST_NAME.match(text)
    if found is None:
        return False
    first = found.group(1)
    # an English word is no first name ("The film features ...", "Watch how ...")
    if first.lower() in stopwords("EN") or getAllLemmas(first.lower()):
        return False
    return re.search(rf"\b{first}\s+[A-Z][a-z]+", before) is not None


# a sentence that opens by setting itself against, or adding to, the one before it
_CONNECTIVE = re.compile(r"^(?:however|but|yet|also|in\s+addition|additionally|furthermore|"
                         r"moreover|therefore|as\s+a\s+result|despite\s+this|instead|"
                         r"meanwhile|similarly|likewise|nevertheless|nonetheless)\b", re.IGNORECASE)


def opens_on_connective(text: str) -> bool:
    """Whether a sentence opens on a word that joins it to the sentence before ("However,
    since the pandemic hit, ..."): alone it sets itself against something the reader has not
    seen."""
    return bool(_CONNECTIVE.match(text))


def leans_back(text: str) -> bool:
    """Whether a sentence's subject is a pronoun for something said before it."""
    return bool(POINTING.match(text) or _POINTING_AFTER_OPENER.match(text))


THIS_CASE_STUDY = re.compile(r"^(?:this|the)\s+(?:case\s+study|film|video|story)\b", re.IGNORECASE)
# whole: ends with . ! or ? and, after it, only closing quotes or brackets
ENDED = re.compile(r"[.!?][\"'”’)\]]*$")
_TITLE_PARTS = re.compile(r"\s*:\s+|\s+[–—-]\s+|_")
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                "seventeen", "eighteen", "nineteen", "twenty")


@lru_cache(maxsize=64)
def _sentences(text: str) -> tuple[tuple[int, str], ...]:
    return tuple(split_sentences(text))


def whole_sentence(case: CaseStudy, start: int, text: str) -> str:
    """The whole sentence of `case` that the span at `start` belongs to (a clause cut at a
    semicolon is shown with the rest of its sentence)."""
    for offset, sentence in _sentences(case.text):
        if offset <= start < offset + len(sentence):
            return sentence.strip()
    return text.strip()


def finished(text: str) -> str:
    """`text` ending with its full stop (a line written without one gets one)."""
    text = text.strip()
    if ENDED.search(text):
        return text
    return text.rstrip(" ;:,–—-") + "."


def title_parts(title: str) -> list[str]:
    """A title's parts without the source page's labels ("Case Study", "Social Prescribing Case
    Study_Covid-19 Vaccinations")."""
    parts = [p.strip() for p in _TITLE_PARTS.split(title) if p.strip()]
    kept = [p for p in parts if "case study" not in p.lower() and p.lower() not in
            ("covid-19 vaccinations", "covid-19")]
    return kept or [title.strip()]


def name(case: CaseStudy) -> str:
    """What to call a case study in a sentence: its place where it names boroughs ("Lewisham",
    "Enfield and Haringey"), else the name its title starts with ("The Well Centre")."""
    if case.boroughs:
        return join(case.boroughs)
    return title_parts(case.title)[0]


def focus(case: CaseStudy) -> str:
    """What the title says the case study is about: its longest part that is not its place."""
    parts = [p for p in title_parts(case.title) if p not in case.boroughs]
    return max(parts, key=len) if parts else case.title


def whole_focus(case: CaseStudy) -> str:
    """Every part of the title but its place and the source page's labels: what a case study
    the page gives only a title for is listed by, since its title is all a reader learns of it
    ("Community Alternatives to A&E: Working with Community Champions ... in Westminster")."""
    parts = [p for p in title_parts(case.title) if p not in case.boroughs]
    return ": ".join(parts) if parts else case.title


def said_in(sentence: str, text: str) -> bool:
    """Whether an answer's `text` quoted the sentence: its end, which quoting leaves as it is
    ("This case study ..." is shown as "The Croydon case study ...")."""
    end = sentence.rstrip(".!?\u201d\u2019\"' ")[-40:]
    return bool(end) and end in text


def case_studies(n: int) -> str:
    """"case study" for one (or none), "case studies" for more."""
    return "case study" if n <= 1 else "case studies"


def join(names: Sequence[str]) -> str:
    """"A", "A and B", "A, B and C"; a comma before the last "and" where a name holds one of
    its own ("Kensington and Chelsea, Enfield, and Haringey": three, not two)."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    serial = "," if len(names) > 2 and any(" and " in name for name in names) else ""
    return f"{', '.join(names[:-1])}{serial} and {names[-1]}"


def count_words(n: int, capital: bool = False) -> str:
    word = NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)
    return word[0].upper() + word[1:] if capital else word


def _lower_first(text: str) -> str:
    first = text.split()[0] if text.split() else ""
    if (first.isupper() and len(first) > 1) or first == "I":
        return text
    return text[0].lower() + text[1:]


def introduced(text: str, case: CaseStudy) -> str:
    """A quote that points back, introduced by what it points to."""
    label = name(case)
    if pointer := THIS_CASE_STUDY.match(text):
        noun = pointer.group(0).split()[-1].lower()
        rest = text[pointer.end():]
        return f"The {label} {'case study' if noun == 'study' else noun}{rest}"
    if POINTING.match(text):
        where = label if case.boroughs else f"the {label} case study"
        return f"In {where}, {_lower_first(text)}"
    return text


def is_title(text: str, case: CaseStudy) -> bool:
    """Whether `text` is the case study's title (or one of its parts) rather than a sentence."""
    bare = text.strip().rstrip(".").strip()
    return bare == case.title.strip() or bare in title_parts(case.title)


def title_only(case: CaseStudy) -> str:
    """What to say of a case study the page gives only its title for."""
    return f"The page gives only its title: \u201c{case.title.strip()}\u201d."


def quoted(case: CaseStudy, start: int, text: str, follows: bool = False) -> str:
    """A sentence of `case` as a reader sees it: whole, finished, introduced unless it
    `follows` the sentence it points to; a title is shown as a title inside a sentence of
    Casebook's own."""
    sentence = whole_sentence(case, start, text)
    if is_title(sentence, case):
        return title_only(case)
    return finished(sentence) if follows else introduced(finished(sentence), case)


def reworded(answer: Answer, change: Callable[[AnswerSentence], AnswerSentence]) -> Answer:
    """`answer` with each sentence changed by `change`, its text changed to match."""
    text, sentences = answer.answer, []
    for sentence in answer.sentences:
        changed = change(sentence)
        text = text.replace(sentence.text, changed.text, 1)
        sentences.append(changed)
    return replace(answer, answer=text, sentences=tuple(sentences))
