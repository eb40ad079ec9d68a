import numpy as np
import pytest

from casebook.index.answering.evidence import (
    FEATURES,
    SentenceEvidence,
    common_stems,
    coverage,
    features,
    title_bears,
    unheld_words,
)
from casebook.records import CaseResult, CaseRows, CaseStudy, Scored


def _result(text: str, score: float = 0.7) -> CaseResult:
    return CaseResult(CaseStudy("c", "Title", "Section", "https://x", text), score)


def test_coverage_weighs_the_rare_word_the_case_study_lacks() -> None:
    corpus = ("Link workers helped people get the Covid vaccine at the mosque.",
              "Link workers ran walking groups for people.",
              "Link workers supported people with debt.")
    covered = coverage("link workers and the covid vaccine", [_result(corpus[0])], corpus)
    missing = coverage("link workers and dementia", [_result(corpus[0])], corpus)
    assert covered == (1.0, ())
    assert missing[0] < 0.5 and missing[1][0] == "dementia"
    assert coverage("SPLW", [_result("social prescribing link workers")], corpus)[0] == 1.0


@pytest.mark.parametrize(
    ("question", "text", "unheld"),
    [("How did link workers reach the mosques?", "Link workers reached a mosque.", []),
     ("social prescribing for gambling problems", "Social prescribing for people with debt.",
      ["gambling", "problems"]),
     ("SPLW support", "social prescribing link workers gave support", []),
     ("what are some examples of the", "anything", [])],
)
def test_unheld_words_are_the_question_words_a_text_lacks(question: str, text: str,
                                                           unheld: list[str]) -> None:
    assert unheld_words(question, text) == unheld


def test_the_fields_common_words_are_never_unheld() -> None:
    corpus = ("Link workers and the covid vaccine.", "Link workers in lockdown.",
              "Link workers ran walking groups.", "A choir for older people.", "Debt advice.",
              "Food parcels.", "Phone calls.", "Art on prescription.")
    common = common_stems(corpus)  # in at least a quarter of the texts: two of these eight
    assert {"link", "worker"} <= common and "choir" not in common
    assert unheld_words("link workers running a choir", corpus[3], common) == ["running"]


def test_features_name_every_feature_and_measure_how_the_best_case_stands_out() -> None:
    # three case studies, two passages each; case 0 stands out in every view
    passage_case = np.array([0, 0, 1, 1, 2, 2])
    peaked = np.array([0.9, 0.2, 0.3, 0.2, 0.3, 0.1])
    flat = np.array([0.5, 0.2, 0.5, 0.2, 0.5, 0.1])

    rows = CaseRows(("a", "b", "c"), passage_case, {"a": 0, "b": 1, "c": 2})

    def scored(final: np.ndarray) -> Scored:
        return Scored(np.zeros(3), final, final, final, {"bm25": final, "e5_passage": final},
                      {"e5_top": 0.9, "minilm_top": 0.8, "bm25_top": 1.0}, final,
                      normalised="question", rows=rows)

    sentences = SentenceEvidence(minilm=0.6, e5=0.85, missing_e5=1.0)
    sharp = features(scored(peaked), [_result("t", 0.9)], 1.0, sentences)
    even = features(scored(flat), [_result("t", 0.5)], 1.0, sentences)
    assert set(sharp) == set(FEATURES)
    assert sharp["fused_z"] > even["fused_z"] and sharp["e5_z"] > even["e5_z"]
    assert sharp["entropy"] < even["entropy"]
    assert sharp["score"] == 0.9 and sharp["english"] == 1.0


PLAIN = frozenset({"link", "worker", "support", "servic", "peopl"})


@pytest.mark.parametrize(("topic", "title", "bears"), [
    ("cancer", "Macmillan Community Link Worker Service: supporting cancer patients", True),
    # the field's own words do not make a title bear on a question
    ("link workers supported unpaid carers",
     "Macmillan Community Link Worker Service: supporting cancer patients", False),
    # an acronym meets its spelling out
    ("people who keep going to accident and emergency", "Community Alternatives to A&E", True),
])
def test_a_title_bears_on_a_topic_by_a_word_beyond_the_fields_own(topic: str, title: str,
                                                                   bears: bool) -> None:
    assert title_bears(topic, title, PLAIN) is bears
