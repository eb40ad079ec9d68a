import math

import numpy as np
import pytest

from casebook.index.retrieval.cascade import needs_e5, served_fusion, top_margin
from casebook.index.retrieval.searcher import Searcher
from casebook.index.retrieval.tuned import Logistic, packaged

PASSAGE_CASE = np.array([0, 0, 1, 2])


@pytest.mark.parametrize(
    ("fused", "margin"),
    [(np.array([0.9, 0.1, 0.5, 0.2]), 0.4),   # case 0's best passage against case 1's
     (np.array([0.1, 0.6, 0.6, 0.2]), 0.0),   # a tie: no margin at all
     (np.array([0.0, 0.0, 0.0, 1.0]), 1.0)],
)
def test_top_margin_is_between_the_best_two_case_studies(fused: np.ndarray, margin: float) -> None:
    assert top_margin(fused, PASSAGE_CASE, 3) == pytest.approx(margin)
    assert top_margin(np.array([0.3]), np.array([0]), 1) == math.inf


def test_e5_runs_for_other_languages_and_close_calls_only() -> None:
    clear, close = np.array([0.9, 0.1, 0.5, 0.2]), np.array([0.52, 0.1, 0.5, 0.2])
    assert not needs_e5(clear, True, 0.1, PASSAGE_CASE, 3)
    assert needs_e5(close, True, 0.1, PASSAGE_CASE, 3)
    assert needs_e5(clear, False, 0.1, PASSAGE_CASE, 3)  # only e5 reads the question


def test_served_fusion_follows_the_same_decision() -> None:
    tuned = packaged()
    raw = {name: np.array([0.9, 0.1, 0.5, 0.2]) for name in
           ("bm25", "minilm_passage", "minilm_case", "e5_passage", "e5_case")}
    raw["borough"] = np.zeros(4)
    assert served_fusion(raw, True, tuned, PASSAGE_CASE, 3, margin=0.0)[1] is False
    assert served_fusion(raw, True, tuned, PASSAGE_CASE, 3, margin=math.inf)[1] is True
    assert served_fusion(raw, False, tuned, PASSAGE_CASE, 3, margin=0.0)[1] is True
    no_e5 = {k: v for k, v in raw.items() if not k.startswith("e5")}
    assert served_fusion(no_e5, False, tuned, PASSAGE_CASE, 3)[1] is False  # nothing to call


@pytest.mark.slow
def test_search_skips_e5_when_the_cheap_views_are_sure(searcher: Searcher) -> None:
    sure = searcher.score("Westminster High Intensity Care Hub")
    assert "e5_passage" not in sure.signals and sure.e5_vector is None
    everything = searcher.score("Westminster High Intensity Care Hub", full=True)
    assert "e5_passage" in everything.signals
    foreign = searcher.score("¿Cómo se ayudó a los refugiados con el deporte en Croydon?")
    assert "e5_passage" in foreign.signals and not foreign.english
    for scored in (sure, everything, foreign):
        assert 0.0 <= scored.final.min() <= scored.final.max() <= 1.0
    # the same case study comes first whether or not e5 ran
    first = [searcher.group(s.final, 1)[0].case_study.id for s in (sure, everything)]
    assert first[0] == first[1] == "westminster-high-intensity-care-hub-which-population-health"


@pytest.mark.slow
def test_single_view_modes_never_run_e5(searcher: Searcher) -> None:
    for mode in ("dense", "bm25"):
        assert "e5_passage" not in searcher.score("vaccine hesitancy", mode).signals


@pytest.mark.slow
def test_without_e5_every_language_is_served_by_the_cheap_views(searcher: Searcher) -> None:
    alone = Searcher(searcher.settings, searcher.stored, searcher.embedder, None)
    for question in ("¿Cómo se ayudó a los refugiados con el deporte?", "vaccine hesitancy"):
        scored = alone.score(question)
        assert "e5_passage" not in scored.signals
        assert 0.0 <= scored.final.min() <= scored.final.max() <= 1.0


def test_minilm_is_read_abroad_while_weights_or_calibration_use_it() -> None:
    tuned = packaged()
    own = tuned.calibration["hybrid_foreign"]
    assert not tuned.with_(weights_foreign={"e5_passage": 1.0}).foreign_reads_minilm
    assert tuned.with_(weights_foreign={"e5_passage": 0.5, "minilm_passage": 0.5}).foreign_reads_minilm
    shared = {k: v for k, v in tuned.calibration.items() if k != "hybrid_foreign"}
    assert tuned.with_(calibration=shared).foreign_reads_minilm  # the shared one reads minilm_top
    reading = Logistic((*own.features, "minilm_top"), (*own.coef, 1.0), own.bias)
    assert tuned.with_(calibration={**shared, "hybrid_foreign": reading}).foreign_reads_minilm


@pytest.mark.slow
def test_a_search_in_another_language_skips_minilm_and_ranks_as_with_it(searcher: Searcher) -> None:
    question = "¿Cómo se ayudó a los refugiados con el deporte en Croydon?"
    assert not searcher.tuned.foreign_reads_minilm  # what the packaged numbers say
    skipped = searcher.score(question)
    assert skipped.query_vector is None and "minilm_passage" not in skipped.signals
    assert "e5_passage" in skipped.signals
    shared = {k: v for k, v in searcher.tuned.calibration.items() if k != "hybrid_foreign"}
    reading = Searcher(searcher.settings, searcher.stored, searcher.embedder, searcher.e5,
                       tuned=searcher.tuned.with_(calibration=shared))
    ran = reading.score(question)
    assert ran.query_vector is not None and "minilm_passage" in ran.signals
    ranked = [[r.case_study.id for r in searcher.group(s.final, 10)] for s in (skipped, ran)]
    assert ranked[0] == ranked[1]
    # answering reads MiniLM's sentence cosines whatever the language
    assert searcher.score(question, full=True).query_vector is not None
    english = searcher.score("How did Hounslow reach Muslim communities about vaccines?")
    assert english.query_vector is not None
