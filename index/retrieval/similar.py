"""How like one case study another is, from four pair features (pure numpy):

- words: cosine of the two texts' TF-IDF vectors (stemmed, stop words and London place names
  removed, idf log((1+N)/(1+df)) so a word every case study uses weighs nothing; cosine is
  length-normalised, so a 20-word title-only case study competes on equal terms),
- neighbours: do the two resemble the same other case studies? The Pearson correlation of
  their `words` rows over every third case study (shared-neighbour similarity). A long case
  study that shares generic words with everything, a hub, correlates with little,
- section: both sit in the same section of the source page (the editors' own grouping),
- themes: Jaccard overlap of their themes (casebook/data/themes.json, a rule over the text).

`words` and `neighbours` are min-max normalised per case study. A logistic model fitted on the
dev groups of eval/similar.jsonl (`eval/tune.py:fit_similar`) turns the four into `score`,
P(a programme lead calls the pair similar). The features were chosen on dev by leave-one-group-
out cross-validation; whole-case and passage-by-passage MiniLM and e5 cosines and BM25 were
candidates too and added nothing once these four were in.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from casebook.gazetteer import Gazetteer
from casebook.index.retrieval.tuned import Logistic
from casebook.index.text.terms import tokenize
from casebook.records import CaseStudy

FEATURES: tuple[str, ...] = ("words", "neighbours", "section", "themes")


def place_pattern(gazetteer: Gazetteer) -> re.Pattern[str]:
    """Every borough, alias and place name of the gazetteer, as one pattern."""
    names = sorted({*gazetteer.boroughs, *gazetteer.aliases, *gazetteer.places}, key=len,
                   reverse=True)
    alternatives = "|".join(r"[\s\-]+".join(re.escape(w) for w in name.split()) for name in names)
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


def term_vectors(texts: Sequence[str], places: re.Pattern[str] | None = None) -> np.ndarray:
    """Unit TF-IDF rows (sublinear tf), one per text; place names removed first."""
    terms = [tokenize(places.sub(" ", t) if places else t) for t in texts]
    vocabulary = {w: i for i, w in enumerate(sorted({w for ts in terms for w in ts}))}
    counts = np.zeros((len(texts), len(vocabulary)))
    for row, ts in enumerate(terms):
        for word, count in Counter(ts).items():
            counts[row, vocabulary[word]] = 1.0 + np.log(count)
    df = (counts > 0).sum(axis=0)
    weighted = counts * np.log((1.0 + len(texts)) / (1.0 + df))
    return weighted / np.maximum(np.linalg.norm(weighted, axis=1, keepdims=True), 1e-12)


def shared_neighbours(m: np.ndarray) -> np.ndarray:
    """[i, j]: Pearson correlation of rows i and j of a similarity matrix over the columns
    that are neither i nor j (0 on the diagonal and where a row is constant)."""
    n = len(m)
    out = np.zeros((n, n))
    for i in range(n):
        keep = np.ones((n, n))
        keep[:, i] = 0.0
        keep[np.arange(n), np.arange(n)] = 0.0  # row j leaves out column j
        count = np.maximum(keep.sum(axis=1, keepdims=True), 1.0)
        a = (m[i][None, :] - (keep * m[i]).sum(axis=1, keepdims=True) / count) * keep
        b = (m - (keep * m).sum(axis=1, keepdims=True) / count) * keep
        norm = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
        out[i] = np.where(norm > 1e-12, (a * b).sum(axis=1) / np.maximum(norm, 1e-12), 0.0)
    np.fill_diagonal(out, 0.0)
    return out


def row_min_max(m: np.ndarray) -> np.ndarray:
    """Each row scaled to [0, 1] over its off-diagonal entries; the diagonal is 0."""
    masked = m.astype(np.float64).copy()
    np.fill_diagonal(masked, np.nan)
    low = np.nanmin(masked, axis=1, keepdims=True)
    high = np.nanmax(masked, axis=1, keepdims=True)
    out = (masked - low) / np.maximum(high - low, 1e-12)
    np.fill_diagonal(out, 0.0)
    return out


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def pair_features(cases: Sequence[CaseStudy], gazetteer: Gazetteer) -> dict[str, np.ndarray]:
    """The FEATURES of every pair of case studies, each an [i, j] matrix."""
    vectors = term_vectors([c.text for c in cases], place_pattern(gazetteer))
    words = vectors @ vectors.T
    themes = [set(c.themes) for c in cases]
    return {
        "words": row_min_max(words),
        "neighbours": row_min_max(shared_neighbours(words)),
        "section": np.array([[float(a.section == b.section) for b in cases] for a in cases]),
        "themes": np.array([[_jaccard(a, b) for b in themes] for a in themes]),
    }


def similarity(features: dict[str, np.ndarray], model: Logistic) -> np.ndarray:
    """[i, j]: the calibrated P(j is similar to i); 0 on the diagonal."""
    z = model.bias + sum(c * features[f] for f, c in zip(model.features, model.coef))
    out = 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))
    np.fill_diagonal(out, 0.0)
    return np.asarray(out, dtype=np.float64)


def unlike_floor(sentence_vectors: np.ndarray, sentence_case: np.ndarray,
                 passage_vectors: np.ndarray, passage_case: np.ndarray) -> float:
    """The lowest, over case studies, of the best cosine between one of its sentences and a
    passage of another case study: how far the most isolated case study is from the rest.

    A description none of whose sentences comes this close to any passage is unlike every case
    study. The floor is read from the corpus itself, not tuned on any question.
    """
    cosines = sentence_vectors @ passage_vectors.T
    best = []
    for case in np.unique(sentence_case):
        others = cosines[np.ix_(sentence_case == case, passage_case != case)]
        if others.size:
            best.append(float(others.max()))
    return min(best) if best else -1.0
