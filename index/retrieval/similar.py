"""Case study to case study similarity from three views, each normalised per case study:

- MiniLM and e5 "soft passage matching": for every passage of one case study, its closest
  passage of the other, averaged (a short title-only case study matches little of a long one),
- BM25 of one case study's text against the other's passages.

Averaging whole-case vectors let a 20-word title outrank a real match and let borough names
and generic words decide; matching passage by passage weighs the work each project describes.
"""

from __future__ import annotations

import numpy as np

from casebook.index.lexical import LexicalIndex
from casebook.index.retrieval.signals import case_max

QUERY_CHARS = 3000  # the opening of a case study says what it does; BM25 needs no more


def soft_match(vectors: np.ndarray, passage_case: np.ndarray, cases: int) -> np.ndarray:
    """[i, j]: mean over i's passages of the best cosine to any passage of j."""
    cosines = vectors @ vectors.T
    best = np.full((len(vectors), cases), -np.inf)
    np.maximum.at(best.T, passage_case, cosines.T)
    out = np.zeros((cases, cases))
    np.add.at(out, passage_case, best)
    counts = np.bincount(passage_case, minlength=cases)
    return out / np.maximum(counts, 1)[:, None]


def lexical_match(lexical: LexicalIndex, texts: list[str], passage_case: np.ndarray) -> np.ndarray:
    cases = len(texts)
    return np.stack([case_max(lexical.scores(t[:QUERY_CHARS]).astype(np.float64), passage_case,
                              cases) for t in texts])


def _row_min_max(m: np.ndarray) -> np.ndarray:
    masked = m.astype(np.float64).copy()
    np.fill_diagonal(masked, np.nan)
    low = np.nanmin(masked, axis=1, keepdims=True)
    high = np.nanmax(masked, axis=1, keepdims=True)
    out = (masked - low) / np.maximum(high - low, 1e-12)
    np.fill_diagonal(out, 0.0)
    return out


def similarity(views: list[np.ndarray]) -> np.ndarray:
    """Mean of the per-row normalised views: [i, j] in [0, 1], how like i case study j is."""
    return np.mean([_row_min_max(v) for v in views], axis=0)
