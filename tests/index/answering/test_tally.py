"""Questions about the boroughs as a whole, counted from the records (pure)."""

from casebook.index.answering.tally import Asked, tally_asked, tally_sentences
from casebook.records import CaseStudy


def _case(cid: str, *boroughs: str) -> CaseStudy:
    return CaseStudy(id=cid, title=cid, section="S", url=f"https://example.org/{cid}",
                     text="A sentence.", boroughs=list(boroughs))


CASES = [_case("a", "Southwark"), _case("b", "Southwark", "Lewisham"), _case("c", "Lewisham"),
         _case("d", "Barnet"), _case("e")]


def test_a_tally_is_read_from_the_question_s_own_words() -> None:
    assert tally_asked("How many boroughs are covered?", ["covered"]) == Asked("count")
    assert tally_asked("Which borough has the most case studies?", ["most"]) == Asked("most")
    assert tally_asked("Which boroughs have more than one case study?", ["one"]) == \
        Asked("more_than", 1)
    assert tally_asked("Which boroughs appear more than twice?", ["appear", "twice"]) == \
        Asked("more_than", 2)
    # a topic of its own asks for the topic's boroughs, not a tally
    assert tally_asked("Which boroughs have the most vaccine work?", ["most", "vaccine"]) is None
    assert tally_asked("How many case studies are there?", []) is None
    # every borough has more than none: they are named, as when asked which are covered
    assert tally_asked("Which boroughs have more than 0 case studies?", ["0"]) == Asked("count")
    assert tally_asked("Which London boroughs are covered?", []) == Asked("count")
    assert tally_asked("Which boroughs do the case studies come from?", ["come"]) == \
        Asked("count")
    assert tally_asked("Which boroughs do the vaccine case studies come from?",
                       ["vaccine", "come"]) is None


def test_the_tally_counts_each_borough_a_case_study_names() -> None:
    said, listed = tally_sentences(Asked("count"), CASES)
    assert said == ["The case studies come from three London boroughs: Barnet, Lewisham and "
                    "Southwark.", "One of the five case studies names no borough."]
    assert listed == []
    said, listed = tally_sentences(Asked("most"), CASES)
    assert said == ["Lewisham and Southwark have the most case studies: two each."]
    assert listed == ["Lewisham", "Southwark"]
    said, listed = tally_sentences(Asked("more_than", 1), CASES)
    assert said == ["Two boroughs have more than one case study: Lewisham and Southwark "
                    "(two each)."]
    said, listed = tally_sentences(Asked("more_than", 2), CASES)
    assert said == ["No borough has more than two case studies."] and listed == []
