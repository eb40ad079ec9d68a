from __future__ import annotations

import pytest

from casebook.gazetteer import Gazetteer, london

BOROUGHS = london().boroughs
find_boroughs = london().find
canonical_borough = london().canonical


def test_there_are_33_local_authorities() -> None:
    assert len(set(BOROUGHS)) == 33
    assert "City of London" in BOROUGHS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Clinical Coaches in the Royal Borough of Kensington & Chelsea (RBKC)", ("Kensington and Chelsea",)),
        ("Working with Clinical Coaches in RBKC", ("Kensington and Chelsea",)),
        ("Kensington and Chelsea", ("Kensington and Chelsea",)),
        ("The Bromley by Bow Centre piloted a service", ("Tower Hamlets",)),
        ("The Bromley-by-Bow Centre", ("Tower Hamlets",)),
        ("Bromley Council and the Bromley by Bow Centre", ("Bromley", "Tower Hamlets")),
        ("Stockwell – Clinicians taking the lead", ("Lambeth",)),
        ("Hampton PCN in Richmond", ("Richmond upon Thames",)),
        ("Richmond upon Thames", ("Richmond upon Thames",)),
        ("Social prescribing in Hammersmith and Fulham", ("Hammersmith and Fulham",)),
        ("Hammersmith & Fulham GP Federation", ("Hammersmith and Fulham",)),
        ("Waltham Forest has many community groups", ("Waltham Forest",)),
        ("a walk in the Forest", ()),
        ("London Borough of Hounslow", ("Hounslow",)),
        ("Croydon-based refugee forum", ("Croydon",)),
        ("Newham’s Vaccine Peer Support Champions", ("Newham",)),
        ("Westminster High Intensity Care Hub", ("Westminster",)),
        ("Age UK Lewisham and Southwark", ("Lewisham", "Southwark")),
        ("Enfield and Haringey", ("Enfield", "Haringey")),
        ("the City of London Corporation", ("City of London",)),
        ("the City and the city", ()),
        ("North Central London and South West London", ()),
        ("Training Social Prescribing Link Workers during Covid-19 – NWL CCG", ()),
        ("Crawley Posh Club", ()),
        ("Brent Cross shopping centre", ("Barnet",)),
        # half of a two-part borough's name is a district of it, and names the borough
        ("the Kensington and Westminster projects", ("Kensington and Chelsea", "Westminster")),
        ("a clinic in Fulham", ("Hammersmith and Fulham",)),
        ("Barking Riverside", ("Barking and Dagenham",)),
        ("Stratford-upon-Avon", ()),
        ("a harrow in the field", ()),
        ("HOUNSLOW", ("Hounslow",)),
        ("", ()),
    ],
)
def test_find_boroughs(text: str, expected: tuple[str, ...]) -> None:
    assert find_boroughs(text) == expected


def test_find_boroughs_sorts_and_deduplicates() -> None:
    assert find_boroughs("Sutton, Barnet, Sutton and Barnet") == ("Barnet", "Sutton")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Hounslow", "Hounslow"),
        ("hounslow", "Hounslow"),
        ("  LAMBETH ", "Lambeth"),
        ("rbkc", "Kensington and Chelsea"),
        ("Kensington & Chelsea", "Kensington and Chelsea"),
        ("kensington-and-chelsea", "Kensington and Chelsea"),
        ("Royal Borough of Greenwich", "Greenwich"),
        ("London Borough of Waltham Forest", "Waltham Forest"),
        ("richmond", "Richmond upon Thames"),
        ("city of london", "City of London"),
        ("Stockwell", None),
        ("Forest", None),
        ("South West London", None),
        ("", None),
    ],
)
def test_canonical_borough(name: str, expected: str | None) -> None:
    assert canonical_borough(name) == expected


def test_every_canonical_name_is_its_own_canonical_form() -> None:
    assert all(canonical_borough(name) == name for name in BOROUGHS)
    assert all(find_boroughs(name) == (name,) for name in BOROUGHS)


def test_round_trips_through_the_copy_an_index_keeps() -> None:
    copy = Gazetteer.from_dict(london().to_dict())
    assert copy == london()
    assert copy.find("Bromley by Bow and Sutton Coldfield") == ("Tower Hamlets",)


def test_every_entry_names_a_source_the_file_defines() -> None:
    import json
    from importlib import resources

    data = json.loads((resources.files("casebook") / "data" / "london_places.json").read_text())
    entries = [*data["boroughs"], *data["aliases"], *data["places"]]
    assert entries and all(e["source"] in data["sources"] for e in entries)


def test_without_places_takes_out_every_place_named_and_keeps_the_rest() -> None:
    gazetteer = london()
    assert gazetteer.without_places("recycling dates Lewisham") == "recycling dates"
    assert gazetteer.without_places("How did Stockwell  start?") == "How did start?"
    # a common word in lower case is no place, as `find` reads it
    assert gazetteer.without_places("a harrow in the garden") == "a harrow in the garden"
