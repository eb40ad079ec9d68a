"""Case-to-case likeness: the pair features (pure), then similar projects on the real index."""

from __future__ import annotations

import numpy as np
import pytest

from casebook.gazetteer import Gazetteer
from casebook.index.retrieval.searcher import Searcher
from casebook.index.retrieval.similar import (
    FEATURES,
    pair_features,
    place_pattern,
    row_min_max,
    shared_neighbours,
    similarity,
    term_vectors,
    unlike_floor,
)
from casebook.index.retrieval.tuned import Logistic
from casebook.records import CaseStudy

GAZETTEER = Gazetteer(boroughs=("Newham", "Hammersmith and Fulham"), places={"Stratford": "Newham"})


def test_place_names_and_words_every_text_uses_weigh_nothing() -> None:
    texts = ["Link workers in Newham ran vaccine clinics",
             "Link workers in Hammersmith and Fulham ran vaccine clinics in Stratford",
             "Link workers ran singing groups"]
    vectors = term_vectors(texts, place_pattern(GAZETTEER))
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    cosines = vectors @ vectors.T
    assert cosines[0, 1] == pytest.approx(1.0)  # the same work, in two boroughs
    assert cosines[0, 2] == pytest.approx(0.0)  # "link workers ran": in every text
    assert term_vectors(texts)[0] @ term_vectors(texts)[1] < 1.0  # places left in differ


def test_shared_neighbours_finds_the_blocks() -> None:
    # two groups of three that resemble each other; a hub that resembles everything a little
    m = np.full((7, 7), 0.1)
    m[:3, :3] = m[3:6, 3:6] = 0.8
    m[6, :] = m[:, 6] = 0.5
    snn = shared_neighbours(m)
    assert np.allclose(snn, snn.T) and np.allclose(np.diag(snn), 0.0)
    assert snn[0, 1] > 0.9 and snn[0, 4] < 0.0
    assert snn[0, 1] > snn[0, 6]


def test_row_min_max() -> None:
    out = row_min_max(np.array([[9.0, 1.0, 3.0], [2.0, 9.0, 4.0], [5.0, 5.0, 9.0]]))
    assert out.tolist() == [[0.0, 0.0, 1.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]]


def _case(cid: str, text: str, section: str, themes: tuple[str, ...],
          boroughs: tuple[str, ...] = ()) -> CaseStudy:
    return CaseStudy(cid, text.split(".")[0], section, f"https://example.org/{cid}", text,
                     boroughs=boroughs, themes=themes)


def test_pair_features_and_the_calibrated_score() -> None:
    cases = [_case("a", "Vaccine clinics in Newham. Imams answered worries.", "Vaccines", ("vaccination",),
                   ("Newham",)),
             _case("b", "Vaccine clinics in mosques. Imams answered questions.", "Vaccines",
                   ("vaccination",)),
             _case("c", "Guided meditation in Newham for anxious clients.", "London", ("mental-health",),
                   ("Newham",)),
             _case("d", "Meditation and relaxation for anxious clients at home.", "London",
                   ("mental-health",))]
    features = pair_features(cases, GAZETTEER)
    assert set(features) == set(FEATURES)
    assert features["section"][0, 1] == 1.0 and features["section"][0, 2] == 0.0
    assert features["themes"][2, 3] == 1.0 and features["themes"][0, 3] == 0.0
    model = Logistic(FEATURES, (4.0, 4.0, 2.0, 2.0), -8.0)
    scores = similarity(features, model)
    assert np.allclose(np.diag(scores), 0.0) and ((scores >= 0) & (scores <= 1)).all()
    # the same work elsewhere beats the same borough
    assert scores[0].argmax() == 1 and scores[2].argmax() == 3


def test_unlike_floor_is_the_most_isolated_case_studys_nearest_passage() -> None:
    passages = np.eye(3)
    sentences = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [0.0, 0.6, 0.8]])
    floor = unlike_floor(sentences, np.array([0, 1, 2]), passages, np.array([0, 1, 2]))
    # case 0's sentence touches no other passage; case 1's reaches 0.6 of case 0's
    assert floor == pytest.approx(0.0)
    assert unlike_floor(sentences[1:], np.array([1, 2]), passages, np.array([0, 1, 2])) == \
        pytest.approx(0.6)


@pytest.mark.slow
def test_no_neighbour_is_there_only_for_its_borough(searcher: Searcher) -> None:
    for case in searcher.case_studies():
        for result in searcher.similar(case.id, 3):
            other = result.case_study
            if set(case.boroughs) & set(other.boroughs):
                assert other.section == case.section or set(other.themes) & set(case.themes), \
                    (case.id, other.id)


@pytest.mark.slow
def test_similar_scores_are_calibrated_and_best_first(searcher: Searcher) -> None:
    scores = [r.score for r in searcher.similar("the-well-centre", 10)]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)


# Paragraphs written for this test: about nothing a case study does, and about what some do.
UNLIKE = [
    "Our Sunday league football club is looking for a new striker and a sponsor for the kit. We "
    "train on Tuesday evenings at the park and play in the county cup next month.",
    "Preheat the oven to 180 degrees. Mix the flour, butter and sugar, add two eggs and bake "
    "the sponge for twenty-five minutes until golden.",
    "We are migrating our company's servers to the cloud, rewriting the billing system in a new "
    "language and training staff on the new ticketing tool.",
]
LIKE = [
    "Our link workers phoned patients who had not taken up the Covid vaccine and worked with "
    "local imams to answer worries about its ingredients.",
    "We want to support people who keep calling 999 and turning up at A&E with social problems, "
    "with a coordinator who works alongside the emergency department.",
    "A hospital team supporting teenagers with long-term conditions such as diabetes and sickle "
    "cell, with a youth worker who links them to community activities.",
]


@pytest.mark.slow
@pytest.mark.parametrize(("text", "unlike"), [(t, True) for t in UNLIKE] + [(t, False) for t in LIKE])
def test_a_description_unlike_every_case_study_says_so(searcher: Searcher, text: str,
                                                       unlike: bool) -> None:
    results, notice = searcher.similar_text_noticed(text, 5)
    assert len(results) == 5
    assert (notice is not None) is unlike
