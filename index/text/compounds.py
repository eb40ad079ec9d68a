"""Words written with or without a hyphen, respelled the way the case studies write them.

"Well-being" and "wellbeing", "nonclinical" and "Non-Clinical" are one word to a reader, and
two or one to the tokenizer: asked "well-being", search matched "well" (The Well Centre) and
missed the eight case studies that say "wellbeing". Nothing here is a list of words: the
corpus says which spelling it uses. Where it uses both ("Multi-Disciplinary Team", and "MDT"
spelled out as "multidisciplinary team"), the asker's spelling is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# a word of two or more parts joined by hyphens; the parts are letters, so "Covid-19" and
# "40-year-old" are left as written
_HYPHENATED = re.compile(r"\b[a-z]+(?:-[a-z]+)+\b", re.IGNORECASE)
_WORD = re.compile(r"\b[a-z]+\b", re.IGNORECASE)


@dataclass(frozen=True)
class Compounds:
    joined: frozenset[str]  # the corpus's words, lower case
    hyphenated: dict[str, str]  # a hyphenated word of the corpus, joined -> as written


def compounds(texts: Iterable[str]) -> Compounds:
    """What the texts write as one word, and what they write with hyphens."""
    joined: set[str] = set()
    hyphenated: dict[str, str] = {}
    for text in texts:
        joined.update(w.lower() for w in _WORD.findall(text))
        for found in _HYPHENATED.findall(text):
            hyphenated.setdefault(found.lower().replace("-", ""), found.lower())
    return Compounds(frozenset(joined), hyphenated)


def as_the_corpus_writes(text: str, known: Compounds) -> str:
    """`text` with each hyphenated word the corpus writes as one word joined ("well-being" ->
    "wellbeing"), and each word the corpus writes only with hyphens hyphenated ("nonclinical"
    -> "non-clinical"). Other words are kept as they are."""
    def join(match: re.Match[str]) -> str:
        whole = match.group(0).replace("-", "")
        return whole if whole.lower() in known.joined else match.group(0)

    def split(match: re.Match[str]) -> str:  # only a word the corpus never writes whole
        word = match.group(0)
        lower = word.lower()
        return known.hyphenated.get(lower, word) if lower not in known.joined else word

    return _WORD.sub(split, _HYPHENATED.sub(join, text)) if known.hyphenated or known.joined \
        else text
