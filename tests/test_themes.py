"""The theme rule (casebook/data/themes.json): pure, table-driven, and checked on the corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casebook.records import CaseStudy
from casebook.themes import Theme, Themes, themes

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "case_studies.jsonl"


def rule(*terms: str) -> Themes:
    return Themes((Theme("t", "T", "a test theme", "test", terms),))


@pytest.mark.parametrize(("terms", "text", "matches"), [
    (("mental health",), "Support for MENTAL HEALTH needs", True),
    (("mental health",), "mental\nhealth across a line break", True),
    (("mental health",), "mentally healthy", False),  # whole words only
    (("vaccin*",), "the vaccinators and vaccines", True),  # * is a prefix
    (("vaccin*",), "unvaccinated", False),  # ...of a word's start only
    (("sport",), "sports", False),  # no * means the exact word
    (("A&E",), "Community alternatives to A&E: working", True),  # terms may end in punctuation
    (("A&E",), "A&Every", False),
    (("CYP",), "Children & Young People (CYP)", True),
    (("cancer-specific",), "a cancer-specific service", True),
    (("long term condition*", "chronic"), "with long term conditions", True),
    (("long term condition*", "chronic"), "a long wait", False),
])
def test_a_term_matches_whole_words_ignoring_case(terms: tuple[str, ...], text: str,
                                                  matches: bool) -> None:
    assert rule(*terms).assign(text) == (("t",) if matches else ())


def test_a_theme_tells_which_of_its_terms_a_text_says_and_whether_a_name_is_one() -> None:
    catalogue = rule("A&E", "emergency", "high intensity user*")
    assert catalogue.themes[0].terms_in("High Intensity Users of emergency services") == (
        "emergency", "high intensity user*")
    assert catalogue.is_term("A&E") and catalogue.is_term("high intensity users")
    # the whole name, not a word of it
    assert not catalogue.is_term("A&E users") and not catalogue.is_term("Emergency Care")


def test_themes_come_in_the_data_files_order() -> None:
    shipped = themes()
    text = "Refugees find food, sport and vaccines; young people with anxiety."
    assigned = shipped.assign(text)
    assert list(assigned) == [t for t in shipped.ids if t in assigned]
    assert set(assigned) == {"refugees-and-migrants", "food-and-money", "physical-activity",
                             "vaccination", "children-and-young-people", "mental-health"}


def test_the_data_file_is_well_formed() -> None:
    shipped = themes()
    assert len(shipped.ids) == len(set(shipped.ids)) >= 6
    for theme in shipped.themes:
        assert theme.label and theme.definition and theme.terms and theme.source
    with pytest.raises(ValueError, match="unknown source 'nowhere'"):
        Themes.from_dict({"sources": {}, "themes": [
            {"id": "x", "label": "X", "definition": "d", "source": "nowhere", "terms": ["x"]}]})


def test_the_committed_corpus_carries_the_rules_themes() -> None:
    cases = [CaseStudy.from_dict(json.loads(line)) for line in CORPUS.read_text("utf-8").splitlines()]
    for case in cases:
        assert case.themes == themes().assign(case.text), case.id
    used = {t for case in cases for t in case.themes}
    assert used == set(themes().ids)  # every theme names at least one case study
    by_id = {case.id: case.themes for case in cases}
    assert "vaccination" in by_id["covid-19-vaccinations-understanding-and-supporting-faith"]
    assert "homelessness-and-housing" in by_id["reducing-health-inequalities-health-inclusion"]


def test_old_records_without_themes_still_load() -> None:
    case = CaseStudy.from_dict({"id": "a", "title": "A", "section": "S", "url": "u", "text": "t"})
    assert case.themes == ()
