"""Word lists of the conversation module, as data with a source per group:
`casebook/data/question_words.json` (request words, on top of NLTK's English stop words as
bm25s ships them) and `casebook/data/generic_words.json` (words that cannot carry a topic)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from casebook.index.text.stopwords import stopwords

GENERIC_FILE = "generic_words.json"
QUESTION_FILE = "question_words.json"


def entries(name: str) -> list[dict[str, Any]]:
    text = resources.files("casebook").joinpath("data", name).read_text(encoding="utf-8")
    return list(json.loads(text)["entries"])


@lru_cache(maxsize=1)
def generic_words() -> frozenset[str]:
    return frozenset(w for e in entries(GENERIC_FILE) for w in e["words"])


def is_generic(word: str) -> bool:
    return word.lower() in generic_words()


@lru_cache(maxsize=1)
def question_words() -> frozenset[str]:
    """Words that shape a question but say nothing about its topic."""
    return stopwords("EN_PLUS") | {w for e in entries(QUESTION_FILE) for w in e["words"]}


@lru_cache(maxsize=4096)
def asks(word: str) -> bool:
    """`word` shapes a question: a question word, or a form of one that can only be a verb
    ("describing", "explains": the list gives "describe" and "explain")."""
    lower = word.lower()
    if lower in question_words():
        return True
    from lemminflect import getAllLemmas  # its lexicon loads on first use, not at import

    senses = getAllLemmas(lower)
    return set(senses) == {"VERB"} and any(lemma in question_words() for lemma in senses["VERB"])
