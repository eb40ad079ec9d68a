import math

import numpy as np
import pytest

from casebook.index.retrieval.cascade import (
    lexical_fusion,
    lexical_margin,
    lexical_suffices,
    needs_e5,
    served_fusion,
    top_margin,
)
from casebook.index.retrieval.searcher import Searcher
from casebook.index.retrieval.tuned import Logistic, packaged
from casebook.records import CaseRows

PASSAGE_CASE = np.array([0, 0, 1, 2])
ROWS = CaseRows.of(("a", "b", "c"), PASSAGE_CASE)


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
    off = math.inf  # the lexical stage never settles a question
    assert served_fusion(raw, True, tuned, ROWS, margin=0.0, lexical=off)[1] is False
    assert served_fusion(raw, True, tuned, ROWS, margin=math.inf, lexical=off)[1]
    assert served_fusion(raw, False, tuned, ROWS, margin=0.0)[1] is True
    no_e5 = {k: v for k, v in raw.items() if not k.startswith("e5")}
    assert served_fusion(no_e5, False, tuned, ROWS)[1] is False  # nothing to call


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
    english = searcher.score("How did Hounslow reach Muslim communities about vaccines?",
                             full=True)
    assert english.query_vector is not None


@pytest.mark.parametrize(
    ("bm25", "lead"),
    [(np.array([0.9, 0.1, 0.5, 0.2]), 0.4 / 0.9),  # case 0's best passage against case 1's
     (np.array([0.5, 0.5, 0.5, 0.0]), 0.0),         # a tie
     (np.zeros(4), 0.0)],                          # nothing matched: BM25 knows nothing
)
def test_lexical_margin_is_the_best_case_studys_lead_as_a_share(bm25: np.ndarray,
                                                                 lead: float) -> None:
    assert lexical_margin(bm25, PASSAGE_CASE, 3) == pytest.approx(lead)


def test_bm25_settles_only_english_questions_it_leads_clearly() -> None:
    clear = np.array([0.9, 0.1, 0.5, 0.2])
    assert lexical_suffices(clear, True, 0.3, PASSAGE_CASE, 3)
    assert not lexical_suffices(clear, True, 0.5, PASSAGE_CASE, 3)
    assert not lexical_suffices(clear, False, 0.0, PASSAGE_CASE, 3)  # BM25 reads English only


def test_a_settled_question_is_fused_from_bm25_and_the_borough_alone() -> None:
    tuned = packaged()
    raw = {"bm25": np.array([0.9, 0.1, 0.5, 0.2]), "minilm_passage": np.array([0.0, 0.0, 1.0, 0.0]),
           "borough": np.array([0.0, 0.0, 0.0, 1.0])}
    fused, e5_ran = served_fusion(raw, True, tuned, ROWS, lexical=0.3)
    assert not e5_ran
    assert np.allclose(fused, lexical_fusion(raw, tuned))
    lexical_only = {k: v for k, v in raw.items() if k != "minilm_passage"}
    assert np.allclose(fused, lexical_fusion(lexical_only, tuned))  # MiniLM's view is not read


@pytest.mark.slow
def test_search_lets_bm25_settle_a_clear_english_question(searcher: Searcher) -> None:
    assert math.isfinite(searcher.tuned.served_lexical_margin)  # what the packaged numbers say
    question = "Westminster High Intensity Care Hub"
    settled = searcher.score(question)
    assert settled.query_vector is None and settled.e5_vector is None
    assert set(settled.signals) == {"bm25", "borough"}
    assert 0.0 <= settled.final.min() <= settled.final.max() <= 1.0
    everything = searcher.score(question, full=True)
    assert everything.query_vector is not None and "e5_passage" in everything.signals
    first = [searcher.group(s.final, 1)[0].case_study.id for s in (settled, everything)]
    assert first[0] == first[1]
    # a question BM25 cannot tell apart still reads MiniLM
    vague = searcher.score("people")
    assert vague.english and vague.query_vector is not None
    # and with the stage off (no calibration for it), nothing is settled
    without = {k: v for k, v in searcher.tuned.calibration.items() if k != "hybrid_lexical"}
    off = Searcher(searcher.settings, searcher.stored, searcher.embedder, searcher.e5,
                   tuned=searcher.tuned.with_(calibration=without))
    assert math.isinf(off.tuned.served_lexical_margin)
    assert off.score(question).query_vector is not None


@pytest.mark.slow
def test_a_filtered_search_is_not_settled_by_bm25_over_every_case_study(searcher: Searcher) -> None:
    question = "Westminster High Intensity Care Hub"
    assert searcher.score(question).query_vector is None  # settled without a filter
    results, scored = searcher.search_scored(question, 3, theme="emergency-care")
    assert scored.query_vector is not None and "minilm_passage" in scored.signals
    assert results and all("emergency-care" in r.case_study.themes for r in results)
