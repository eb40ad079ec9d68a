import pytest

from casebook.index.answering.lead import PRECISE_BONUS, TYPE_BONUS, answer_type, type_bonus


@pytest.mark.parametrize(
    ("question", "kind"),
    [("How many mosques are there in Hounslow?", "number"),
     ("When did social prescribing go live in Lambeth?", "date"),
     ("Who ran the befriending calls?", "name"),
     ("Which charity hired the care coordinator?", "name"),
     ("How did they persuade people to get the vaccine?", "action"),
     ("What did the link workers do during lockdown?", "action"),
     ("vaccine hesitancy", "any")],
)
def test_answer_type(question: str, kind: str) -> None:
    assert answer_type(question) == kind


def test_type_bonus_prefers_the_sentence_of_the_right_type() -> None:
    assert type_bonus("date", "It went live in December 2019.") == PRECISE_BONUS
    assert type_bonus("date", "It went live after a pilot.") == 0.0
    assert type_bonus("number", "There are 15 mosques in the borough.") == PRECISE_BONUS
    assert type_bonus("name", "The work was led by the Bromley by Bow Centre.") == TYPE_BONUS
    done = type_bonus("action", "The team set up drop-in sessions at the mosque.")
    problem = type_bonus("action", "People were reluctant because of concerns about pork.")
    assert done > 0 > problem
