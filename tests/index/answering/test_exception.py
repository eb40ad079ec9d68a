"""What a question sets aside (pure)."""

from __future__ import annotations

import pytest

from casebook.index.answering.exception import (
    Excepted,
    excepted,
    others_asked,
    said_aside,
    sets_aside,
)
from casebook.records import Answer, AnswerSentence, CaseStudy

SECTIONS = ["Supporting Personalised Care Roles through Training Hubs case studies",
            "Social prescribing – video case study"]
BOROUGHS = ["Lambeth", "Westminster"]


@pytest.mark.parametrize(("question", "expected"), [
    ("Apart from the training hubs, are there any case studies built around a hub?",
     Excepted("Are there any case studies built around a hub?", SECTIONS[0])),
    ("Which boroughs, other than Lambeth, have case studies on mental health?",
     Excepted("Which boroughs have case studies on mental health?", None, ("Lambeth",))),
    ("Which boroughs other than Lambeth have case studies on mental health?",
     Excepted("Which boroughs have case studies on mental health?", None, ("Lambeth",))),
    # the section's name may end on the units
    ("Which case studies are about young people, excluding the video case studies?",
     Excepted("Which case studies are about young people?", SECTIONS[1])),
    # a topic set aside is no field: the question is left to its words
    ("Apart from vaccines, what did link workers do?",
     Excepted("Apart from vaccines, what did link workers do?")),
    ("Which case studies are about Westminster?", Excepted("Which case studies are about Westminster?")),
    # nothing asked beside what is set aside: the question as it is
    ("Other than Westminster?", Excepted("Other than Westminster?")),
])
def test_a_section_or_borough_set_aside_leaves_the_question(question: str,
                                                            expected: Excepted) -> None:
    assert excepted(question, SECTIONS, BOROUGHS) == expected


def case(section: str, boroughs: tuple[str, ...]) -> CaseStudy:
    return CaseStudy(id="x", title="T", section=section, url="u", text="t", boroughs=boroughs)


def test_the_case_studies_set_aside_are_not_kept() -> None:
    aside = Excepted("Which boroughs have case studies?", SECTIONS[0], ("Lambeth",))
    assert not aside.keeps(case(SECTIONS[0], ()))
    assert not aside.keeps(case(SECTIONS[1], ("Lambeth", "Southwark")))
    assert aside.keeps(case(SECTIONS[1], ("Westminster",)))


def test_the_answer_says_what_it_left_out_after_its_first_sentence() -> None:
    answer = Answer("q", "One borough has one: Westminster. It is there. [1]", (), True, 0.5,
                    sentences=(AnswerSentence("One borough has one: Westminster.", None),
                               AnswerSentence("It is there.", 1)))
    told = said_aside(answer, Excepted("q", SECTIONS[1], ("Lambeth",)))
    assert told.answer == ("One borough has one: Westminster. The \u201cSocial prescribing \u2013 "
                           "video case study\u201d section\u2019s and Lambeth\u2019s case studies "
                           "are left out, as asked. It is there. [1]")
    assert [s.text for s in told.sentences][1].endswith("left out, as asked.")
    assert said_aside(answer, Excepted("q")) is answer


def test_only_a_question_that_sets_something_aside_is_read_for_it() -> None:
    assert sets_aside("Which boroughs other than Lambeth ...?") and sets_aside("Apart from X, y?")
    assert not sets_aside("Which case studies are about vaccines?")


@pytest.mark.parametrize(("question", "asked"), [
    ("who else worked with faith groups?", "who worked with faith groups?"),
    ("Where else are care coordinators used?", "Where are care coordinators used?"),
    ("Anyone else train link workers as vaccinators?", "Anyone train link workers as vaccinators?"),
    ("Which boroughs else have one?", "Which boroughs have one?"),
    # more of the same, not others
    ("What else did they do?", None), ("Tell me more", None), ("Who runs it?", None),
    # a word that holds "else" is no "else"
    ("Who elsewhere ran clinics?", None),
])
def test_a_question_for_others_than_those_given(question: str, asked: str | None) -> None:
    assert others_asked(question) == asked
