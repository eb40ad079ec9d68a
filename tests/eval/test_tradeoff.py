import math

import numpy as np

from casebook.eval.tradeoff import Row, choose_margin, lexical_table, table
from casebook.index.retrieval.tuned import packaged
from casebook.records import CaseRows

ROWS = CaseRows.of(("a", "b", "c"), np.array([0, 1, 2]))


def _rows(mrrs: list[float]) -> list[Row]:
    margins = [0.0, 0.05, 0.1, 0.2, math.inf][: len(mrrs)]
    return [Row(m, i / len(mrrs), i / len(mrrs), 0.0, mrr) for i, (m, mrr) in
            enumerate(zip(margins, mrrs))]


def test_the_cheapest_margin_within_budget_from_which_on_all_stay_within_it() -> None:
    assert choose_margin(_rows([0.80, 0.90, 0.918, 0.92, 0.92])) == 0.1
    # a lucky dip below the budget further right moves the choice past it
    assert choose_margin(_rows([0.919, 0.90, 0.918, 0.92, 0.92])) == 0.1
    assert choose_margin(_rows([0.70, 0.80, 0.85, 0.90, 0.92])) == math.inf


def test_table_counts_e5_calls_and_scores_the_served_ranking() -> None:
    views = ("bm25", "minilm_passage", "minilm_case")
    # the cheap views put case 0 narrowly first; e5 knows it is case 2
    raw = {v: np.array([0.50, 0.0, 0.49]) for v in views} | {"borough": np.zeros(3)}
    raw |= {"e5_passage": np.array([0.0, 0.1, 1.0]), "e5_case": np.array([0.0, 0.1, 1.0])}
    rows = table([(raw, True, ["c"])], packaged(), ROWS, margins=(0.0, math.inf))
    assert (rows[0].e5_calls, rows[0].hit_at_1) == (0.0, 0.0)
    assert (rows[1].e5_calls, rows[1].hit_at_1, rows[1].mrr_at_10) == (1.0, 1.0, 1.0)


def test_lexical_table_counts_what_bm25_settles_among_english_questions() -> None:
    # BM25 leads clearly with case 0, which is right; the dense views prefer case 2
    raw = {"bm25": np.array([1.0, 0.0, 0.2]), "borough": np.zeros(3)}
    raw |= {v: np.array([0.0, 0.1, 1.0]) for v in
            ("minilm_passage", "minilm_case", "e5_passage", "e5_case")}
    questions = [(raw, True, ["a"]), (raw, False, ["a"])]  # the second is not English
    rows = lexical_table(questions, packaged(), ROWS, margins=(0.5, 0.9, math.inf))
    assert [r.settled for r in rows] == [1.0, 0.0, 0.0]  # over the English question only
    assert rows[0].hit_at_1 == 1.0 and rows[0].mrr_at_10 == 1.0
    assert rows[1].hit_at_1 == rows[2].hit_at_1  # unsettled: the cascade as before


def test_the_lexical_margin_survives_the_tuned_file() -> None:
    tuned = packaged().with_(lexical_margin=0.35)
    again = type(tuned).from_dict(tuned.to_dict())
    assert again.lexical_margin == 0.35 and again.served_lexical_margin == 0.35
    assert math.isinf(type(tuned).from_dict(
        packaged().with_(lexical_margin=math.inf).to_dict()).lexical_margin)
