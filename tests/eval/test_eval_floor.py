"""The evaluation set keeps retrieval quality and the answer threshold from regressing."""

from pathlib import Path

import pytest

from casebook.eval.evaluate import Evaluation, evaluate, load_questions
from casebook.index.retrieval.searcher import Searcher

pytestmark = pytest.mark.slow
QUESTIONS = Path(__file__).resolve().parents[2] / "eval" / "questions.jsonl"


@pytest.fixture(scope="module")
def evaluation(searcher: Searcher) -> Evaluation:
    return evaluate(searcher, load_questions(QUESTIONS))


def test_question_set_is_large_enough_and_labelled(searcher: Searcher) -> None:
    questions = load_questions(QUESTIONS)
    assert len(questions) >= 40
    assert sum(not q.in_scope for q in questions) >= 5
    ids = {c.id for c in searcher.case_studies()}
    for q in questions:
        assert set(q.relevant) <= ids, f"{q.id} names an unknown case study"


def test_hybrid_meets_the_floor(evaluation: Evaluation) -> None:
    hybrid = evaluation.methods["hybrid"]
    assert hybrid.hit_at_1 >= 0.80
    assert hybrid.recall_at_5 >= 0.90
    assert hybrid.mrr_at_10 >= 0.85


def test_hybrid_is_at_least_as_good_as_either_retriever(evaluation: Evaluation) -> None:
    m = evaluation.methods
    assert m["hybrid"].mrr_at_10 >= max(m["bm25"].mrr_at_10, m["dense"].mrr_at_10)


def test_configured_threshold_is_the_calibrated_one(evaluation: Evaluation,
                                                    searcher: Searcher) -> None:
    configured = searcher.settings.answer_threshold
    assert configured == pytest.approx(evaluation.threshold, abs=0.02)
    assert evaluation.decision_accuracy >= 0.9
