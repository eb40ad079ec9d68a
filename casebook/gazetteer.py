"""London's boroughs, their other names and the places inside them: recognised in text.

The names are data (`casebook/data/london_places.json`, a source for every entry). Ingest tags
case studies with the boroughs they name; each index build keeps a copy of the gazetteer it
was built with, so retrieval and answering read places from the index, never from ingest.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

DATA_FILE = "london_places.json"
_BOROUGH_PREFIX = re.compile(r"^(?:the\s+)?(?:london|royal)\s+borough\s+of\s+", re.IGNORECASE)


def _key(name: str) -> str:
    return re.sub(r"[\s\-]+", " ", name.replace("&", " and ")).strip().lower()


def _name_pattern(name: str) -> str:
    # "Bromley by Bow" also matches "Bromley-by-Bow"; "&" and "and" are interchangeable.
    words = [r"(?:&|and)" if w in ("&", "and") else re.escape(w) for w in name.split()]
    return r"[\s\-]+".join(words)


@dataclass(frozen=True)
class Gazetteer:
    """Borough names, aliases (another name for a whole borough) and places (inside one).

    A place mapped to None contains a borough's name but is elsewhere ("Sutton Coldfield"):
    it is matched first so that the borough is not.
    """

    boroughs: tuple[str, ...]
    aliases: dict[str, str] = field(default_factory=dict)
    places: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Gazetteer:
        return cls(
            boroughs=tuple(b["name"] for b in data["boroughs"]),
            aliases={a["name"]: a["borough"] for a in data.get("aliases", ())},
            places={p["name"]: p["borough"] for p in data.get("places", ())},
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "boroughs": [{"name": b} for b in self.boroughs],
            "aliases": [{"name": a, "borough": b} for a, b in self.aliases.items()],
            "places": [{"name": p, "borough": b} for p, b in self.places.items()],
        }

    @cached_property
    def _all_names(self) -> dict[str, str | None]:
        return {**{b: b for b in self.boroughs}, **self.aliases, **self.places}

    @cached_property
    def _pattern(self) -> tuple[re.Pattern[str], dict[str, str]]:
        # longest names first, so that at any position "Bromley by Bow" wins over "Bromley"
        names = sorted(self._all_names, key=len, reverse=True)
        groups = {f"n{i}": name for i, name in enumerate(names)}
        alternation = "|".join(f"(?P<{g}>{_name_pattern(n)})" for g, n in groups.items())
        return re.compile(rf"\b(?:{alternation})\b", re.IGNORECASE), groups

    @cached_property
    def _lookup(self) -> dict[str, str]:
        return {_key(k): v for k, v in {**{b: b for b in self.boroughs}, **self.aliases}.items()}

    def find(self, text: str) -> tuple[str, ...]:
        """Canonical names of the boroughs `text` names, directly or through a place, sorted.

        Proper nouns only: "harrow" the garden tool is no borough.
        """
        pattern, groups = self._pattern
        found: set[str] = set()
        for match in pattern.finditer(text):
            if match.group(0).islower():
                continue
            borough = self._all_names[groups[match.lastgroup or ""]]
            if borough is not None:
                found.add(borough)
        return tuple(sorted(found))

    def place_spans(self, text: str) -> list[tuple[int, int]]:
        """Where in `text` the places `find` reads are named: (start, end) of each."""
        pattern, _ = self._pattern
        return [m.span() for m in pattern.finditer(text) if not m.group(0).islower()]

    def without_places(self, text: str) -> str:
        """`text` with every place it names (as `find` reads them) taken out."""
        pattern, _ = self._pattern
        kept = pattern.sub(lambda m: m.group(0) if m.group(0).islower() else " ", text)
        return re.sub(r"\s+([?.!,;:])", r"\1", " ".join(kept.split()))

    def canonical(self, name: str) -> str | None:
        """The borough a name or alias stands for ("rbkc", "London Borough of Hounslow"), else None.

        Case-insensitive. Places inside a borough ("Stockwell") are not boroughs and give None.
        """
        return self._lookup.get(_key(_BOROUGH_PREFIX.sub("", name.strip())))


@lru_cache(maxsize=1)
def london() -> Gazetteer:
    """The gazetteer shipped with Casebook."""
    text = (resources.files("casebook") / "data" / DATA_FILE).read_text(encoding="utf-8")
    return Gazetteer.from_dict(json.loads(text))
