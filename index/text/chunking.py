"""Split case study text into sentences, and sentences into overlapping passages. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from casebook.records import CaseStudy, Passage

# Words that end in a full stop without ending the sentence ("Dr. Sharma", "e.g. a GP").
ABBREVIATIONS = frozenset({
    "dr", "mr", "mrs", "ms", "mx", "prof", "st", "e.g", "i.e", "cf", "vs", "approx", "fig", "rev", "sr", "jr",
})
_END = re.compile(r"[.!?…]+[”’\"')\]]*")
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")
_WORD_BEFORE = re.compile(r"([\w.]+)$")


def split_sentences(text: str) -> list[tuple[int, str]]:
    """Sentences of `text` as (char offset, sentence), with `text[offset:offset+len(s)] == s`.

    A blank line always ends a sentence, so a title line without a full stop stands alone.
    Abbreviations ("Dr.", "e.g.") and initials do not end one; a full stop with no space
    before a capitalised word ("groups.Farah") does.
    """
    out: list[tuple[int, str]] = []
    for para_start, para in _paragraphs(text):
        start = 0
        for match in _END.finditer(para):
            end = match.end()
            if _is_boundary(para, match):
                _add(out, para_start, para, start, end)
                start = end
        _add(out, para_start, para, start, len(para))
    return out


def _paragraphs(text: str) -> list[tuple[int, str]]:
    spans, start = [], 0
    for brk in _PARAGRAPH_BREAK.finditer(text):
        spans.append((start, text[start:brk.start()]))
        start = brk.end()
    spans.append((start, text[start:]))
    return spans


def _add(out: list[tuple[int, str]], base: int, para: str, start: int, end: int) -> None:
    piece = para[start:end]
    stripped = piece.strip()
    if stripped:
        out.append((base + start + (len(piece) - len(piece.lstrip())), stripped))


def _is_boundary(para: str, match: re.Match[str]) -> bool:
    end = match.end()
    if end >= len(para):
        return True
    before = _WORD_BEFORE.search(para, 0, match.start())
    word = before.group(1).lower() if before else ""
    is_stop = match.group(0).startswith(".")
    if para[end].isspace():
        following = para[end:].lstrip()[:1]
        if not following or following.islower():
            return False
        if is_stop and match.group(0) == ".":
            if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                return False
            if word == "no" and following.isdigit():
                return False
        return True
    # No space after the stop: "groups.Farah" ends a sentence, "healthylondon.org" or "3.5" do not.
    return (
        is_stop
        and len(word) >= 2
        and word.isalpha()
        and para[end].isupper()
        and para[end + 1 : end + 2].islower()
    )


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    words: int
    paragraph_start: bool


def check_chunk_args(max_words: object, overlap_sentences: object) -> None:
    """:raises ValueError: when the arguments cannot produce passages that make progress (any
    value is checked: callers may not be type-checked)."""
    if isinstance(max_words, bool) or not isinstance(max_words, int) or max_words < 1:
        raise ValueError(f"max_words must be an integer of at least 1, got {max_words!r}")
    if isinstance(overlap_sentences, bool) or not isinstance(overlap_sentences, int) or overlap_sentences < 0:
        raise ValueError(f"overlap_sentences must be an integer of at least 0, got {overlap_sentences!r}")
    if overlap_sentences >= max_words:
        raise ValueError(
            f"overlap_sentences ({overlap_sentences}) must be less than max_words ({max_words}), "
            "or a passage could hold nothing but the sentences it repeats"
        )


def chunk_case_study(case: CaseStudy, max_words: int, overlap_sentences: int) -> list[Passage]:
    """Passages of whole sentences, each at most `max_words` words, repeating the last
    `overlap_sentences` sentences of the passage before.

    A sentence longer than `max_words` is a passage of its own, cut at word boundaries only
    beyond `2 * max_words`. A passage that is at least half full ends at a paragraph break, and
    the next one then starts with the new paragraph rather than with repeated sentences.
    Each passage is a contiguous slice: `case.text[p.char_start:][:len(p.text)] == p.text`.

    :raises ValueError: for `max_words < 1` or an overlap that would leave no room.
    """
    check_chunk_args(max_words, overlap_sentences)
    units = _units(case.text, max_words)
    passages: list[Passage] = []
    i = fresh = 0  # fresh: the first unit no passage holds yet
    while i < len(units):
        j = _passage_end(units, i, max_words, min_end=fresh + 1)
        passages.append(
            Passage(
                id=f"{case.id}#{len(passages)}",
                case_id=case.id,
                ordinal=len(passages),
                text=case.text[units[i].start : units[j - 1].end],
                char_start=units[i].start,
                title=case.title,
                section=case.section,
            )
        )
        fresh = j
        i = j if j >= len(units) or units[j].paragraph_start else max(j - overlap_sentences, i + 1)
        # The repeated sentences and the next new one must fit, or the overlap is dropped.
        if sum(u.words for u in units[i : j + 1]) > max_words:
            i = j
    return passages


def _passage_end(units: list[_Unit], i: int, max_words: int, min_end: int) -> int:
    """Index one past the last unit of the passage starting at unit `i`."""
    words, j = 0, i
    while j < len(units):
        unit = units[j]
        if j >= min_end:
            if words + unit.words > max_words:
                break
            if unit.paragraph_start and words * 2 >= max_words:
                break
        words += unit.words
        j += 1
    return j


def _units(text: str, max_words: int) -> list[_Unit]:
    """Sentences as units; a sentence over 2 * max_words words is cut into max_words pieces."""
    units: list[_Unit] = []
    previous_end = 0
    for offset, sentence in split_sentences(text):
        paragraph_start = not units or bool(_PARAGRAPH_BREAK.search(text, previous_end, offset))
        words = list(re.finditer(r"\S+", sentence))
        if len(words) > 2 * max_words:
            for k in range(0, len(words), max_words):
                piece = words[k : k + max_words]
                start, end = offset + piece[0].start(), offset + piece[-1].end()
                units.append(_Unit(start, end, len(piece), paragraph_start and k == 0))
        else:
            units.append(_Unit(offset, offset + len(sentence), len(words), paragraph_start))
        previous_end = offset + len(sentence)
    return units


def chunk_corpus(cases: Iterable[CaseStudy], max_words: int, overlap_sentences: int) -> list[Passage]:
    """Passages of every case study, in order. :raises ValueError: as chunk_case_study."""
    check_chunk_args(max_words, overlap_sentences)
    return [p for case in cases for p in chunk_case_study(case, max_words, overlap_sentences)]
