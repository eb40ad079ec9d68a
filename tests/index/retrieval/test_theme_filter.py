"""Search narrowed to one theme, on the real corpus with the real model."""

import pytest

from casebook.errors import BadQuery
from casebook.index.retrieval.searcher import Searcher
from casebook.themes import themes

pytestmark = pytest.mark.slow


def test_only_case_studies_with_the_theme_are_returned(searcher: Searcher) -> None:
    everything = searcher.search("link workers supporting people", 50)
    tagged = {r.case_study.id for r in everything if "mental-health" in r.case_study.themes}
    results = searcher.search("link workers supporting people", 50, theme="mental-health")
    assert {r.case_study.id for r in results} == tagged and len(tagged) >= 3


@pytest.mark.parametrize("spelling", ["vaccination", "Vaccination", "VACCINATION "])
def test_a_theme_is_matched_ignoring_case(searcher: Searcher, spelling: str) -> None:
    results = searcher.search("community outreach", 10, theme=spelling)
    assert results and all("vaccination" in r.case_study.themes for r in results)


def test_theme_combines_with_borough(searcher: Searcher) -> None:
    results = searcher.search("young people", 10, theme="children-and-young-people",
                              borough="Lambeth")
    assert [r.case_study.id for r in results] == ["the-well-centre"]


def test_an_unknown_theme_lists_the_valid_ones(searcher: Searcher) -> None:
    with pytest.raises(BadQuery, match="Unknown theme 'gardening'") as info:
        searcher.search("vaccines", 5, theme="gardening")
    assert all(theme in (info.value.hint or "") for theme in themes().ids)
    assert searcher.themes() == list(themes().ids)
