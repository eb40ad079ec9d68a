"""London's sub-regions, recognised in text: the five NHS integrated care systems and the parts
of London named by a compass word ("south London"), each a group of boroughs.

The names are data (`casebook/data/london_regions.json`, a source for every entry). A case study
is in a region where it comes from one of the region's boroughs or its text names the region
("Training Social Prescribing Link Workers during Covid-19 – NWL CCG" names no borough).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

from casebook.records import CaseStudy

DATA_FILE = "london_regions.json"


@dataclass(frozen=True)
class Region:
    name: str  # "South West London"
    aliases: tuple[str, ...]  # "SWL": matched as written, in capitals
    boroughs: tuple[str, ...]


@dataclass(frozen=True)
class Named:
    """A region phrase in a text: as written, and the regions it stands for."""

    phrase: str
    regions: tuple[str, ...]
    start: int = 0  # where the phrase stands in the text
    end: int = 0


@dataclass(frozen=True)
class Regions:
    regions: tuple[Region, ...]
    compass: dict[str, tuple[str, ...]]  # "south" -> the regions "south London" stands for

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Regions:
        return cls(
            regions=tuple(Region(r["name"], tuple(r.get("aliases", ())), tuple(r["boroughs"]))
                          for r in data["regions"]),
            compass={c["word"]: tuple(c["regions"]) for c in data["compass"]})

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        # a region's full name before a compass phrase inside it ("South West London", not
        # "West London"); an acronym only in capitals ("NWL", not "nwl")
        names = sorted((r.name for r in self.regions), key=len, reverse=True)
        full = "|".join(r"[\s-]+".join(map(re.escape, n.split())) for n in names)
        aliases = "|".join(re.escape(a) for r in self.regions for a in r.aliases)
        compass = "|".join(map(re.escape, self.compass))
        return re.compile(rf"\b(?i:(?P<full>{full})|(?P<compass>{compass})[\s-]+london)\b"
                          rf"|\b(?P<alias>{aliases})\b")

    def find(self, text: str) -> list[Named]:
        """The region phrases `text` gives, in order."""
        by_key = {r.name.lower(): r.name for r in self.regions}
        by_alias = {a: r.name for r in self.regions for a in r.aliases}
        out = []
        for match in self._pattern.finditer(text):
            if match.group("full"):
                key = re.sub(r"[\s-]+", " ", match.group("full")).lower()
                out.append(Named(match.group(0), (by_key[key],), *match.span()))
            elif match.group("compass"):
                out.append(Named(match.group(0), self.compass[match.group("compass").lower()],
                                 *match.span()))
            else:
                out.append(Named(match.group(0), (by_alias[match.group("alias")],),
                                 *match.span()))
        return out

    def named(self, text: str) -> tuple[str, ...]:
        """The regions `text` names, each once, in order."""
        return tuple(dict.fromkeys(r for found in self.find(text) for r in found.regions))

    def without(self, text: str) -> str:
        """`text` with its region phrases taken out."""
        return self._pattern.sub(" ", text)

    def boroughs(self, names: tuple[str, ...]) -> frozenset[str]:
        return frozenset(b for r in self.regions if r.name in names for b in r.boroughs)

    def holds(self, case: CaseStudy, names: tuple[str, ...]) -> bool:
        """Whether `case` is in one of the regions `names`: from one of their boroughs, or
        naming one of them."""
        return bool(set(case.boroughs) & self.boroughs(names)) or bool(
            set(self.named(f"{case.title}\n{case.text}")) & set(names))


@lru_cache(maxsize=1)
def regions() -> Regions:
    """The regions shipped in casebook/data/london_regions.json."""
    text = (resources.files("casebook") / "data" / DATA_FILE).read_text(encoding="utf-8")
    return Regions.from_dict(json.loads(text))
