import numpy as np
import pytest

from casebook.errors import IndexMismatchError
from casebook.eval.field import fit_field
from casebook.index.retrieval.tuned import LOGIT_LIMIT, Linear, Tuned, packaged


def _questions(n: int = 150, dims: int = 32, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors: the in-field ones lean along one direction, as a kind of question does."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.8).astype(float)
    x = rng.normal(0, 1, (n, dims))
    x[:, 0] += np.where(y == 1, 2.5, -2.5)
    return x / np.linalg.norm(x, axis=1, keepdims=True), y


def test_the_out_of_fold_log_odds_separate_what_the_fit_never_saw() -> None:
    x, y = _questions()
    fitted = fit_field(list(x), list(y), positive_weight=4.0)
    assert fitted.ridge in fitted.cv_balanced and max(fitted.cv_balanced.values()) > 0.9
    oof = fitted.out_of_fold
    assert oof.shape == (len(y),) and np.all(np.abs(oof) <= LOGIT_LIMIT)
    assert np.mean(oof[y == 1] > 0) > 0.9 and np.mean(oof[y == 0] < 0) > 0.9
    # and the model on every row puts new questions on the right side
    new_x, new_y = _questions(seed=1)
    served = np.array([fitted.model.logit(v) for v in new_x])
    assert np.mean((served > 0) == (new_y == 1)) > 0.9


def test_noise_vectors_get_no_confident_odds_out_of_fold() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(0, 1, (100, 32))
    y = (rng.random(100) < 0.5).astype(float)
    fitted = fit_field(list(x / np.linalg.norm(x, axis=1, keepdims=True)), list(y))
    assert max(fitted.cv_balanced.values()) < 0.65


def test_a_field_model_survives_the_tuned_file_and_refuses_another_models_vectors() -> None:
    tuned = packaged().with_(field_e5=Linear((0.5, -0.25, 1.0), -0.1))
    again = Tuned.from_dict(tuned.to_dict())
    assert again.field_e5 == tuned.field_e5
    assert again.field_e5 is not None
    assert again.field_e5.logit(np.array([1.0, 2.0, 0.0])) == pytest.approx(-0.1)
    with pytest.raises(IndexMismatchError, match="eval --tune"):
        again.field_e5.logit(np.zeros(4))
