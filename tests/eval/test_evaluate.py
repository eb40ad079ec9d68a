import pytest

from casebook.eval.evaluate import calibrate, metrics, recall, reciprocal_rank


@pytest.mark.parametrize(
    ("ranked", "relevant", "rr"),
    [(["a", "b"], ["a"], 1.0), (["b", "a"], ["a"], 0.5), (["b", "c"], ["a"], 0.0),
     (["x"] * 10 + ["a"], ["a"], 0.0)],
)
def test_reciprocal_rank(ranked: list[str], relevant: list[str], rr: float) -> None:
    assert reciprocal_rank(ranked, relevant) == rr


def test_recall_counts_relevant_in_top_five() -> None:
    assert recall(["a", "x", "y", "z", "w", "b"], ["a", "b"]) == 0.5


def test_metrics_average_over_questions() -> None:
    m = metrics([(["a", "b"], ["a"]), (["b", "a"], ["a"])])
    assert (m.hit_at_1, m.mrr_at_10, m.recall_at_5, m.questions) == (0.5, 0.75, 1.0, 2)


def test_calibrate_puts_threshold_in_the_gap() -> None:
    threshold, accuracy = calibrate([0.6, 0.7, 0.8], [0.2, 0.3])
    assert accuracy == 1.0
    assert threshold == pytest.approx(0.45)


def test_calibrate_with_overlap_maximises_accuracy() -> None:
    threshold, accuracy = calibrate([0.5, 0.6, 0.9], [0.55, 0.1])
    assert accuracy == pytest.approx(0.8)
    assert 0.1 < threshold <= 0.6
