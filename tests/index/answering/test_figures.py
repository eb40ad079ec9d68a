"""What a question counts across the case studies, and the number a sentence gives of it
(pure)."""

import pytest

from casebook.index.answering.figures import Counted, counted, figure_in


@pytest.mark.parametrize(("question", "asked"), [
    ("How many link workers are there?", Counted("link workers", False)),
    ("How many link workers does each case study have?", Counted("link workers", False)),
    ("how many GP practices are involved?", Counted("GP practices", False)),
    ("Which borough has the most link workers?", Counted("link workers", True)),
    ("Which case study had the largest number of volunteers?", Counted("volunteers", True)),
    # within a place or a section named between the question word and the verb
    ("Which case study in Southwark has the most link workers?", Counted("link workers", True)),
    ("Which project in the pandemic section has the most GP practices?",
     Counted("GP practices", True)),
    # a count of the case studies that give a figure, and a list of them
    ("How many case studies say how many link workers they have?",
     Counted("link workers", False, True)),
    ("how many summaries state the number of mosques?", Counted("mosques", False, True)),
    ("Which case studies give a figure for link workers?", Counted("link workers", False)),
])
def test_a_count_of_a_thing_across_case_studies_is_read(question: str, asked: Counted) -> None:
    assert counted(question) == asked


@pytest.mark.parametrize("question", [
    # the records count case studies, boroughs and sections
    "How many case studies are about vaccines?",
    "How many vaccine case studies are there?",
    "how many boroughs are covered?",
    "Which borough has the most case studies?",
    # not a count
    "Who runs the Well Centre?",
    "How did Hounslow reach Muslim communities?",
])
def test_a_count_the_records_answer_or_no_count_is_not_read(question: str) -> None:
    assert counted(question) is None


def test_a_figure_is_the_number_before_the_thing_counted() -> None:
    assert figure_in("There are now 11 link workers (a mix of full and part time).",
                     "link workers").value == 11
    # the number nearest the thing, not the one a joining word puts before it
    four = figure_in("Corina Pall is one of four link workers employed by the Federation.",
                     "link workers")
    assert four is not None and (four.value, four.said) == (4, "four")
    assert figure_in("a federation of 17 GP practices.", "GP practices").value == 17
    # singular or plural, any case, an acronym spelled out
    assert figure_in("There are 15 Mosques, several Mandirs.", "mosques").value == 15
    assert figure_in("The 5 SPLWs were trained.", "link workers").value == 5
    # a number of a noun the thing describes is no figure of the thing
    assert figure_in("which involves over 40 refugee organisations.", "refugees") is None
    assert figure_in("which involves over 40 refugee organisations.",
                     "refugee organisations").value == 40
    # a number of something else is no figure of it
    assert figure_in("a total of 12 team members now in post", "link workers") is None
    assert figure_in("Link workers covered 2020 and 2021.", "link workers") is None


def test_a_kind_of_thing_or_a_number_in_a_name_is_no_figure() -> None:
    # many of it in the singular name a kind of what follows: practices, not GPs
    assert figure_in("a federation of 17 GP practices.", "GPs") is None
    assert figure_in("covers nine GP practices accepting referrals from GPs", "GPs") is None
    # a plural without "s" is no singular ("last" could be a noun)
    assert figure_in("The service helped 1,200 people last year.", "people").value == 1200
    # "Covid-19" counts nothing, and a comma after a number is no part of it
    assert figure_in("are Mental Health, Obesity and Covid-19, people are not always",
                     "people") is None
    assert figure_in("In 2019, 300 people came.", "people").value == 300


def test_a_count_of_the_records_own_units_doing_something_is_theirs() -> None:
    # "how many projects support carers?" counts case studies, not "projects support carers"
    assert counted("How many projects support carers?") is None
    assert counted("how many services support carers?") is None
