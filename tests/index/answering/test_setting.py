"""Where a list's case studies are, kept in its place in the answer's first sentence (pure)."""

import pytest

from casebook.index.answering.compose import split_setting
from casebook.index.answering.selection import Selection
from casebook.index.answering.shapes import leading_setting


@pytest.mark.parametrize(("said", "phrases", "split"), [
    ("in Lambeth are about cancer", ["Lambeth"], ("in Lambeth", "are about cancer")),
    ("based in Lambeth involve young people", ["Lambeth"],
     ("based in Lambeth", "involve young people")),
    ("are in west London about anxiety", ["west London"], ("in west London", "are about anxiety")),
    ("in south London have case studies about homelessness", [],
     ("in south London", "have case studies about homelessness")),
    ("in the vaccine hesitancy section mention mosques", [],
     ("in the vaccine hesitancy section", "mention mosques")),
    # where they are is all it says, or it says it further on
    ("are from Lambeth", ["Lambeth"], ("", "are from Lambeth")),
    ("involve refugees in north London", ["north London"],
     ("", "involve refugees in north London")),
])
def test_a_predicate_opening_on_where_splits_from_its_verb(
        said: str, phrases: list[str], split: tuple[str, str]) -> None:
    assert leading_setting(said, phrases) == split


def test_a_setting_given_before_the_unit_is_the_selections_own() -> None:
    southwark = Selection((), boroughs=("Southwark",))
    # "which Southwark case studies involve young people?"
    assert split_setting("involve young people", southwark) == \
        ("from Southwark", "involve young people")
    assert split_setting("are in Southwark", southwark) == ("", "are in Southwark")
    assert split_setting("involve young people", Selection(())) == ("", "involve young people")
