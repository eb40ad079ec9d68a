"""Is a question in English? Script, stop words and an English lexicon decide.

The stop word lists are bm25s's; where they say another language, lemminflect's English lexicon
can overrule a few of them ("bin collection day": "bin" is a German stop word)."""

from __future__ import annotations

import re
from functools import lru_cache

from lemminflect import getAllLemmas

from casebook.index.text.stopwords import stopwords

LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
AMPERSANDED = re.compile(r"\b[A-Za-z]{1,2}(?:&[A-Za-z]{1,2})+\b")


@lru_cache(maxsize=1)
def _stopwords() -> dict[str, frozenset[str]]:
    names = ("EN_PLUS", "FRENCH", "GERMAN", "ITALIAN", "PORTUGUESE", "SPANISH", "TURKISH",
             "DUTCH", "RUSSIAN")
    return {name: stopwords(name) for name in names}


def is_english(text: str, corrected: str = "") -> bool:
    """False for text mostly in a non-Latin script, or whose stop words are another language's.

    A short topic with no stop words at all ("loneliness") counts as English when it is written
    in Latin letters: the corpus's own words are English. `corrected`: the text with its typos
    put right against the corpus's words, read where the stop words say another language:
    "wat is social prescibing" has Dutch's "wat" and "is", and "prescibing" is no word until
    it is "prescribing".
    """
    letters = LETTER.findall(text)
    if not letters:
        return True
    latin = sum(ch.isascii() for ch in letters) / len(letters)
    if latin < 0.8:
        return False
    words = _words(text)
    hits = {name: sum(w in stop for w in words) for name, stop in _stopwords().items()}
    english = hits.pop("EN_PLUS")
    if english == 0 and len(words) >= 4 and latin < 1.0:
        # an English sentence of four words or more nearly always has a stop word; a
        # language without a list here (Polish, Romanian...) has none, and has accents
        return False
    if english >= max(hits.values(), default=0):
        return True
    # a few words can be another language's stop words and English too ("bin" is German's):
    # where most of them are English words, the question is English ("bin collection day")
    return latin == 1.0 and any(
        2 * sum(bool(getAllLemmas(w)) for w in said) > len(said)
        for said in (words, _words(corrected)) if said)


def _words(text: str) -> list[str]:
    """The lower-case words of `text`; "A&E", "Q&A" are one abbreviation, not the words "a" and
    "e" (Italian's "and")."""
    return [w.lower() for w in WORD.findall(AMPERSANDED.sub(" ", text))]
