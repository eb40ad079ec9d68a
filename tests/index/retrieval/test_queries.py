import pytest

from casebook.errors import BadQuery
from casebook.index.retrieval.queries import (
    match_choice,
    validate_k,
    validate_mode,
    validate_query,
)


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_empty_query_is_refused(query: str) -> None:
    with pytest.raises(BadQuery, match="empty"):
        validate_query(query, 100)


def test_overlong_query_names_the_limit() -> None:
    with pytest.raises(BadQuery, match="10000 characters long; the limit is 2000"):
        validate_query("a" * 10_000, 2000)


def test_punctuation_only_query_is_refused() -> None:
    with pytest.raises(BadQuery, match="no letters"):
        validate_query("?!?", 100)


def test_query_is_trimmed() -> None:
    assert validate_query("  vaccines ", 100) == "vaccines"


@pytest.mark.parametrize("k", [0, -1, 51])
def test_k_out_of_range(k: int) -> None:
    with pytest.raises(BadQuery, match="between 1 and 50"):
        validate_k(k, 50)


def test_mode_choices_come_from_the_code() -> None:
    with pytest.raises(BadQuery) as info:
        validate_mode("fuzzy")
    assert "hybrid, dense, bm25" in str(info.value)


def test_match_choice_ignores_case_and_punctuation() -> None:
    choices = ["Health inequalities case studies", "Social prescribing – video case study"]
    assert match_choice("health-inequalities-case-studies", choices, "section") == choices[0]
    with pytest.raises(BadQuery, match="Valid values"):
        match_choice("nope", choices, "section")
