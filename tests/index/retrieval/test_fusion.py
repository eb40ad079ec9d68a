import numpy as np
import pytest

from casebook.index.retrieval.fusion import RRF_K, ranks, reciprocal_rank_fusion, top_vote


@pytest.mark.parametrize(
    ("scores", "positive_only", "expected"),
    [
        ([0.1, 0.9, 0.5], False, [3, 1, 2]),
        ([0.5, 0.5, 0.2], False, [1, 2, 3]),  # ties keep row order
        ([0.0, 2.0, 1.0], True, [0, 1, 2]),  # BM25 zero = not retrieved
    ],
)
def test_ranks(scores: list[float], positive_only: bool, expected: list[int]) -> None:
    assert ranks(np.array(scores), positive_only=positive_only).tolist() == expected


def test_rrf_sums_reciprocal_ranks_and_skips_absent() -> None:
    fused = reciprocal_rank_fusion([np.array([1, 2, 3]), np.array([2, 1, 0])], k=60)
    assert fused.tolist() == pytest.approx([1 / 61 + 1 / 62, 1 / 62 + 1 / 61, 1 / 63])


def test_rrf_prefers_agreement_over_a_single_vote() -> None:
    dense = np.array([0.9, 0.8, 0.1])
    lexical = np.array([0.0, 5.0, 1.0])  # row 0 is missing from the BM25 ranking
    fused = reciprocal_rank_fusion([ranks(dense), ranks(lexical, positive_only=True)])
    assert int(np.argmax(fused)) == 1


def test_the_top_vote_lifts_matches_by_one_first_place() -> None:
    fused = reciprocal_rank_fusion([np.array([1, 2, 3]), np.array([1, 2, 3])])
    voted = top_vote(fused, np.array([False, True, False]))
    assert int(np.argmax(voted)) == 1
    assert voted[1] == pytest.approx(fused[1] + 1 / (RRF_K + 1))
    assert voted[0] == fused[0] and voted[2] == fused[2]
