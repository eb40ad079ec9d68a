"""Word lists are data files with a source for every entry, generated where a source can make them."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from casebook.elsewhere import generate, places_elsewhere
from casebook.index.answering.corpus_words import (
    GENERIC_FILE,
    QUESTION_FILE,
    asks,
    entries,
    question_words,
)


def _data(name: str) -> dict:
    return json.loads(resources.files("casebook").joinpath("data", name).read_text("utf-8"))


def test_places_elsewhere_are_the_gazetteers_output() -> None:
    assert _data("places_elsewhere.json") == generate()


def test_places_elsewhere_are_outside_london() -> None:
    names = set(places_elsewhere())
    assert {"Manchester", "Leeds", "Bristol", "Scotland", "Wales"} <= names
    assert not names & {"London", "Croydon", "Camden", "Harrow", "Ilford", "England"}


@pytest.mark.parametrize("name", [GENERIC_FILE, QUESTION_FILE, "places_elsewhere.json",
                                  "acronyms_corpus.json", "acronyms_glossary.json",
                                  "stopwords.json"])
def test_every_entry_names_its_source(name: str) -> None:
    rows = _data(name)["entries"]
    assert rows
    assert all(str(row.get("source", "")).strip() for row in rows)


def test_stop_words_start_from_the_library_list() -> None:
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    assert set(STOPWORDS_EN_PLUS) <= question_words()
    assert all(w == w.lower() for e in entries(QUESTION_FILE) for w in e["words"])


def test_a_verb_form_of_a_question_word_asks_and_a_noun_form_does_not() -> None:
    # "describe" is listed: its forms that can only be verbs shape a question too
    assert asks("describing") and asks("Explains") and asks("describe")
    # "finding" is also a noun, "recruiting" no question word's form
    assert not asks("finding") and not asks("recruiting") and not asks("holistic")
