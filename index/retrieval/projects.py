"""Similar projects over a loaded index: which case studies are like one case study (the pair
features and model of retrieval/similar.py), and whether a described project is like any."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from casebook.index.encoders import AnyEmbedder
from casebook.index.retrieval import similar as likeness
from casebook.index.retrieval.tuned import Logistic
from casebook.index.store import StoredIndex
from casebook.index.text.chunking import split_sentences
from casebook.records import CaseRows

# within one similar case study, its passages closest to the source's come first
PASSAGE_TIE_BREAK = 1e-3


class SimilarProjects:
    """Case-to-case likeness for one index build; everything is computed on first use."""

    def __init__(self, stored: StoredIndex, embedder: AnyEmbedder, rows: CaseRows,
                 case_vectors: np.ndarray) -> None:
        self.stored = stored
        self.embedder = embedder
        self.rows = rows
        self.case_vectors = case_vectors

    @cached_property
    def features(self) -> dict[str, np.ndarray]:
        """The pair features of every two case studies (see retrieval/similar.py)."""
        cases = {c.id: c for c in self.stored.cases}
        return likeness.pair_features([cases[cid] for cid in self.rows.case_order],
                                      self.stored.gazetteer)

    def scores(self, model: Logistic) -> np.ndarray:
        """[i, j]: P(j is similar to i) under the calibrated model."""
        return likeness.similarity(self.features, model)

    def passage_scores(self, row: int, model: Logistic) -> np.ndarray:
        """Per passage: its case study's likeness to case study `row`, then, within one case
        study, the passage's closeness to the source's centroid (to pick the passages shown)."""
        case_scores = self.scores(model)[row]
        closeness = self.stored.passage_vectors @ self.case_vectors[row]
        return case_scores[self.rows.passage_case] + PASSAGE_TIE_BREAK * closeness

    @cached_property
    def floor(self) -> float:
        """How close the most isolated case study comes to another (likeness.unlike_floor)."""
        sentence_case = np.array([self.rows.row_of[s.case_id] for s in self.stored.sentences])
        return likeness.unlike_floor(self.stored.sentence_vectors, sentence_case,
                                     self.stored.passage_vectors, self.rows.passage_case)

    def unlike_every_case(self, text: str) -> bool:
        """No sentence of `text` comes as close to any passage as every case study comes to
        another: the description is about something no case study does."""
        sentences = [s for _, s in split_sentences(text)] or [text]
        vectors = self.embedder.encode(sentences)
        return float(np.max(vectors @ self.stored.passage_vectors.T)) < self.floor
