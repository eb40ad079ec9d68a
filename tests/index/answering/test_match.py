import pytest

from casebook.index.answering.evidence import Evidence
from casebook.index.answering.match import decide, probabilities
from casebook.index.retrieval.tuned import Logistic, packaged

# P(in the field) rises with the best sentence's e5 cosine; P(covered) with the score
TUNED = packaged().with_(domain=Logistic(("sentence_e5",), (100.0,), -80.0),
                         answer=Logistic(("score",), (20.0,), -10.0))


def _evidence(sentence_e5: float, score: float) -> Evidence:
    return Evidence(score, 1.0, (), 0.9, {"sentence_e5": sentence_e5, "score": score})


@pytest.mark.parametrize(
    ("sentence_e5", "score", "match"),
    [(0.9, 0.9, "answered"),
     (0.9, 0.3, "related"),
     (0.7, 0.9, "none"),  # outside the field, however well some passage scored
     (0.7, 0.1, "none")],
)
def test_decide_reads_the_field_first_then_coverage(sentence_e5: float, score: float,
                                                    match: str) -> None:
    assert decide(_evidence(sentence_e5, score), TUNED) == match


def test_probabilities_are_the_two_models() -> None:
    domain, answer = probabilities(_evidence(0.8, 0.5), TUNED)
    assert domain == pytest.approx(0.5) and answer == pytest.approx(0.5)


def test_the_shipped_models_read_only_named_evidence() -> None:
    from casebook.index.answering.evidence import FEATURES

    tuned = packaged()
    assert set(tuned.domain.features) <= set(FEATURES)
    assert set(tuned.answer.features) <= set(FEATURES)
