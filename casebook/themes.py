"""Themes: which topics a case study covers, by the documented rule in data/themes.json.

A case study has a theme when its text contains one of the theme's terms (case-insensitive,
whole words; a trailing * matches any word that starts so). Pure and shared: ingest tags case
studies with it, retrieval lists the valid themes from it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

DATA_FILE = "themes.json"


@dataclass(frozen=True)
class Theme:
    id: str
    label: str
    definition: str
    source: str
    terms: tuple[str, ...]

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return _whole(self.terms)

    @cached_property
    def term_patterns(self) -> tuple[re.Pattern[str], ...]:
        """One pattern per term, in the data file's order."""
        return tuple(_whole((term,)) for term in self.terms)

    def terms_in(self, text: str) -> tuple[str, ...]:
        """The terms of this theme that `text` says."""
        return tuple(term for term, found in zip(self.terms, self.term_patterns)
                     if found.search(text))


def _whole(terms: tuple[str, ...]) -> re.Pattern[str]:
    def one(term: str) -> str:
        word = re.escape(term.rstrip("*")).replace(r"\ ", r"\s+")
        return word + (r"\w*" if term.endswith("*") else "")

    # (?<!\w) and (?!\w) rather than \b: terms such as "A&E" end in punctuation
    alternatives = "|".join(one(t) for t in terms)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Themes:
    themes: tuple[Theme, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.themes)

    def is_term(self, name: str) -> bool:
        """`name` is, whole, one of some theme's terms ("A&E", "CYP")."""
        return any(found.fullmatch(name) for t in self.themes for found in t.term_patterns)

    def assign(self, text: str) -> tuple[str, ...]:
        """The ids of the themes whose terms `text` contains, in the data file's order."""
        return tuple(t.id for t in self.themes if t.pattern.search(text))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Themes:
        sources = data.get("sources", {})
        themes = []
        for row in data["themes"]:
            if row["source"] not in sources:
                raise ValueError(f"theme {row['id']!r} cites an unknown source {row['source']!r}")
            themes.append(Theme(row["id"], row["label"], row["definition"], row["source"],
                                tuple(row["terms"])))
        return cls(tuple(themes))


@lru_cache(maxsize=1)
def themes() -> Themes:
    """The themes shipped in casebook/data/themes.json."""
    text = (resources.files("casebook") / "data" / DATA_FILE).read_text(encoding="utf-8")
    return Themes.from_dict(json.loads(text))
