"""What a question sets aside (pure)."""

from __future__ import annotations

import pytest

from casebook.index.answering.exception import Excepted, excepted
from casebook.records import CaseStudy

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
