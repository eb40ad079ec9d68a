import pytest

from casebook.index.retrieval.spelling import SpellCorrector, edit_distance
from casebook.index.vocabulary import expand_acronyms


@pytest.mark.parametrize(
    ("text", "contains"),
    [
        ("SPLW", "social prescribing link worker"),
        ("the SPLWs in Newham", "SPLWs (social prescribing link worker)"),
        ("splw supervision", "social prescribing link worker"),
        ("ARRS roles", "additional roles reimbursement scheme"),
        ("PCN", "primary care network"),
        ("DES funding", "directed enhanced service"),
        ("VCSE partners", "voluntary community and social enterprise"),
        ("HIU service", "high intensity user"),
        ("LTC and CYP", "long term condition"),
        ("LTC and CYP", "children and young people"),
        ("MDT", "multi-disciplinary team"),
        ("CCG", "clinical commissioning group"),
        ("ICS", "integrated care system"),
        ("alternatives to A&E", "accident and emergency"),
    ],
)
def test_acronyms_are_spelled_out(text: str, contains: str) -> None:
    assert contains in expand_acronyms(text)


@pytest.mark.parametrize("text", ["which services", "designs", "a spare desk", "PCNetwork"])
def test_ordinary_words_are_left_alone(text: str) -> None:
    assert expand_acronyms(text) == text


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("vaccine", "vacine", 1), ("meditation", "meditaion", 1), ("form", "from", 1),
     ("hesitancy", "hesitency", 1), ("abc", "xyz", 3)],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b, limit=3) == distance


def test_corrector_fixes_typos_against_the_corpus_only() -> None:
    corrector = SpellCorrector(
        ["vaccine", "vaccine", "hesitancy", "homelessness", "meditation", "marking"],
        known_words={"parking", "permit"},
    )
    assert corrector.correct("vacine hesitency") == "vaccine hesitancy"
    assert corrector.correct("homelesness") == "homelessness"
    assert corrector.correct("parking permit") == "parking permit"  # real words stay
    assert corrector.correct("gp") == "gp"  # too short to guess
