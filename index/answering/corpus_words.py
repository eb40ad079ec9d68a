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
