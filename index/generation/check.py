"""The citation check (pure): which sentences of a model's reply may be shown.

A sentence stays only if it cites at least one passage as [n], every n is a passage the model
was given, and every link, number, place and (for an English question) every name in it
appears in one of the passages it cites. A name is a capitalised word that does not open the
sentence; it is looked for without regard to case, as a whole word. Places are the gazetteer's:
a place the sentence names must lie in a borough its passages name. For a question in another
language names are not checked (German writes every noun with a capital, and a Polish answer
inflects the names it borrows), but numbers and places still are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from casebook.gazetteer import Gazetteer, london
from casebook.index.generation.prompt import Source
from casebook.index.text.chunking import split_sentences

# "[1]", "[1, 2]", "[1][2]", "[passage 1]": one or more passage numbers in brackets
_MARKER = re.compile(r"\[\s*(?:passages?\s*)?(\d{1,3}(?:\s*[,;]\s*(?:passages?\s*)?\d{1,3})*)\s*\]",
                     re.IGNORECASE)
_SINGLE = re.compile(r"\[(\d+)\]")
# markers after a sentence's full stop belong to that sentence: move them before it
_AFTER_STOP = re.compile(r"([.!?…。।]+)((?:\s*\[\d+\])+)")
_MARKDOWN = re.compile(r"\*\*|__|`|^\s{0,3}#{1,6}\s+|^\s*(?:[-*•]|\d{1,2}[.)])\s+", re.MULTILINE)
# scripts whose full stop split_sentences does not know (Bengali and Devanagari, CJK)
_OTHER_STOP = re.compile(r"(?<=[।。])\s*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# what an injected instruction most wants shown: a web address or an email address
_LINK = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.]+", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_][\w'’&-]*")
_LETTER = re.compile(r"[^\W\d_]")
MIN_WORDS = 3  # "Yes [1]." or a lone word a reply was steered to say tells the reader nothing


@dataclass(frozen=True)
class Kept:
    plain: str  # the sentence without its markers
    cites: tuple[int, ...]  # the passages it cites, in order, each once

    @property
    def text(self) -> str:
        """As shown: the sentence, then its markers ("... [1] [3]")."""
        return f"{self.plain} {' '.join(f'[{n}]' for n in self.cites)}"


@dataclass(frozen=True)
class Removed:
    text: str  # as the model wrote it
    why: str


@dataclass(frozen=True)
class Checked:
    kept: tuple[Kept, ...]
    removed: tuple[Removed, ...]

    @property
    def sentences(self) -> int:
        return len(self.kept) + len(self.removed)

    @property
    def share(self) -> float:
        """The share of the reply's sentences kept (0 for a reply with none)."""
        return len(self.kept) / self.sentences if self.sentences else 0.0

    @property
    def text(self) -> str:
        return " ".join(k.text for k in self.kept)


def normalised(reply: str) -> str:
    """The reply without markdown, each marker as "[n]" alone, markers before the full stop."""
    text = _MARKDOWN.sub("", reply)
    text = _MARKER.sub(lambda m: "".join(f"[{n}]" for n in re.findall(r"\d+", m.group(1))), text)
    return _AFTER_STOP.sub(r"\2\1", text)


def split(reply: str) -> list[str]:
    """The reply's sentences: each line on its own, cut at its full stops."""
    out = []
    for line in normalised(reply).splitlines():
        for piece in _OTHER_STOP.split(line):
            out += [s for _, s in split_sentences(piece) if _LETTER.search(_SINGLE.sub("", s))]
    return out


def _plain(sentence: str) -> str:
    text = re.sub(r"\s+", " ", _SINGLE.sub(" ", sentence)).strip()
    return re.sub(r"\s+([.,;:!?…।。])", r"\1", text)


def _numbers(text: str) -> set[str]:
    """The numbers in `text`, thousands separators dropped, in ASCII digits ("১৫" is 15)."""
    return {"".join(str(unicodedata.decimal(c)) if c.isdigit() else c for c in n.replace(",", ""))
            for n in _NUMBER.findall(text)}


def _holds(material: str, word: str) -> bool:
    word = re.sub(r"['’]s$", "", word)
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", material, re.IGNORECASE) is not None


def names(sentence: str) -> list[str]:
    """Capitalised words that do not open the sentence ("I" aside), and the opening word too
    when it is in capitals throughout ("NHS", "HACKED"): an acronym or a shout, not a capital
    that only marks the start."""
    words = _WORD.findall(sentence)
    opening = [w for w in words[:1] if len(w) > 1 and w.isupper()]
    return opening + [w for w in words[1:] if w[0].isupper() and w != "I"]


def judge(sentence: str, sources: Sequence[Source], english: bool,
          gazetteer: Gazetteer) -> tuple[Kept | None, str]:
    """The sentence kept, or None and why not."""
    cites = tuple(dict.fromkeys(int(n) for n in _SINGLE.findall(sentence)))
    if not cites:
        return None, "cites no passage"
    missing = [n for n in cites if not 1 <= n <= len(sources)]
    if missing:
        return None, f"cites [{missing[0]}], which is not one of the {len(sources)} passages"
    plain = _plain(sentence)
    if len(_WORD.findall(plain)) < MIN_WORDS:
        return None, f"under {MIN_WORDS} words: not a sentence that says something"
    material = "\n".join(sources[n - 1].material for n in cites)
    where = " and ".join(f"[{n}]" for n in cites)
    links = [link for link in _LINK.findall(plain) if link.rstrip(".,;:") not in material]
    if links:
        return None, f"the link {links[0]!r} is in none of {where}"
    unheld = sorted(_numbers(plain) - _numbers(material))
    if unheld:
        return None, f"the number {unheld[0]} is in none of {where}"
    if english:
        for word in names(plain):
            if not _holds(material, word):
                return None, f"the name {word!r} is in none of {where}"
    places = set(gazetteer.find(plain)) - set(gazetteer.find(material))
    if places:
        return None, f"the place {sorted(places)[0]!r} is in none of {where}"
    return Kept(plain, cites), ""


def check(reply: str, sources: Sequence[Source], english: bool = True,
          gazetteer: Gazetteer | None = None) -> Checked:
    """Every sentence of `reply` kept or removed, with why."""
    gazetteer = gazetteer or london()
    kept: list[Kept] = []
    removed: list[Removed] = []
    for sentence in split(reply):
        verdict, why = judge(sentence, sources, english, gazetteer)
        if verdict is None:
            removed.append(Removed(sentence, why))
        else:
            kept.append(verdict)
    return Checked(tuple(kept), tuple(removed))
