"""The field's vocabulary: acronyms people type, spelled out so both forms match.

The acronyms are data, each with its source: those the corpus defines itself
(`casebook/data/acronyms_corpus.json`, mined by `scripts/mine_acronyms.py`), then an NHS glossary of
terms the corpus uses without defining them (`casebook/data/acronyms_glossary.json`).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from casebook.index.text.stopwords import stopwords

DATA_FILES = ("acronyms_corpus.json", "acronyms_glossary.json")


def _entries(name: str) -> list[dict[str, str]]:
    text = resources.files("casebook").joinpath("data", name).read_text(encoding="utf-8")
    return list(json.loads(text)["entries"])


@lru_cache(maxsize=1)
def acronyms() -> dict[str, str]:
    """Acronym (upper case) -> expansion; the corpus's own definition wins over the glossary."""
    table: dict[str, str] = {}
    for name in DATA_FILES:
        for entry in _entries(name):
            table.setdefault(entry["acronym"].upper(), entry["expansion"])
    return table


@lru_cache(maxsize=1)
def _case_sensitive() -> frozenset[str]:
    """Acronyms whose lower-case form is an everyday English word ("which"): only the upper-case
    form is expanded. The word list is bm25s's English stop words."""
    stop = stopwords("EN_PLUS")
    return frozenset(a for a in acronyms() if a.lower() in stop)


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    names = sorted(acronyms(), key=len, reverse=True)
    alternation = "|".join(re.escape(name) for name in names)
    # optional plural "s" ("SPLWs", "PCNs"); letters or "&" may not continue the word
    return re.compile(rf"(?<![\w&])({alternation})(s?)(?![\w&])", re.IGNORECASE)


def expand_acronyms(text: str, *, keep: bool = True) -> str:
    """Append each acronym's expansion after it: "SPLWs" -> "SPLWs (social prescribing link workers)".

    With keep=False the expansion replaces the acronym ("SPLWs" -> "social prescribing link
    workers"): for counting a question's words, where both forms would count the term twice.
    """
    table = acronyms()
    sensitive = _case_sensitive()

    def replace(match: re.Match[str]) -> str:
        word = match.group(1)
        key = word.upper()
        if key in sensitive and word != key:
            return match.group(0)
        return f"{match.group(0)} ({table[key]})" if keep else table[key]

    return _pattern().sub(replace, text)


def without_expansions(text: str) -> str:
    """`text` as it was before expand_acronyms(keep=True): each acronym without the
    expansion it was given ("NHS (national health service) app" -> "NHS app")."""
    table = acronyms()
    written = re.compile(_pattern().pattern + r" \(([^()]*)\)", re.IGNORECASE)

    def strip(match: re.Match[str]) -> str:
        given = table[match.group(1).upper()]
        return match.group(1) + match.group(2) if match.group(3) == given else match.group(0)

    return written.sub(strip, text)
