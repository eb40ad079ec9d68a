import json
from pathlib import Path

import numpy as np
import pytest

from casebook.errors import CorpusError
from casebook.eval.logistic import fit_logistic
from casebook.eval.metrics import estimate, precision, rank_metrics, recall, reciprocal_rank
from casebook.eval.questions import Question, load_questions, normalise, select, split_of
from casebook.eval.selection import simplex


@pytest.mark.parametrize(
    ("ranked", "relevant", "rr"),
    [(["a", "b"], ["a"], 1.0), (["b", "a"], ["a"], 0.5), (["b", "c"], ["a"], 0.0),
     (["x"] * 10 + ["a"], ["a"], 0.0)],
)
def test_reciprocal_rank(ranked: list[str], relevant: list[str], rr: float) -> None:
    assert reciprocal_rank(ranked, relevant) == rr


def test_recall_and_precision() -> None:
    assert recall(["a", "x", "y", "z", "w", "b"], ["a", "b"]) == 0.5
    assert precision(["a", "x", "b"], ["a", "b"]) == pytest.approx(2 / 3)


def test_rank_metrics_average_over_questions_with_intervals() -> None:
    m = rank_metrics([(["a", "b"], ["a"]), (["b", "a"], ["a"])])
    assert (m.hit_at_1.mean, m.mrr_at_10.mean, m.recall_at_5.mean, m.n) == (0.5, 0.75, 1.0, 2)
    assert m.hit_at_1.low == 0.0 and m.hit_at_1.high == 1.0


def test_bootstrap_is_fixed_and_brackets_the_mean() -> None:
    values = [1.0] * 30 + [0.0] * 10
    first, second = estimate(values), estimate(values)
    assert first == second
    assert first.low < first.mean == 0.75 < first.high
    assert first.low > 0.55 and first.high < 0.9
    assert estimate([]).n == 0


def test_split_is_a_fixed_hash_of_the_normalised_text() -> None:
    assert split_of("How did  Hounslow reach mosques?") == split_of("how did hounslow reach mosques?")
    assert normalise("  A\u00a0B ") == "a b"
    questions = [f"question number {i}" for i in range(200)]
    dev = sum(split_of(q) == "dev" for q in questions)
    assert 70 < dev < 130  # about half, whatever the questions


def test_follow_ups_travel_with_the_question_they_follow() -> None:
    opener = next(f"opener {i}" for i in range(100) if split_of(f"opener {i}") == "dev")
    follow = next(f"and {i}?" for i in range(100) if split_of(f"and {i}?") == "test")
    questions = [Question("a", opener, ("x",)), Question("b", follow, ("x",), follows="a")]
    assert [q.id for q in select(questions, "dev")] == ["a", "b"]
    assert select(questions, "test") == []
    assert len(select(questions, "all")) == 2


def test_load_questions_reads_every_field(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"id": "f1", "question": "Cuándo?", "relevant": ["x"],
                                "kind": "fact", "lang": "es", "answer": "2019",
                                "follows": "f0"}) + "\n\n", encoding="utf-8")
    (q,) = load_questions(path)
    assert (q.lang, q.answer, q.follows, q.scope) == ("es", "2019", "f0", "in_scope")
    assert (q.facts, q.count, q.boroughs) == ((), None, ())
    path.write_text(json.dumps({"id": "w", "question": "Which boroughs?", "relevant": ["x"],
                                "kind": "where", "facts": ["15"], "count": 2,
                                "boroughs": ["Hounslow", "Newham"]}) + "\n", encoding="utf-8")
    (q,) = load_questions(path)
    assert (q.facts, q.count, q.boroughs) == (("15",), 2, ("Hounslow", "Newham"))
    with pytest.raises(CorpusError):
        load_questions(tmp_path / "missing.jsonl")
    path.write_text("[1, 2]\n", encoding="utf-8")
    with pytest.raises(CorpusError):
        load_questions(path)


def test_scopes() -> None:
    assert Question("a", "q", (), kind="near_miss").scope == "near_miss"
    assert Question("a", "q", (), kind="far").scope == "far"


def test_simplex_grid_sums_to_one() -> None:
    grid = simplex(("a", "b", "c"), 0.25)
    assert np.allclose(grid.sum(axis=1), 1.0)
    assert len(grid) == 15 and (grid >= 0).all()


def test_logistic_fit_recovers_a_known_model() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4000, 2))
    p = 1 / (1 + np.exp(-(0.5 + 2.0 * x[:, 0] - 1.0 * x[:, 1])))
    y = (rng.random(4000) < p).astype(float)
    coef, bias = fit_logistic(x, y, ridge=1e-6)
    assert coef == pytest.approx([2.0, -1.0], abs=0.2)
    assert bias == pytest.approx(0.5, abs=0.15)
