"""Fitting list membership on dev (eval/membership.py): the fit, its folds and its floor."""

from pathlib import Path

import numpy as np
import pytest

from casebook.eval.logistic import fit_logistic
from casebook.eval.membership import (
    CLAIMS,
    FLOORS,
    UNHELD,
    Examples,
    choose_claim,
    choose_floor,
    choose_unheld,
    fit,
    list_rates,
    out_of_fold,
)
from casebook.eval.questions import load_questions, select
from casebook.eval.tune import tune_lists
from casebook.index.answering.membership import MEMBERSHIP_FEATURES
from casebook.index.retrieval.searcher import Searcher

EVAL = Path(__file__).resolve().parents[2] / "eval"


def examples(seed: int = 0, questions: int = 10, cases: int = 8) -> Examples:
    """Two relevant case studies per question, standing out on the first feature only."""
    rng = np.random.default_rng(seed)
    y = np.zeros((questions, cases))
    y[:, :2] = 1
    x = np.stack([y * 3 + rng.normal(size=y.shape), rng.normal(size=y.shape) * 5 + 40], axis=-1)
    return Examples(x.reshape(-1, 2), y.reshape(-1), np.repeat(np.arange(questions), cases))


def test_the_fit_reads_raw_features_as_the_standardised_fit_would() -> None:
    data = examples()
    coef, bias = fit(data.x, data.y)
    mean, std = data.x.mean(axis=0), data.x.std(axis=0) + 1e-9
    by_hand, b = fit_logistic((data.x - mean) / std, data.y, ridge=1.0)
    assert data.x @ coef + bias == pytest.approx(((data.x - mean) / std) @ by_hand + b)
    assert coef[0] > 0 and abs(coef[1]) < coef[0]


def test_out_of_fold_probabilities_never_come_from_a_model_that_saw_the_question() -> None:
    data = examples()
    p = out_of_fold(data)
    # question 0 is in fold 0: its probabilities are those of the model fitted on the others
    others = data.question % 5 != 0
    coef, bias = fit(data.x[others], data.y[others])
    held = ~others
    assert p[held] == pytest.approx(1 / (1 + np.exp(-(data.x[held] @ coef + bias))))


def test_a_list_is_complete_when_it_keeps_every_relevant_and_padded_when_it_keeps_more() -> None:
    data = Examples(np.zeros((6, 1)), np.array([1, 1, 0, 1, 0, 0.0]), np.array([0, 0, 0, 1, 1, 1]))
    p = np.array([0.9, 0.5, 0.6, 0.2, 0.1, 0.05])
    # question 0 keeps all three at 0.5 (complete, padded); question 1 keeps nothing at 0.5,
    # so its likeliest (the relevant one): complete
    assert list_rates(p, data, 0.5) == (1.0, 0.5)
    assert list_rates(p, data, 0.7) == (0.5, 0.0)


def test_the_floor_maximises_complete_less_padded_and_a_tie_keeps_the_higher() -> None:
    data = examples()
    # per question: the two relevant at 0.65 and 0.55, the others at 0.25
    p = np.where(data.y > 0, 0.55, 0.25)
    p[::8] = 0.65
    floor, rates = choose_floor(p, data)
    assert rates["0.2"] == [1.0, 1.0]
    assert rates["0.3"] == rates["0.5"] == [1.0, 0.0]
    assert rates["0.6"] == rates["0.7"] == [0.0, 0.0]
    assert floor == 0.5


@pytest.mark.slow
def test_tuning_lists_on_dev_fits_a_model_that_beats_the_calibrated_score(
        searcher: Searcher) -> None:
    answers = select(load_questions(EVAL / "answers.jsonl"), "dev")
    before = searcher.tuned
    try:
        tuned, facts = tune_lists(searcher, answers, before.with_(membership=None))
    finally:
        searcher.tuned = before
    assert tuned.membership is not None and tuned.membership.features == MEMBERSHIP_FEATURES
    assert all(np.isfinite(tuned.membership.coef)) and tuned.membership_floor in FLOORS
    # every other number is kept
    assert tuned.membership_claim in CLAIMS
    assert tuned.membership_unheld is None or tuned.membership_unheld in UNHELD
    assert tuned.with_(membership=None, membership_floor=before.membership_floor,
                       membership_claim=before.membership_claim,
                       membership_unheld=before.membership_unheld,
                       provenance=before.provenance).to_dict() == \
        before.with_(membership=None).to_dict()
    assert tuned.provenance["membership"] == facts and facts["questions"] >= 15
    rates = facts["out_of_fold_complete_padded"][f"{tuned.membership_floor:.1f}"]
    complete, padded = facts["calibrated_score_complete_padded"]
    assert rates[0] - rates[1] > complete - padded


def test_the_claim_wins_the_most_unanswered_in_scope_less_out_of_scope_and_a_tie_keeps_higher(
        ) -> None:
    claim, rates = choose_claim([0.95, 0.87, 0.62], [0.55])
    assert rates["0.5"] == [3, 1] and rates["0.6"] == [3, 0] and rates["0.9"] == [1, 0]
    assert claim == 0.6
    # nothing to win: the highest claim, which answers least
    assert choose_claim([], [0.7])[0] == CLAIMS[-1]


def test_the_gate_on_the_topics_rarest_word_is_the_lowest_that_does_best() -> None:
    # one question: relevant a (holds the word, 0.8) and b (lacks it, 0.75); c lacks it, 0.55
    data = Examples(np.zeros((3, 1)), np.array([1, 1, 0.0]), np.zeros(3, int),
                    holds=np.array([1, 0, 0.0]))
    p = np.array([0.8, 0.75, 0.55])
    unheld, rates = choose_unheld(p, data, 0.5)
    assert rates["None"] == [1.0, 1.0] and rates["0.6"] == rates["0.7"] == [1.0, 0.0]
    assert rates["0.8"] == [0.0, 0.0]
    assert unheld == 0.6
    # nothing to gain: no gate
    assert choose_unheld(p, Examples(np.zeros((3, 1)), np.array([1, 1, 1.0]), np.zeros(3, int),
                                     holds=np.array([1, 0, 0.0])), 0.5)[0] is None
