import numpy as np
import pytest

from casebook.index.retrieval.fusion import boost, fuse, min_max, ranks, reciprocal_rank_fusion


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
    assert int(np.argmax(fuse(dense, lexical, "rrf"))) == 1


@pytest.mark.parametrize(
    ("weight", "winner"),
    [(1.0, 0), (0.0, 2), (0.5, 1)],
)
def test_weighted_fusion_follows_weight(weight: float, winner: int) -> None:
    dense = np.array([0.9, 0.8, 0.1])
    lexical = np.array([0.0, 8.0, 9.0])
    assert int(np.argmax(fuse(dense, lexical, "weighted", dense_weight=weight))) == winner


def test_min_max_of_constant_is_zero() -> None:
    assert min_max(np.array([3.0, 3.0])).tolist() == [0.0, 0.0]


def test_fuse_rejects_mismatched_lengths_and_unknown_method() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        fuse(np.zeros(2), np.zeros(3), "rrf")
    with pytest.raises(ValueError, match="rrf, weighted"):
        fuse(np.zeros(2), np.zeros(2), "max")  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["rrf", "weighted"])
def test_boost_lifts_matches_by_one_top_vote(method: str) -> None:
    dense = np.array([0.9, 0.8, 0.1])
    lexical = np.array([9.0, 5.0, 1.0])
    fused = fuse(dense, lexical, method)  # type: ignore[arg-type]
    boosted = boost(fused, np.array([False, True, False]), method)  # type: ignore[arg-type]
    assert int(np.argmax(boosted)) == 1
    assert boosted[0] == fused[0] and boosted[2] == fused[2]
