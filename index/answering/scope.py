"""Where a question asks about: places it names that no case study comes from."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from functools import lru_cache

from casebook.elsewhere import places_elsewhere
from casebook.gazetteer import Gazetteer, london

# UK cities and nations outside London come from a gazetteer (casebook/data/places_elsewhere.json,
# see casebook/elsewhere.py). The corpus is London's case studies, so a question about one of
# these alone is out of scope however close its words are to a London case study.


@lru_cache(maxsize=1)
def _elsewhere_pattern() -> re.Pattern[str]:
    names = "|".join(re.escape(n) for n in sorted(places_elsewhere(), key=len, reverse=True))
    # case-sensitive: "reading" and "bath" are ordinary words in lower case
    return re.compile(rf"\b({names})\b")


def places_named(question: str, gazetteer: Gazetteer | None = None) -> list[str]:
    """London boroughs and UK places outside London that the question names."""
    # people type "camden" in lower case; the gazetteer wants proper nouns
    boroughs = (gazetteer or london()).find(string.capwords(question))
    elsewhere = [
        m.group(1) for m in _elsewhere_pattern().finditer(question)
        # a one-word name opening a sentence may be the word ("Reading groups", "Bath time")
        if not (" " not in m.group(1) and _starts_sentence(question, m.start()))
    ]
    return list(dict.fromkeys([*boroughs, *elsewhere]))


def _starts_sentence(text: str, position: int) -> bool:
    return not text[:position].strip() or text[:position].rstrip()[-1] in ".?!"


def uncovered_places(question: str, covered_boroughs: Iterable[str], corpus_text: str,
                     gazetteer: Gazetteer | None = None) -> list[str]:
    """The places named, if the question names places and the corpus covers none of them."""
    named = places_named(question, gazetteer)
    covered = set(covered_boroughs)
    if not named or any(p in covered or _said(p, corpus_text, gazetteer or london())
                        for p in named):
        return []
    return named


# characters either side of a borough's name that a longer place's name holding it fits in
_NAME_REACH = 40


def _said(place: str, text: str, gazetteer: Gazetteer) -> bool:
    """Whether `text` names `place`; a borough only as itself, not as part of a longer place's
    name ("Bromley" of "Bromley by Bow", which is in Tower Hamlets)."""
    if gazetteer.canonical(place) != place:
        return place in text
    return any(place in gazetteer.find(text[max(0, m.start() - _NAME_REACH):m.end() + _NAME_REACH])
               for m in re.finditer(rf"\b{re.escape(place)}\b", text))
