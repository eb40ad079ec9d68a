import numpy as np
import pytest

from casebook.eval.decision import MAX_FEATURES, balanced, fit


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
