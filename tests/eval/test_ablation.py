"""eval/ablation.py: each part scored out of fold with and without it."""

from pathlib import Path

import numpy as np
import pytest

from casebook.eval.ablation import ablation, margin_cv, render
from casebook.eval.questions import load_questions, load_similar, select, select_similar
from casebook.eval.run import ask_all
from casebook.index.retrieval.searcher import Searcher

EVAL = Path(__file__).resolve().parents[2] / "eval"
MARGINS = (0.1, 0.5, float("inf"))


def test_a_stage_that_costs_ranking_everywhere_is_switched_off_out_of_fold() -> None:
    # every question: the stage acts at margins 0.1 and 0.5 and drops its reciprocal rank
    rows = np.array([[[0.2, 1.0], [0.5, 1.0], [1.0, 0.0]]] * 20)
    kept, off, acted = margin_cv(rows, MARGINS)
    assert (kept, off, acted) == (1.0, 1.0, 0.0)


def test_a_stage_that_keeps_the_ranking_is_chosen_at_its_cheapest_margin() -> None:
    rows = np.array([[[1.0, 1.0], [1.0, 0.5], [1.0, 0.0]]] * 20)
    kept, off, acted = margin_cv(rows, MARGINS)
    assert (kept, off, acted) == (1.0, 1.0, 1.0)


@pytest.mark.slow
def test_the_ablation_on_dev_names_what_each_part_earns(searcher: Searcher) -> None:
    everything = load_questions(EVAL / "questions.jsonl")
    groups = select_similar(load_similar(EVAL / "similar.jsonl"), "dev")
    asked = ask_all(searcher, select(everything, "dev"), everything)
    rows = {r.part: r for r in ablation(asked, searcher, searcher.tuned, groups)}
    assert all(np.isfinite([r.with_part, r.without]).all() for r in rows.values())
    # BM25 carries the English ranking and e5 the other languages: without either it falls
    assert rows["view bm25 (English)"].earns > 0.01
    assert rows["view e5_passage (other languages)"].earns > 0.01
    # the scope model is what lets a client threshold the score
    assert rows["model scope (calibrated score)"].earns > 0.05
    cascade = rows["stage e5 cascade"]
    assert cascade.with_part >= cascade.without - 0.02 and "e5 runs for" in cascade.note
    assert len(render(list(rows.values()))) == len(rows) + 2
