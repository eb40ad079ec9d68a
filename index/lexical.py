"""BM25 over passages (bm25s), with stemming and stop words, saved as .npy + JSON."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from casebook.errors import IndexCorruptError

BM25_DIR = "bm25"
TOKEN = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


def stopwords() -> frozenset[str]:
    """The English stop words BM25 drops (bm25s's list)."""
    return _stopwords()


def stem(word: str) -> str:
    """The Snowball English stem BM25 indexes `word` under."""
    return str(_stemmer().stemWord(word))


def words(text: str) -> list[str]:
    """Lower-case alphanumeric tokens of two or more characters ("it's" -> "it")."""
    return [w for w in TOKEN.findall(text.lower()) if len(w) > 1]


def tokenize(text: str) -> list[str]:
    """BM25 terms: words minus stop words, stemmed."""
    stop = _stopwords()
    kept = [w for w in words(text) if w not in stop]
    return list(_stemmer().stemWords(kept))


class LexicalIndex:
    """BM25 scores of a query against every passage; row i is passage i."""

    def __init__(self, retriever, size: int) -> None:  # type: ignore[no-untyped-def]
        self._retriever = retriever
        self._size = size

    @classmethod
    def build(cls, texts: Sequence[str]) -> LexicalIndex:
        import bm25s

        # bm25s sets its own logger to DEBUG on import; keep it to warnings
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        retriever = bm25s.BM25()
        retriever.index([tokenize(t) for t in texts], show_progress=False)
        return cls(retriever, len(texts))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for `query` (zeros when no term is known)."""
        vocab = self._retriever.vocab_dict
        terms = [t for t in tokenize(query) if t in vocab]
        if not terms:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(terms), dtype=np.float32)

    def save(self, directory: Path) -> None:
        self._retriever.save(str(directory / BM25_DIR), show_progress=False)

    @classmethod
    def load(cls, directory: Path, size: int) -> LexicalIndex:
        import bm25s

        path = directory / BM25_DIR
        try:
            retriever = bm25s.BM25.load(str(path), show_progress=False, verbosity=0)
        except (OSError, ValueError, KeyError) as exc:
            raise IndexCorruptError(f"Could not read the BM25 index in {path}: {exc}",
                                    hint="Run `casebook index build` to rebuild it.") from exc
        index = cls(retriever, size)
        probe = retriever.scores["num_docs"] if hasattr(retriever, "scores") else size
        if int(probe) != size:
            raise IndexCorruptError(
                f"The BM25 index in {path} holds {probe} passages, passages.jsonl {size}.",
                hint="Run `casebook index build` to rebuild it.")
        return index
