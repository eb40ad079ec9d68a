"""BM25 over passages, indexed under their terms (`text.terms`: stemmed, stop words dropped),
saved as .npy + JSON.

bm25s builds and saves the index; serving reads the saved arrays back and scores with numpy
alone, the way bm25s's numpy backend does (the same float32 sums, term by term), so a serving
process never imports bm25s, and with it scipy (about 0.15 s of start-up and 15 MB).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from casebook.errors import IndexCorruptError
from casebook.index.text.terms import tokenize

BM25_DIR = "bm25"
# the files bm25s's BM25.save writes
PARAMS_FILE = "params.index.json"
VOCAB_FILE = "vocab.index.json"
ARRAYS = {"data": "data.csc.index.npy", "indices": "indices.csc.index.npy",
          "indptr": "indptr.csc.index.npy"}
NONOCCURRENCE_FILE = "nonoccurrence_array.index.npy"  # only BM25L and BM25+ write it


@dataclass(frozen=True)
class Scores:
    """The precomputed BM25 matrix, terms x passages in CSC form: column t holds term t's score
    in every passage that has it."""

    vocab: dict[str, int]
    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    num_docs: int
    nonoccurrence: np.ndarray | None = None
    dtype: np.dtype[Any] = np.dtype(np.float32)  # what bm25s sums in


class LexicalIndex:
    """BM25 scores of a query against every passage; row i is passage i."""

    def __init__(self, scores: Scores, size: int, retriever: Any = None) -> None:
        self._scores = scores
        self._size = size
        self._retriever = retriever  # the bm25s object, kept after a build to save it

    @classmethod
    def build(cls, texts: Sequence[str]) -> LexicalIndex:
        import bm25s

        # bm25s sets its own logger to DEBUG on import; keep it to warnings
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        retriever = bm25s.BM25()
        retriever.index([tokenize(t) for t in texts], show_progress=False)
        matrix = retriever.scores
        vocab = {t: i for t, i in retriever.vocab_dict.items() if t}  # "" has no column
        scores = Scores(vocab, matrix["data"], matrix["indices"],
                        matrix["indptr"], int(matrix["num_docs"]), retriever.nonoccurrence_array,
                        np.dtype(retriever.dtype))
        return cls(scores, len(texts), retriever)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for `query` (zeros when no term is known)."""
        s = self._scores
        ids = [s.vocab[t] for t in tokenize(query) if t in s.vocab]
        if not ids:
            return np.zeros(self._size, dtype=np.float32)
        out = np.zeros(s.num_docs, dtype=s.dtype)
        for term in ids:  # in query order, a repeated term counted again, as bm25s does
            start, end = s.indptr[term], s.indptr[term + 1]
            np.add.at(out, s.indices[start:end], s.data[start:end])
        if s.nonoccurrence is not None:
            out += s.nonoccurrence[np.asarray(ids)].sum()
        return out.astype(np.float32, copy=False)

    def known_share(self, query: str) -> float:
        """The share of the query's terms that some passage holds (1.0 for a query of none): a
        question about a topic the corpus never names has words BM25 cannot match."""
        terms = tokenize(query)
        if not terms:
            return 1.0
        return sum(t in self._scores.vocab for t in terms) / len(terms)

    def save(self, directory: Path) -> None:
        if self._retriever is None:
            raise ValueError("only a LexicalIndex made by build() can be saved")
        self._retriever.save(str(directory / BM25_DIR), show_progress=False)

    @classmethod
    def load(cls, directory: Path, size: int) -> LexicalIndex:
        path = directory / BM25_DIR
        try:
            params = json.loads((path / PARAMS_FILE).read_text(encoding="utf-8"))
            vocab = json.loads((path / VOCAB_FILE).read_text(encoding="utf-8"))
            arrays = {name: np.load(path / file, allow_pickle=False) for name, file in ARRAYS.items()}
            nonoccurrence = (np.load(path / NONOCCURRENCE_FILE, allow_pickle=False)
                             if (path / NONOCCURRENCE_FILE).is_file() else None)
            probe = int(params["num_docs"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexCorruptError(f"Could not read the BM25 index in {path}: {exc}",
                                    hint="Run `casebook index build` to rebuild it.") from exc
        if probe != size:
            raise IndexCorruptError(
                f"The BM25 index in {path} holds {probe} passages, passages.jsonl {size}.",
                hint="Run `casebook index build` to rebuild it.")
        vocab.pop("", None)  # bm25s's placeholder token has no column; tokenize() never makes it
        if max(vocab.values(), default=-1) >= len(arrays["indptr"]) - 1:
            raise IndexCorruptError(f"The BM25 index in {path} has term ids past its "
                                    f"{len(arrays['indptr']) - 1} columns.",
                                    hint="Run `casebook index build` to rebuild it.")
        scores = Scores(vocab, arrays["data"], arrays["indices"], arrays["indptr"], probe,
                        nonoccurrence, np.dtype(params.get("dtype", "float32")))
        return cls(scores, size)
