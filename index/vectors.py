"""Dense vector indexes behind one small interface: FAISS, and an exact numpy oracle."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from casebook.errors import IndexCorruptError
from casebook.settings import DenseIndexType

if TYPE_CHECKING:
    import faiss  # imported where used: loading it costs at start-up

FAISS_FILE = "dense.faiss"
VECTORS_FILE = "vectors.npy"


class VectorIndex(Protocol):
    """Inner-product search over unit vectors; row i is passage i of passages.jsonl."""

    def add(self, vectors: np.ndarray) -> None: ...
    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]: ...
    def reconstruct_all(self) -> np.ndarray: ...
    def save(self, directory: Path) -> None: ...
    def __len__(self) -> int: ...


def _as_matrix(vectors: np.ndarray, dim: int) -> np.ndarray:
    matrix = np.ascontiguousarray(np.atleast_2d(vectors), dtype=np.float32)
    if matrix.shape[1] != dim:
        raise ValueError(f"expected vectors of dimension {dim}, got {matrix.shape[1]}")
    return matrix


class ExactIndex:
    """Brute-force inner product in numpy: the reference the FAISS index is tested against."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.vectors = np.zeros((0, dim), dtype=np.float32)

    def add(self, vectors: np.ndarray) -> None:
        self.vectors = np.vstack([self.vectors, _as_matrix(vectors, self.dim)])

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        queries = _as_matrix(queries, self.dim)
        k = min(k, len(self))
        scores = queries @ self.vectors.T
        # stable sort so ties keep row order, as FAISS's flat index does
        order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        return np.take_along_axis(scores, order, axis=1), order.astype(np.int64)

    def reconstruct_all(self) -> np.ndarray:
        return self.vectors.copy()

    def save(self, directory: Path) -> None:
        np.save(directory / VECTORS_FILE, self.vectors, allow_pickle=False)

    @classmethod
    def load(cls, directory: Path, dim: int) -> ExactIndex:
        index = cls(dim)
        index.vectors = _as_matrix(np.load(directory / VECTORS_FILE, allow_pickle=False), dim)
        return index

    def __len__(self) -> int:
        return int(self.vectors.shape[0])


# Below this many passages exact search takes a few ms. Beyond it, an inverted file of flat
# vectors (IVF) with 4 sqrt(n) lists, probing 2 sqrt(lists) of them. bench/scale.py (real
# questions as queries) measured recall@10 0.88 / 0.95 / 0.98 / 0.99 at 24 / 48 / 96 / 160 probes
# of 1,788 lists (200,000 passages), and 0.95 / 0.97 / 0.98 / 0.99 at 64 / 96 / 125 / 160 probes of
# 4,000 (1,000,000 passages, 1.8 to 4.8 ms). HNSW (M=32, efSearch=128) reached 0.79 at 200,000
# after a 71 s build, IVF-PQ re-ranking 10x candidates 0.83 (its codes blur near neighbours).
FLAT_UP_TO = 50_000
MIN_PROBES = 32
TRAIN_PER_LIST = 64  # k-means sees this many points per list: enough, and far faster than all
REFINE_FACTOR = 10


def choose_kind(kind: DenseIndexType, passages: int) -> DenseIndexType:
    """The index type `auto` means at this corpus size; any other choice is kept."""
    if kind != "auto":
        return kind
    return "flat" if passages <= FLAT_UP_TO else "ivf"


def _probes(lists: int) -> int:
    return min(lists, max(MIN_PROBES, int(2 * lists ** 0.5)))


def _lists(expected: int) -> int:
    """About 4 * sqrt(n) inverted lists, each trained on at least 39 points."""
    n = max(expected, 1)
    return max(1, min(int(4 * n ** 0.5), n // 39))


class FaissIndex:
    """FAISS inner-product index: exact (flat), HNSW, or IVF-PQ with exact re-ranking."""

    def __init__(self, dim: int, kind: DenseIndexType = "flat", *, hnsw_m: int = 32,
                 expected: int = 0) -> None:
        import faiss

        self.dim = dim
        kind = choose_kind(kind, expected)
        self.kind = kind
        self._index: faiss.Index
        if kind == "flat":
            self._index = faiss.IndexFlatIP(dim)
        elif kind == "hnsw":
            self._index = hnsw = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            hnsw.hnsw.efSearch = 128
        elif kind == "ivf":
            self._index = ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, _lists(expected),
                                                   faiss.METRIC_INNER_PRODUCT)
            ivf.nprobe = _probes(ivf.nlist)
        else:
            sub = next(m for m in (48, 32, 24, 16, 12, 8, 4, 2, 1) if dim % m == 0)
            ivfpq = faiss.IndexIVFPQ(faiss.IndexFlatIP(dim), dim, _lists(expected), sub, 8,
                                     faiss.METRIC_INNER_PRODUCT)
            ivfpq.nprobe = _probes(ivfpq.nlist)
            self._index = refine = faiss.IndexRefineFlat(ivfpq)
            refine.k_factor = REFINE_FACTOR

    def add(self, vectors: np.ndarray) -> None:
        matrix = _as_matrix(vectors, self.dim)
        if not self._index.is_trained:
            ivf = faiss_ivf(self._index)
            sample = matrix
            if ivf is not None and len(matrix) > TRAIN_PER_LIST * ivf.nlist:
                rows = np.random.default_rng(0).choice(len(matrix), TRAIN_PER_LIST * ivf.nlist,
                                                       replace=False)
                sample = matrix[np.sort(rows)]
            self._index.train(sample)
        self._index.add(matrix)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, len(self))
        scores, rows = self._index.search(_as_matrix(queries, self.dim), k)
        return scores, rows

    def reconstruct_all(self) -> np.ndarray:
        """Every stored vector, row order kept (HNSW and flat both store them uncompressed)."""
        if len(self) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._index.reconstruct_n(0, len(self)), dtype=np.float32)

    def save(self, directory: Path) -> None:
        import faiss

        # written by Python rather than FAISS's C++: a full disk is an OSError naming the cause
        # (ENOSPC), not a RuntimeError from deep inside FAISS
        (directory / FAISS_FILE).write_bytes(faiss.serialize_index(self._index).tobytes())

    @classmethod
    def load(cls, directory: Path, dim: int) -> FaissIndex:
        import faiss

        # A loaded index answers one query per call and concurrent requests bring their own
        # threads: an OpenMP team per call costs ten times the search itself (16 ms vs 1.7 ms
        # for 20,000 flat vectors on two busy cores).
        faiss.omp_set_num_threads(1)
        path = directory / FAISS_FILE
        try:
            # read whole, never memory-mapped: a mapped file truncated under a live server kills
            # it with SIGBUS at the next search
            raw = faiss.read_index(str(path))
        except RuntimeError as exc:
            raise IndexCorruptError(f"Could not read the FAISS index {path}: {exc}",
                                    hint="Run `casebook index build` to rebuild it.") from exc
        if raw.d != dim:
            raise IndexCorruptError(
                f"The FAISS index {path} has dimension {raw.d}, its manifest says {dim}.",
                hint="Run `casebook index build` to rebuild it.")
        index = cls.__new__(cls)
        index.dim, index._index = dim, raw
        index.kind = _kind_of(raw)
        return index

    def __len__(self) -> int:
        return int(self._index.ntotal)


def faiss_ivf(index: faiss.Index) -> faiss.IndexIVF | None:
    """The inverted-file index inside `index` (itself, or the one a re-ranker wraps), or None."""
    import faiss

    inner = faiss.downcast_index(index.base_index) if isinstance(index, faiss.IndexRefine) else index
    return inner if isinstance(inner, faiss.IndexIVF) else None


def _kind_of(raw: faiss.Index) -> DenseIndexType:
    import faiss

    if isinstance(raw, faiss.IndexHNSW):
        return "hnsw"
    if isinstance(raw, faiss.IndexRefine):
        return "ivfpq"
    return "ivf" if isinstance(raw, faiss.IndexIVF) else "flat"
