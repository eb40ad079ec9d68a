"""The scope half of the calibration, fitted on dev questions of both kinds (pure)."""

import numpy as np

from casebook.eval.questions import Question
from casebook.eval.run import Asked
from casebook.eval.tune import SCOPE_FEATURES, fit_scope
from casebook.index.retrieval.tuned import FOREIGN_CALIBRATION, LEXICAL_CALIBRATION
from casebook.records import CaseRows, Scored

ROWS = CaseRows(("a-case",), np.zeros(3, dtype=np.int64), {"a-case": 0})


def _asked(n: int, english: bool, seed: int, flip: bool = False) -> list[Asked]:
    """In-scope questions whose terms the corpus mostly holds, out-of-scope ones it mostly does
    not (`flip`: the other way round); every other feature noise."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        inside = bool(rng.random() < 0.7)
        known = (0.9 if inside != flip else 0.4) + rng.normal(0, 0.1)
        features = {name: float(rng.normal()) for name in
                    {*SCOPE_FEATURES[LEXICAL_CALIBRATION], *SCOPE_FEATURES[FOREIGN_CALIBRATION]}}
        features["known_share"] = float(known)
        question = Question(f"q{seed}-{i}", f"question {i}", ("a-case",) if inside else (),
                            "paraphrase" if inside else "far")
        scored = Scored(None, None, np.zeros(3), np.zeros(3), features=features, english=english,
                        normalised=question.question, rows=ROWS)
        out.append(Asked(question, question.question, scored, None))  # type: ignore[arg-type]
    return out


def test_the_scope_model_learns_in_scope_from_out_of_scope_on_the_questions_it_serves() -> None:
    english = _asked(120, True, 0)
    # questions in another language, labelled the other way round: the lexical stage serves
    # English only, so they must not pull its model
    foreign = _asked(120, False, 1, flip=True)
    model = fit_scope(english + foreign, LEXICAL_CALIBRATION)
    assert model.features == SCOPE_FEATURES[LEXICAL_CALIBRATION]
    base = {name: 0.0 for name in model.features}
    assert model({**base, "known_share": 0.95}) > 0.8 > 0.3 > model({**base, "known_share": 0.3})
