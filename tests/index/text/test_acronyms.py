import json
import re
from pathlib import Path

import pytest
from dev_scripts import load_script

from casebook.index.retrieval.spelling import SpellCorrector
from casebook.index.text.acronyms import DATA_FILES, _entries, acronyms, expand_acronyms

CORPUS = Path(__file__).resolve().parents[3] / "corpus" / "case_studies.jsonl"

mining = load_script("mine_acronyms")


@pytest.mark.parametrize(
    ("text", "contains"),
    [
        ("SPLW", "social prescribing link worker"),
        ("the SPLWs in Newham", "SPLWs (social prescribing link workers)"),
        ("splw supervision", "social prescribing link worker"),
        ("ARRS roles", "additional roles reimbursement scheme"),
        ("PCN", "primary care network"),
        ("DES funding", "directed enhanced service"),
        ("VCSE partners", "voluntary community and social enterprise"),
        ("HIU service", "high intensity user"),
        ("LTC and CYP", "long term condition"),
        ("LTC and CYP", "children & young people"),
        ("MDT", "multidisciplinary team"),
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


def test_corrector_fixes_typos_against_the_corpus_only() -> None:
    corrector = SpellCorrector(
        ["vaccine", "vaccine", "hesitancy", "homelessness", "meditation", "marking"],
        known_words={"parking", "permit"},
    )
    assert corrector.correct("vacine hesitency") == "vaccine hesitancy"
    assert corrector.correct("homelesness") == "homelessness"
    assert corrector.correct("parking permit") == "parking permit"  # real words stay
    assert corrector.correct("gp") == "gp"  # too short to guess


def test_an_inflected_english_word_is_a_word_not_a_typo() -> None:
    # neither "jabs" nor "pensioners" is a whole word of a model vocabulary; an English
    # lexicon knows both, so neither is bent into the corpus word one letter away
    corrector = SpellCorrector(["jobs", "jobs", "pensions", "vaccine"], known_words={"parking"})
    assert corrector.correct("covid jabs") == "covid jabs"
    assert corrector.correct("pensioners") == "pensioners"
    assert corrector.correct("vaccne jobs") == "vaccine jobs"  # a typo is still corrected


def test_corrector_counts_a_transposition_as_one_edit_and_prefers_frequent_words() -> None:
    corrector = SpellCorrector(["farm", "form", "form", "meditation", "medication"])
    assert corrector.correct("meditaiton") == "meditation"  # one swap, not two substitutions
    assert corrector.correct("fxrm") == "form"  # farm and form are both 1 away: form is commoner


def _corpus() -> list[dict[str, str]]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]


def test_the_corpus_acronym_file_is_what_mining_the_corpus_gives() -> None:
    mined = mining.generate(CORPUS)
    written = json.loads(mining.DATA_FILE.read_text(encoding="utf-8"))
    assert written == mined, "run `.venv/bin/python scripts/mine_acronyms.py` to update it"
    assert _entries("acronyms_corpus.json") == mined["entries"]
    assert {"SPLW", "PCN", "WHICH"} <= {e["acronym"] for e in mined["entries"]}


@pytest.mark.parametrize(
    ("before", "acronym", "expected"),
    [("working with Social Prescribing Link Workers", "SPLW", "Social Prescribing Link Workers"),
     ("in the Royal Borough of Kensington & Chelsea", "RBKC", "Royal Borough of Kensington & Chelsea"),
     ("run by Lewisham Council", "LBL", None)],
)
def test_long_form_is_the_run_of_words_the_initials_spell(before: str, acronym: str,
                                                          expected: str | None) -> None:
    assert mining.long_form(before, acronym) == expected


def test_every_acronym_has_a_source_and_occurs_in_the_corpus() -> None:
    text = " ".join(c["text"] for c in _corpus()).lower()
    for name in DATA_FILES:
        for entry in _entries(name):
            assert entry["source"].strip(), entry
            pattern = rf"(?<![\w&]){re.escape(entry['acronym'].lower())}s?(?![\w&])"
            assert re.search(pattern, text) or entry["expansion"] in text, entry


def test_acronyms_fitted_to_evaluation_questions_are_gone() -> None:
    table = acronyms()
    for name in ("NCL", "HWBC", "H&F", "ED", "ICB"):
        assert name not in table
    assert "family doctor" not in table["GP"] and "emergency department" not in table["A&E"]
