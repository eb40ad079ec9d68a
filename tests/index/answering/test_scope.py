import pytest

from casebook.index.answering.scope import places_named, uncovered_places

CORPUS = ("Hounslow mosques. Crawley Posh Club. Lambeth youth hub. The Bromley by Bow Centre "
          "piloted a service. Age UK Barnet helped.")
COVERED = ["Hounslow", "Lambeth"]


@pytest.mark.parametrize(
    ("question", "places"),
    [
        ("social prescribing in camden", ["Camden"]),
        ("Dementia projects in Manchester?", ["Manchester"]),
        ("What did RBKC do about A&E?", ["Kensington and Chelsea"]),
        ("Reading groups for isolated older people", []),  # the word, not the town
        ("Has anyone tried it in Reading?", ["Reading"]),
        ("a long bath", []),
        ("vaccine hesitancy", []),
    ],
)
def test_places_named(question: str, places: list[str]) -> None:
    assert places_named(question) == places


@pytest.mark.parametrize(
    ("question", "uncovered"),
    [
        ("Anything in Camden about vaccines?", ["Camden"]),
        ("Farmers in rural Wales", ["Wales"]),
        ("How did Hounslow do it compared to Manchester?", []),  # one place is covered
        ("Is there a Posh Club in Crawley?", []),  # named in the corpus text
        ("How did link workers reach faith groups?", []),  # no place at all
        # a borough named only inside a longer place's name ("Bromley by Bow", in Tower
        # Hamlets) is not named; one named as itself is, wherever the records place it
        ("Is there a case study from Bromley?", ["Bromley"]),
        ("Anything in Barnet?", []),
    ],
)
def test_uncovered_places(question: str, uncovered: list[str]) -> None:
    assert uncovered_places(question, COVERED, CORPUS) == uncovered
