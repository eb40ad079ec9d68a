import numpy as np
import pytest

from casebook.eval.decision import (
    MAX_FEATURES,
    RIDGE,
    RIDGE_GAIN,
    RIDGES,
    balanced,
    fit,
    fit_chosen,
    nested_balanced,
)


def _rows(n: int = 120, seed: int = 0) -> tuple[list[dict[str, float]], list[float]]:
    rng = np.random.default_rng(seed)
    labels = (rng.random(n) < 0.7).astype(float)
    rows = [{"signal": float(y + rng.normal(0, 0.4)), "noise": float(rng.normal()),
             "other_noise": float(rng.normal())} for y in labels]
    return rows, list(labels)


def test_forward_selection_keeps_the_informative_feature_and_drops_noise() -> None:
    rows, labels = _rows()
    fitted = fit(rows, labels, ("noise", "signal", "other_noise"))
    assert fitted.chosen[0] == "signal" and len(fitted.chosen) <= MAX_FEATURES
    assert "noise" not in fitted.chosen and fitted.cv > 0.8
    # the stored model is on the raw scale: it separates the rows it was fitted on
    p = np.array([fitted.model(r) for r in rows])
    assert balanced(p, np.array(labels)) > 0.85


def test_a_costlier_refusal_moves_the_cut_towards_answering() -> None:
    rows, labels = _rows()
    even = fit(rows, labels, ("signal",))
    costly = fit(rows, labels, ("signal",), positive_weight=4.0)
    middle = {"signal": 0.4}
    assert costly.model(middle) > even.model(middle)
    assert costly.model.bias - even.model.bias == pytest.approx(np.log(4.0))


def test_nested_cross_validation_does_not_flatter_a_selection_from_noise() -> None:
    rng = np.random.default_rng(3)
    labels = list((rng.random(80) < 0.5).astype(float))
    names = tuple(f"n{i}" for i in range(6))
    rows = [{name: float(rng.normal()) for name in names} for _ in labels]
    selected = fit(rows, labels, names)
    # the best of six noise features, scored on the folds it was chosen on, looks informative
    assert selected.cv > 0.55
    assert nested_balanced(rows, labels, names) < 0.55


def test_nested_cross_validation_sees_a_real_signal() -> None:
    rows, labels = _rows()
    assert nested_balanced(rows, labels, ("noise", "signal", "other_noise")) > 0.8


def test_another_ridge_is_chosen_only_when_it_beats_the_default_by_the_gain() -> None:
    rows, labels = _rows(n=80, seed=1)
    fitted = fit_chosen(rows, labels, ("noise", "signal"))
    scores = dict(fitted.nested)
    assert tuple(scores) == RIDGES
    best = max(scores.values())
    if fitted.ridge == RIDGE:
        assert best < scores[RIDGE] + RIDGE_GAIN
    else:
        assert scores[fitted.ridge] == best >= scores[RIDGE] + RIDGE_GAIN
    assert fitted.model == fit(rows, labels, ("noise", "signal"), ridge=fitted.ridge).model
