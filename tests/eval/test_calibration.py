"""The calibration report: AUC of the top score, reliability bins, precision and recall of a
threshold (pure functions)."""

import math
import re
import warnings

import numpy as np
import pytest

from casebook.eval.calibration import (
    Calibration,
    auc,
    auc_estimate,
    calibration,
    lines,
    reliability,
    thresholds,
)


def test_auc_is_the_chance_a_positive_outscores_a_negative() -> None:
    assert auc([0.9, 0.8, 0.2, 0.1], [True, True, False, False]) == 1.0
    assert auc([0.1, 0.2, 0.8, 0.9], [True, True, False, False]) == 0.0
    # 0.5 against 0.5 counts half: (1 + 0.5) / 2
    assert auc([0.9, 0.5, 0.5], [True, True, False]) == pytest.approx(0.75)
    assert math.isnan(auc([0.3, 0.4], [True, True]))


def test_auc_interval_holds_its_mean() -> None:
    rng = np.random.default_rng(0)
    positive = rng.random(200) < 0.7
    scores = np.where(positive, rng.normal(1.0, 1.0, 200), rng.normal(0.0, 1.0, 200))
    estimate = auc_estimate(scores, positive, samples=300)
    assert estimate.low < estimate.mean < estimate.high and estimate.n == 200
    assert 0.65 < estimate.mean < 0.9
    # one class only (a split of in-scope questions): no AUC, and no warning printed
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        alone = auc_estimate([0.3, 0.8], [True, True], samples=20)
    assert math.isnan(alone.mean) and math.isnan(alone.low) and alone.n == 2


def test_reliability_bins_the_pairs_and_leaves_empty_bins_out() -> None:
    scores = np.array([0.05, 0.05, 0.95, 0.95, 0.55])
    labels = np.array([0.0, 0.0, 1.0, 0.0, 1.0])
    bins = reliability(scores, labels)
    assert [(b.low, b.n) for b in bins] == [(0.0, 2), (0.5, 1), (pytest.approx(0.9), 2)]
    assert bins[-1].share_relevant == 0.5 and bins[-1].mean_score == pytest.approx(0.95)


def test_thresholds_give_precision_and_recall_per_case_study() -> None:
    scores = np.array([0.9, 0.65, 0.45, 0.35, 0.1])
    labels = np.array([1.0, 0.0, 1.0, 0.0, 1.0])
    rows = {r.t: r for r in thresholds(scores, labels, (0.3, 0.5, 0.95))}
    assert (rows[0.3].precision, rows[0.3].recall, rows[0.3].kept) == (0.5, 2 / 3, 4)
    assert (rows[0.5].precision, rows[0.5].recall) == (0.5, 1 / 3)
    assert math.isnan(rows[0.95].precision) and rows[0.95].recall == 0.0


def test_no_questions_no_calibration() -> None:
    assert calibration(None, []) is None  # type: ignore[arg-type]


def test_lines_print_the_auc_and_a_row_per_bin() -> None:
    scores, labels = np.array([0.05, 0.95, 0.55]), np.array([0.0, 1.0, 1.0])
    cal = Calibration(auc_estimate([0.9, 0.2], [True, False], samples=50), 0.9, 0.2,
                      reliability(scores, labels), 0.1, thresholds(scores, labels),
                      thresholds(scores, labels))
    text = "\n".join(lines(cal))
    assert "AUC 1.000" in text and "expected calibration error 0.100" in text
    assert len(re.findall(r"^\s+\d\.\d-\d\.\d\s+\d+", text, re.M)) == 3  # one row per bin
