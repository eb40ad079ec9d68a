import pytest

from casebook.index.answering.match import Evidence, coverage, decide
from casebook.index.retrieval.tuned import packaged
from casebook.records import CaseResult, CaseStudy

TUNED = packaged().with_(answered=0.5, coverage=0.5, none_below=0.8)


@pytest.mark.parametrize(
    ("evidence", "match"),
    [(Evidence(0.9, 0.9, (), 0.9), "answered"),
     (Evidence(0.9, 0.2, ("dementia",), 0.9), "related"),
     (Evidence(0.3, 0.9, (), 0.9), "related"),
     (Evidence(0.9, 0.9, (), 0.7), "none")],
)
def test_decide(evidence: Evidence, match: str) -> None:
    assert decide(evidence, TUNED) == match


def _result(text: str) -> CaseResult:
    return CaseResult(CaseStudy("c", "Title", "Section", "https://x", text), 0.7)


def test_coverage_weighs_the_rare_word_the_case_study_lacks() -> None:
    corpus = ("Link workers helped people get the Covid vaccine at the mosque.",
              "Link workers ran walking groups for people.",
              "Link workers supported people with debt.")
    covered = coverage("link workers and the covid vaccine", [_result(corpus[0])], corpus)
    missing = coverage("link workers and dementia", [_result(corpus[0])], corpus)
    assert covered.coverage == 1.0 and covered.missing == ()
    assert missing.coverage < 0.5 and missing.missing[0] == "dementia"
    assert coverage("SPLW", [_result("social prescribing link workers")], corpus).coverage == 1.0
