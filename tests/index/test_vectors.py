"""Both dense indexes honour one contract; flat FAISS returns exactly the numpy top-k."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from casebook.errors import IndexCorruptError
from casebook.index.vectors import ExactIndex, FaissIndex, VectorIndex, choose_kind


def unit_vectors(n: int, dim: int, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@dataclass(frozen=True)
class Backend:
    make: Callable[[int], VectorIndex]
    load: Callable[[Path, int], VectorIndex]


BACKENDS = {
    "exact": Backend(ExactIndex, ExactIndex.load),
    "faiss-flat": Backend(FaissIndex, lambda d, dim: FaissIndex.load(d, dim)),
    "faiss-hnsw": Backend(lambda dim: FaissIndex(dim, "hnsw"),
                          lambda d, dim: FaissIndex.load(d, dim)),
}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest) -> Backend:
    """Every test below is the contract each VectorIndex implementation must honour."""
    return BACKENDS[request.param]


def test_add_counts_and_finds_itself(backend: Backend) -> None:
    index = backend.make(16)
    data = unit_vectors(50, 16)
    index.add(data)
    assert len(index) == 50
    scores, rows = index.search(data[7], 3)
    assert rows[0][0] == 7
    assert scores[0][0] == pytest.approx(1.0, abs=1e-5)


def test_k_larger_than_size_is_clamped(backend: Backend) -> None:
    index = backend.make(8)
    index.add(unit_vectors(3, 8))
    _, rows = index.search(unit_vectors(1, 8, seed=1), 10)
    assert rows.shape == (1, 3)


def test_save_and_load_round_trip(backend: Backend, tmp_path: Path) -> None:
    index = backend.make(8)
    index.add(unit_vectors(20, 8))
    index.save(tmp_path)
    again = backend.load(tmp_path, 8)
    query = unit_vectors(2, 8, seed=3)
    assert np.array_equal(index.search(query, 5)[1], again.search(query, 5)[1])


def test_wrong_dimension_is_refused(backend: Backend) -> None:
    with pytest.raises(ValueError, match="dimension 8"):
        backend.make(8).add(unit_vectors(2, 4))


def test_flat_faiss_top_k_equals_exact_top_k() -> None:
    data, queries = unit_vectors(300, 32), unit_vectors(25, 32, seed=9)
    exact, flat = ExactIndex(32), FaissIndex(32)
    exact.add(data)
    flat.add(data)
    exact_scores, exact_rows = exact.search(queries, 10)
    flat_scores, flat_rows = flat.search(queries, 10)
    assert np.array_equal(exact_rows, flat_rows)
    assert np.allclose(exact_scores, flat_scores, atol=1e-5)


def test_hnsw_recall_is_high_on_random_data() -> None:
    data, queries = unit_vectors(2000, 32), unit_vectors(50, 32, seed=5)
    exact, hnsw = ExactIndex(32), FaissIndex(32, "hnsw")
    exact.add(data)
    hnsw.add(data)
    truth, found = exact.search(queries, 10)[1], hnsw.search(queries, 10)[1]
    recall = np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found)])
    assert recall >= 0.9


def test_reconstruct_all_returns_stored_rows() -> None:
    data = unit_vectors(5, 8)
    index = FaissIndex(8)
    index.add(data)
    assert np.allclose(index.reconstruct_all(), data)


def test_corrupt_faiss_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "dense.faiss").write_bytes(b"not a faiss index")
    with pytest.raises(IndexCorruptError, match="casebook index build"):
        FaissIndex.load(tmp_path, 8)


@pytest.mark.parametrize(("passages", "kind"), [
    (47, "flat"), (50_000, "flat"), (50_001, "ivf"), (1_000_000, "ivf")])
def test_auto_picks_the_index_by_corpus_size(passages: int, kind: str) -> None:
    assert choose_kind("auto", passages) == kind
    assert choose_kind("flat", passages) == "flat"


@pytest.mark.parametrize("kind", ["ivf", "ivfpq"])
def test_inverted_files_find_the_exact_neighbours(tmp_path: Path, kind: str) -> None:
    centres = unit_vectors(40, 32, seed=3)
    rng = np.random.default_rng(4)
    # clustered like real passages, not uniform noise
    data = centres[rng.integers(0, 40, 4000)] + rng.normal(scale=0.15, size=(4000, 32))
    data = (data / np.linalg.norm(data, axis=1, keepdims=True)).astype(np.float32)
    exact, ivf = ExactIndex(32), FaissIndex(32, kind, expected=len(data))
    exact.add(data)
    ivf.add(data)
    queries = data[:100] + rng.normal(scale=0.05, size=(100, 32)).astype(np.float32)
    truth = exact.search(queries, 10)[1]
    ivf.save(tmp_path)
    again = FaissIndex.load(tmp_path, 32)
    assert again.kind == kind
    found = again.search(queries, 10)[1]
    recall = np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found)])
    assert recall >= 0.95
