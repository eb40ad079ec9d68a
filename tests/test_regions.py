"""London's sub-regions: the five integrated care systems and compass words (pure)."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from casebook.gazetteer import london
from casebook.records import CaseStudy
from casebook.regions import regions


def test_the_five_systems_cover_every_borough_once() -> None:
    systems = regions().regions
    assert len(systems) == 5
    covered = [b for r in systems for b in r.boroughs]
    assert sorted(covered) == sorted(london().boroughs)


def test_every_entry_names_a_source_the_file_defines() -> None:
    data = json.loads((resources.files("casebook") / "data" / "london_regions.json").read_text())
    for row in [*data["regions"], *data["compass"]]:
        assert row["source"] in data["sources"]
    names = {r["name"] for r in data["regions"]}
    assert all(set(c["regions"]) <= names for c in data["compass"])


@pytest.mark.parametrize(("text", "named"), [
    ("case studies from south London", ("South East London", "South West London")),
    ("any projects in north-west London?", ("North West London",)),
    # a full name before the compass phrase inside it
    ("the training hub in South West London", ("South West London",)),
    ("Training Social Prescribing Link Workers – NWL CCG", ("North West London",)),
    ("four East London boroughs", ("North East London",)),
    # "North Southwark" is a part of a borough, and "nwl" is no acronym
    ("North Southwark", ()), ("nwl", ()),
])
def test_named(text: str, named: tuple[str, ...]) -> None:
    assert regions().named(text) == named


def test_a_case_study_is_in_a_region_by_its_borough_or_by_naming_it() -> None:
    swl = ("South West London",)
    croydon = CaseStudy("c", "Croydon", "S", "u", "Sport.", boroughs=("Croydon",))
    named = CaseStudy("t", "Peer sessions", "S", "u", "The training hub in South West London.")
    elsewhere = CaseStudy("b", "Barnet", "S", "u", "A hub.", boroughs=("Barnet",))
    assert regions().holds(croydon, swl) and regions().holds(named, swl)
    assert not regions().holds(elsewhere, swl)
    assert regions().without("case studies from south London?").split() == ["case", "studies",
                                                                            "from", "?"]
