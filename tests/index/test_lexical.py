"""BM25 served from the saved arrays scores exactly as bm25s itself does (bm25s is the oracle)."""

from pathlib import Path

import numpy as np
import pytest

from casebook.errors import IndexCorruptError
from casebook.index.lexical import BM25_DIR, LexicalIndex
from casebook.index.text.terms import tokenize

PASSAGES = [
    "Hounslow's mosques hosted vaccine clinics with faith leaders.",
    "A walking group for older people who feel lonely in Newham.",
    "Link workers referred patients to debt advice and a community garden.",
    "Faith groups and mosques reached Muslim communities about vaccines.",
    "Gardening and walking improved wellbeing; loneliness fell.",
]
QUERIES = ["mosque vaccine", "lonely older people walking", "vaccines vaccines vaccines",
           "garden debt advice link worker", "nothing here matches", "", "the and of"]


@pytest.fixture()
def saved(tmp_path: Path) -> Path:
    LexicalIndex.build(PASSAGES).save(tmp_path)
    return tmp_path


def bm25s_scores(directory: Path, query: str) -> np.ndarray:
    import bm25s

    retriever = bm25s.BM25.load(str(directory / BM25_DIR), show_progress=False, verbosity=0)
    terms = [t for t in tokenize(query) if t in retriever.vocab_dict]
    if not terms:
        return np.zeros(len(PASSAGES), dtype=np.float32)
    return np.asarray(retriever.get_scores(terms), dtype=np.float32)


@pytest.mark.parametrize("query", QUERIES)
def test_loaded_scores_are_bm25s_own(saved: Path, query: str) -> None:
    loaded = LexicalIndex.load(saved, len(PASSAGES))
    assert np.array_equal(loaded.scores(query), bm25s_scores(saved, query))
    assert np.array_equal(LexicalIndex.build(PASSAGES).scores(query), loaded.scores(query))


def test_the_best_passage_has_the_query_terms(saved: Path) -> None:
    scores = LexicalIndex.load(saved, len(PASSAGES)).scores("mosque vaccine")
    assert set(np.argsort(-scores)[:2]) == {0, 3}


def test_a_count_that_disagrees_with_the_passages_is_refused(saved: Path) -> None:
    with pytest.raises(IndexCorruptError, match="holds 5 passages"):
        LexicalIndex.load(saved, 6)


def test_a_missing_array_is_refused(saved: Path) -> None:
    (saved / BM25_DIR / "data.csc.index.npy").unlink()
    with pytest.raises(IndexCorruptError, match="Could not read the BM25 index"):
        LexicalIndex.load(saved, len(PASSAGES))
