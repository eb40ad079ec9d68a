"""The corpus's words as vectors (text/word_meaning.py), read by the real model."""

import numpy as np

from casebook.index.encoders.minilm.torch_encoder import Embedder
from casebook.index.text.word_meaning import (
    case_words,
    nearest_words,
    spelled_alike,
    theme_meanings,
    themes_near,
)
from casebook.themes import Themes, themes

TEXTS = ("Supporting cancer patients at A&E.", "A youth hub for children and young people.")


def test_the_vocabulary_is_every_word_but_stop_words_with_acronyms_spelled_out(
        embedder: Embedder) -> None:
    known = case_words(TEXTS, embedder.encode)
    assert {"cancer", "accident", "emergency", "youth", "children"} <= set(known.vocabulary)
    assert not {"and", "for", "at"} & set(known.vocabulary)
    assert len(set(known.vocabulary)) == len(known.vocabulary) == len(known.vectors)
    assert np.allclose(np.linalg.norm(known.vectors, axis=1), 1.0, atol=1e-5)


def test_a_part_of_a_hyphenated_word_is_no_word_the_texts_say(embedder: Embedder) -> None:
    # "older people" read as the "old" of a 40-year-old would list her as an older person
    known = case_words(("A 40-year-old woman, old friends and a day-to-day routine.",),
                       embedder.encode)
    assert {"woman", "old", "friends", "routine"} <= set(known.vocabulary)
    assert not {"40", "year", "day"} & set(known.vocabulary)
    (near, _), = nearest_words(embedder.encode(["older"]), case_words(
        ("A 40-year-old woman was worried.",), embedder.encode), ["older"])
    assert near != "old"


def test_a_word_the_texts_never_say_meets_the_nearest_word_they_do(embedder: Embedder) -> None:
    known = case_words(TEXTS, embedder.encode)
    (oncology, near), (teenagers, youth), (_, far) = nearest_words(
        embedder.encode(["oncology", "teenagers", "dementia"]), known)
    assert (oncology, teenagers) == ("cancer", "youth")
    assert near > far and youth > far


def test_a_word_spelled_inside_another_is_not_its_meaning(embedder: Embedder) -> None:
    known = case_words(("Women felt uncomfortable.", "Men's health checks for men."),
                       embedder.encode)
    # word pieces alone make "men" near "women": a text that says "men" has it, one that
    # does not offers no other word spelled around it
    (near, _), = nearest_words(embedder.encode(["women"]), known)
    assert near == "women"
    only_women = case_words(("Women felt uncomfortable.",), embedder.encode)
    (unguarded, _), = nearest_words(embedder.encode(["men"]), only_women)
    (guarded, _), = nearest_words(embedder.encode(["men"]), only_women, ["men"])
    assert unguarded == "women" and guarded != "women"


def test_spelled_alike_is_two_words_not_two_forms_of_one() -> None:
    assert spelled_alike("men", "women") and spelled_alike("carers", "care")
    assert not spelled_alike("vaccines", "vaccine") and not spelled_alike("gardening", "garden")
    assert not spelled_alike("men", "man") and not spelled_alike("cancer", "youth")


def test_no_words_meet_nothing(embedder: Embedder) -> None:
    known = case_words(TEXTS, embedder.encode)
    assert nearest_words(np.zeros((0, len(known.vectors[0]))), known) == []
    empty = case_words((), embedder.encode)
    assert empty.vocabulary == () and nearest_words(embedder.encode(["cancer"]), empty) == [("", 0.0)]


def test_a_topic_meets_the_themes_near_it_in_meaning(embedder: Embedder) -> None:
    meanings = theme_meanings(themes(), embedder.encode)
    assert meanings.ids == themes().ids
    assert np.allclose(np.linalg.norm(meanings.definitions, axis=1), 1.0, atol=1e-5)
    assert themes_near(embedder.encode_one("teenagers"), meanings, 0.55) == \
        {"children-and-young-people"}
    assert themes_near(embedder.encode_one("the Covid jab"), meanings, 0.55) == {"vaccination"}
    # the definition counts as well as the label: "frequent A&E users" are what urgent and
    # emergency care is defined to hold
    assert "emergency-care" in themes_near(
        embedder.encode_one("frequent accident and emergency users"), meanings, 0.55)
    assert themes_near(embedder.encode_one("parking fines"), meanings, 0.55) == set()
    assert themes_near(embedder.encode_one("teenagers"), meanings, 1.01) == set()


def test_no_themes_are_near_nothing(embedder: Embedder) -> None:
    empty = theme_meanings(Themes(()), embedder.encode)
    assert empty.ids == () and themes_near(embedder.encode_one("teenagers"), empty, 0.0) == set()
