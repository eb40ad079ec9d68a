"""A comparison's aspects: what each sentence tells, what the question asks about, and how
sentences group and read (pure: no index)."""

import pytest

from casebook.index.answering.aspects import (
    DONE,
    MORE,
    NEED,
    RESULT,
    asked_label,
    by_aspect,
    grouped,
    kind_asked,
    kind_of,
    order,
    plain,
)
from casebook.index.text.terms import tokenize
from casebook.records import AnswerItem, AnswerSentence, CaseStudy


def _case(id_: str) -> CaseStudy:
    return CaseStudy(id=id_, title=id_, url="https://example.org", section="S", text="")


@pytest.mark.parametrize(("text", "kind"), [
    ("People were reluctant to have the vaccine because of concerns about pork.", NEED),
    ("They hired a link worker who speaks Spanish.", DONE),
    # what a service does, said in the present
    ("The club brings people together for social events once a week.", DONE),
    ("It enables people to socialise.", DONE),
    ("Attendance increased by 40% over the year.", RESULT),
    ("Waltham Forest has many community groups.", MORE),
])
def test_a_sentence_tells_the_first_aspect_it_holds(text: str, kind: str) -> None:
    assert kind_of(text) == kind


@pytest.mark.parametrize(("question", "titles", "places", "label"), [
    # the topic as the asker put it, past the places and the titles' own words
    ("How does funding for social prescribing differ between Barnet and Hammersmith and "
     "Fulham?", "Community Embedded Social Prescribing. A holistic and integrated approach",
     ["Barnet", "Hammersmith and Fulham"], "Funding for social prescribing"),
    ("Compare The Well Centre and the Royal London Hospital on supporting young people.",
     "The Well Centre. The Royal London Hospital Barts Health NHS Trust", ["Lambeth"],
     "Supporting young people"),
    # a kind of fact is named by its kind
    ("Who runs social prescribing in Barnet and in Ealing, compared?", "Barnet. Ealing",
     ["Barnet", "Ealing"], "Who"),
    ("When did the Barnet and Ealing services start, compared?", "Barnet. Ealing",
     ["Barnet", "Ealing"], "When"),
    # nothing beyond the case studies named; a number is no topic
    ("Compare the two Lewisham case studies.", "Lewisham. Lewisham", ["Lewisham"], None),
    ("Compare Barnet and Ealing.", "Barnet. Ealing", ["Barnet", "Ealing"], None),
    # an aspect's own name asked for is that aspect
    ("Compare the results in Ealing and Barnet.", "Ealing. Barnet", ["Ealing", "Barnet"],
     RESULT),
    # a run is one phrase, and a story of a question names what it asks by no run of it
    ("I'm a GP and PCN clinical director. The networks in our borough each want to do social "
     "prescribing differently, and I'd like them to agree one model. Are there examples of "
     "clinicians leading this kind of change? Compare them.",
     "Clinicians taking the lead. Training link workers", ["Lambeth"],
     "Closest to the question"),
    ("Compare the welfare checks and the Ealing meditation on anxiety, stress.",
     "Welfare Checks. Guided meditation for wellbeing", ["Ealing"], "Anxiety"),
    # a past participle names no topic: what was asked, by the kind of answer it wants
    ("Compare Crawley Posh Club with Lewisham's Community Connections for people who are "
     "isolated.", "Crawley Posh Club. Community Connections", ["Lewisham"],
     "Closest to the question"),
    # how each did something: what was done, whatever both did it about
    ("Compare how Hounslow and Southwark reached people about the vaccine.",
     "Understanding and supporting faith groups. Working together in Southwark",
     ["Hounslow", "Southwark"], DONE),
    ("How did Croydon and Newham differ in how they supported people?",
     "Supporting refugees in Croydon. Utilising opportunities in Newham",
     ["Croydon", "Newham"], DONE),
])
def test_the_asked_aspect_is_labelled_by_the_askers_words_or_the_kind_asked(
        question: str, titles: str, places: list[str], label: str | None) -> None:
    assert asked_label(question, set(tokenize(titles)), places) == label


def test_a_kind_of_fact_is_read_back_from_its_label() -> None:
    assert kind_asked("When") == "date" and kind_asked("Who") == "name"
    assert kind_asked(RESULT) is None and kind_asked("Funding") is None


def test_what_was_asked_is_read_first() -> None:
    assert order("Funding") == ("Funding", NEED, DONE, RESULT, MORE)
    assert order(DONE) == (DONE, NEED, RESULT, MORE)
    assert order(None) == (NEED, DONE, RESULT, MORE)


def test_a_sentence_follows_what_it_leans_on_in_the_aspect_that_shows_that() -> None:
    # row 5 needs row 4 before it ("She ..." after "Corina ..."), which NEED already shows
    needs = {5: [4, 5], 7: [7], 4: [4]}
    groups = grouped([(NEED, 4), (DONE, 7), (RESULT, 5)], lambda r: needs[r])
    assert groups == {NEED: [4, 5], DONE: [7]}
    # the most telling first within an aspect, the sentence before it added ahead of it
    assert grouped([(DONE, 9), (DONE, 5)], lambda r: needs.get(r, [r])) == {DONE: [9, 4, 5]}


def test_aspects_hold_the_case_studies_that_say_something_of_them_and_read_as_lines() -> None:
    one, two = _case("one"), _case("two")
    said = {NEED: (AnswerSentence("It was hard.", 1),)}
    done = {NEED: (AnswerSentence("Few came.", 2),), DONE: (AnswerSentence("They met.", 2),)}
    aspects = by_aspect(order(None), [(AnswerItem(one, (), "Barnet"), said),
                                      (AnswerItem(two, (), "Ealing"), done)])
    assert [(a.label, [i.label for i in a.items]) for a in aspects] == [
        (NEED, ["Barnet", "Ealing"]), (DONE, ["Ealing"])]
    assert plain(aspects) == ["The need:", "- Barnet: It was hard. [1]",
                              "- Ealing: Few came. [2]", "What was done:",
                              "- Ealing: They met. [2]"]
