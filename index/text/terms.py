"""The terms text is matched on: lower-case words, English stop words dropped, Snowball-stemmed.

BM25 indexes passages under these terms (`casebook.index.lexical`), and retrieval and answering
compare questions with passages through them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from casebook.index.text.stopwords import stopwords

if TYPE_CHECKING:
    import Stemmer  # PyStemmer: untyped (Any to mypy)

TOKEN = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    return stopwords("EN")


def stem(word: str) -> str:
    """The Snowball English stem BM25 indexes `word` under."""
    return str(_stemmer().stemWord(word))


def words(text: str) -> list[str]:
    """Lower-case alphanumeric tokens of two or more characters ("it's" -> "it")."""
    return [w for w in TOKEN.findall(text.lower()) if len(w) > 1]


def tokenize(text: str) -> list[str]:
    """BM25 terms: words minus stop words, stemmed."""
    stop = _stopwords()
    kept = [w for w in words(text) if w not in stop]
    return list(_stemmer().stemWords(kept))


# Snowball strips "-ator" and "-iser" down to the stem of the act: "vaccinators", "vaccination"
# and "vaccine" are all "vaccin", "coordinators" and "coordination" both "coordin". The person
# who does a thing is not the thing: a list of what talks about vaccinators is not every case
# study about vaccines
_AGENT = re.compile(r"\w{3,}(?:ator|iser|izer)s?$")


def tokenize_roles(text: str) -> list[str]:
    """tokenize's terms, with an agent noun ("vaccinator", "organiser") kept apart from its
    act: its stem is marked "+"."""
    stop = _stopwords()
    kept = [w for w in words(text) if w not in stop]
    return [f"{s}+" if _AGENT.match(w) else s
            for w, s in zip(kept, _stemmer().stemWords(kept))]
