"""Quotes a reader can read once (pure)."""

from casebook.index.answering.prose import (
    count_words,
    finished,
    focus,
    introduced,
    join,
    leans_back,
    name,
    opens_on_first_name,
    quoted,
    whole_sentence,
)
from casebook.records import CaseStudy

TITLE = "Social Prescribing Case Study_Covid-19 Vaccinations – Understanding and supporting faith groups"
HOUNSLOW = CaseStudy(
    "h", TITLE, "Vaccines", "u",
    f"{TITLE}\n\nHounslow has 15 Mosques. There was a low number of vaccinators from the "
    "community; some women felt uncomfortable having their vaccine in a public area.\n\n"
    "This includes partnering with the mosques.", boroughs=("Hounslow",))
BARE = CaseStudy("b", "Macmillan Cancer Care Navigation Service: Enhancing patient experience",
                 "Secondary", "u", "Macmillan Cancer Care Navigation Service: Enhancing patient experience")


def test_a_clause_is_shown_as_its_whole_sentence() -> None:
    start = HOUNSLOW.text.index("some women")
    assert whole_sentence(HOUNSLOW, start, "some women felt uncomfortable").startswith(
        "There was a low number") and whole_sentence(HOUNSLOW, start, "x").endswith("area.")


def test_every_sentence_ends_with_its_full_stop() -> None:
    assert finished("Read how the hub compared options") == "Read how the hub compared options."
    assert finished("It said “no.”") == "It said “no.”"
    assert finished("A list;") == "A list."


def test_a_sentence_that_points_back_is_introduced_by_what_it_points_to() -> None:
    assert introduced("This includes partnering with the mosques.", HOUNSLOW) == \
        "In Hounslow, this includes partnering with the mosques."
    assert introduced("This case study by HLP shows a model.", HOUNSLOW) == \
        "The Hounslow case study by HLP shows a model."
    assert introduced("They ran it.", BARE) == \
        "In the Macmillan Cancer Care Navigation Service case study, they ran it."
    assert introduced("Hounslow has 15 Mosques.", HOUNSLOW) == "Hounslow has 15 Mosques."
    # an acronym keeps its capitals
    assert introduced("SPLWs ran it.", HOUNSLOW) == "SPLWs ran it."


def test_a_sentence_shown_after_the_one_it_points_to_is_not_introduced_again() -> None:
    start = HOUNSLOW.text.index("This includes")
    text = "This includes partnering with the mosques."
    assert quoted(HOUNSLOW, start, text) == "In Hounslow, this includes partnering with the mosques."
    assert quoted(HOUNSLOW, start, text, follows=True) == text


def test_a_title_is_shown_as_a_title_never_as_a_sentence() -> None:
    shown = quoted(BARE, 0, BARE.text)
    assert shown == f"The page gives only its title: \u201c{BARE.title}\u201d."


def test_names_and_counts_read_as_prose() -> None:
    assert name(HOUNSLOW) == "Hounslow" and name(BARE) == "Macmillan Cancer Care Navigation Service"
    assert focus(HOUNSLOW) == "Understanding and supporting faith groups"
    assert join(["A"]) == "A" and join(["A", "B", "C"]) == "A, B and C"
    assert join(["Kensington and Chelsea", "Enfield", "Haringey"]) == (
        "Kensington and Chelsea, Enfield, and Haringey")
    assert count_words(9, capital=True) == "Nine" and count_words(34) == "34"


def test_a_pronoun_subject_leans_on_what_came_before_even_after_an_opening_phrase() -> None:
    assert leans_back("It is delivered by a partnership.")
    assert leans_back("Formally launched in April 2017, it is delivered by a partnership.")
    assert not leans_back("The Barnet Wellbeing Hub is the front door.")
    # a comma far into a sentence of its own is no opening phrase
    assert not leans_back("Barnet CCG funds the service, and it is run by a charity.")


def test_a_first_name_given_in_full_just_before_needs_that_sentence() -> None:
    before = "Farah Ahmed and Saiba Salam are both Social Prescribing Link Workers (SPLW)."
    assert opens_on_first_name("Farah is Pakistani and Saiba is Bangladeshi.", before)
    assert not opens_on_first_name("Farah Ahmed is Pakistani.", before)  # named in full
    assert not opens_on_first_name("Farah is Pakistani.", "The link workers are local.")
    # an English word opening a sentence is no first name
    assert not opens_on_first_name("The film features young people.", "The Well Centre opened.")
