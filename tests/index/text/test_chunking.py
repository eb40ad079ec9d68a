"""Sentences and passages: offsets that point back into the text, whole sentences, overlap."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from casebook.index.text.chunking import chunk_case_study, chunk_corpus, split_sentences
from casebook.ingest.corpus import load_case_studies
from casebook.records import CaseStudy

CORPUS = Path(__file__).resolve().parents[3] / "corpus" / "case_studies.jsonl"


@pytest.fixture(scope="module")
def cases() -> list[CaseStudy]:
    """The committed corpus: what `casebook index build` chunks."""
    return load_case_studies(CORPUS)


def _case(text: str, id: str = "case") -> CaseStudy:
    title = text.split("\n\n", 1)[0]
    return CaseStudy(id=id, title=title, section="Section", url="https://x/#s", text=text)


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("One here. Two here! Three?", ["One here.", "Two here!", "Three?"]),
        ("Led by Stockwell GP, Dr. Vikesh Sharma, who helps. Dr. Sharma agrees.",
         ["Led by Stockwell GP, Dr. Vikesh Sharma, who helps.", "Dr. Sharma agrees."]),
        ("Many groups, e.g. faith groups. i.e. not all.", ["Many groups, e.g. faith groups. i.e. not all."]),
        ("across different age groups.Farah Ahmed and Saiba Salam are link workers.",
         ["across different age groups.", "Farah Ahmed and Saiba Salam are link workers."]),
        ("See healthylondon.org today. It costs 3.5 pounds.", ["See healthylondon.org today.", "It costs 3.5 pounds."]),
        ("Written by J. Smith and No. 5 team. Done.", ["Written by J. Smith and No. 5 team.", "Done."]),
        ("The need for “someone to listen”. Then more.", ["The need for “someone to listen”.", "Then more."]),
        ("A title line\n\nThe body. More body", ["A title line", "The body.", "More body"]),
        ("  leading space. \n\n  \n\n", ["leading space."]),
        ("", []),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    found = split_sentences(text)
    assert [s for _, s in found] == sentences
    assert all(text[offset : offset + len(s)] == s for offset, s in found)


def test_sentence_offsets_on_the_whole_corpus(cases: list[CaseStudy]) -> None:
    for case in cases:
        found = split_sentences(case.text)
        assert all(case.text[o : o + len(s)] == s for o, s in found)
        assert [o for o, _ in found] == sorted(o for o, _ in found)
        # nothing but whitespace falls between sentences
        assert "".join(s for _, s in found).replace(" ", "") == "".join(case.text.split())


TEXT = (
    "Title of the case\n\n"
    "First sentence has five words. Second one has four. Third one also four. Fourth is here now.\n\n"
    "New paragraph starts here. It goes on a bit."
)


def test_passages_are_contiguous_whole_sentences() -> None:
    case = _case(TEXT)
    sentences = {s for _, s in split_sentences(TEXT)}
    starts = {o for o, _ in split_sentences(TEXT)}
    passages = chunk_case_study(case, max_words=12, overlap_sentences=0)
    for ordinal, p in enumerate(passages):
        assert p.id == f"case#{ordinal}" and p.ordinal == ordinal and p.case_id == "case"
        assert TEXT[p.char_start : p.char_start + len(p.text)] == p.text
        assert p.char_start in starts
        assert any(p.text.endswith(s) for s in sentences)
        assert len(p.text.split()) <= 12
        assert (p.title, p.section) == ("Title of the case", "Section")
    # without overlap, the passages cover the text exactly once
    assert "".join(p.text for p in passages).replace("\n", "").replace(" ", "") == "".join(TEXT.split())


def test_overlap_repeats_the_last_sentences() -> None:
    text = " ".join(f"Sentence number {n} is short." for n in range(8))  # 5 words each
    passages = chunk_case_study(_case(text), max_words=15, overlap_sentences=1)
    assert [p.text.count("Sentence") for p in passages] == [3, 3, 3, 2]
    for before, after in pairwise(passages):
        assert after.text.startswith(split_sentences(before.text)[-1][1])
    assert passages[-1].text.endswith("number 7 is short.")


def test_a_half_full_passage_ends_at_a_paragraph_break_without_overlap() -> None:
    passages = chunk_case_study(_case(TEXT), max_words=40, overlap_sentences=1)
    assert len(passages) == 2
    assert passages[0].text.startswith("Title of the case\n\nFirst sentence")
    assert passages[0].text.endswith("Fourth is here now.")
    assert passages[1].char_start == TEXT.index("New paragraph")


def test_a_long_sentence_is_a_passage_of_its_own() -> None:
    long = "Long " + " ".join(["word"] * 14) + "."
    text = f"Short one. {long} Short two."
    passages = chunk_case_study(_case(text), max_words=10, overlap_sentences=1)
    assert [p.text for p in passages] == ["Short one.", long, "Short two."]


def test_a_sentence_over_twice_max_words_is_cut_at_word_boundaries() -> None:
    words = [f"w{n}" for n in range(25)]
    text = " ".join(words) + "."
    passages = chunk_case_study(_case(text), max_words=10, overlap_sentences=0)
    assert [len(p.text.split()) for p in passages] == [10, 10, 5]
    assert " ".join(p.text for p in passages) == text
    assert all(text[p.char_start : p.char_start + len(p.text)] == p.text for p in passages)


def test_empty_text_has_no_passages() -> None:
    assert chunk_case_study(_case(""), max_words=10, overlap_sentences=1) == []


@pytest.mark.parametrize(
    ("max_words", "overlap", "message"),
    [
        (0, 0, "max_words must be an integer of at least 1"),
        (-5, 0, "max_words must be an integer of at least 1"),
        (True, 0, "max_words must be an integer"),
        (10, -1, "overlap_sentences must be an integer of at least 0"),
        (3, 3, r"overlap_sentences \(3\) must be less than max_words \(3\)"),
    ],
)
def test_bad_arguments(max_words: int, overlap: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        chunk_case_study(_case(TEXT), max_words=max_words, overlap_sentences=overlap)
    with pytest.raises(ValueError, match=message):
        chunk_corpus([], max_words, overlap)


def test_chunk_corpus_is_deterministic_and_covers_every_case(cases: list[CaseStudy]) -> None:
    passages = chunk_corpus(cases, max_words=60, overlap_sentences=1)
    assert {p.case_id for p in passages} == {c.id for c in cases}
    assert len({p.id for p in passages}) == len(passages)
    assert passages == chunk_corpus(cases, max_words=60, overlap_sentences=1)
    texts = {c.id: c.text for c in cases}
    assert all(texts[p.case_id][p.char_start :].startswith(p.text) for p in passages)
