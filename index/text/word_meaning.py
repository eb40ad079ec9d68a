"""The corpus's own words as vectors, so that a word no case study says can still be matched to
the nearest word one does say: "teenagers" to "youth", "oncology" to "cancer", "kids" to
"children".

A topic read as one short text against whole sentences barely moves: a sentence is long and
about much else, so "teenagers" sits as near a sentence about vaccines as one about "children
and young people". Word against word, the embedding model (MiniLM) keeps the sense apart.
Nothing here is a list of synonyms: the nearness is the model's, for words the corpus holds.

The themes (casebook/data/themes.json) are read the same way: a topic the case studies never put
in its asker's words ("the Covid jab", "getting people exercising") can still be near a theme's
name or definition ("Vaccination", "Physical activity: exercise, sport, walking and gardening").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from casebook.index.text.acronyms import expand_acronyms
from casebook.index.text.stopwords import stopwords
from casebook.index.text.terms import words
from casebook.themes import Themes

Encode = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class CaseWords:
    vocabulary: tuple[str, ...]  # every word of the texts but stop words, once
    vectors: np.ndarray  # (words x dimension), unit length, in vocabulary order


def case_words(texts: Sequence[str], encode: Encode) -> CaseWords:
    """The vectors of every word of `texts` but stop words, acronyms spelled out ("A&E" holds
    "accident" and "emergency"): one model run over the vocabulary, about 700 words, under
    two seconds on two cores."""
    stop = stopwords("EN")
    vocabulary = tuple(dict.fromkeys(w for text in texts for w in words(_standalone(text))
                                     if w not in stop))
    return CaseWords(vocabulary, _unit(np.asarray(encode(list(vocabulary)), dtype=np.float32)))


def nearest_words(word_vectors: np.ndarray, known: CaseWords,
                  asked: Sequence[str] = ()) -> list[tuple[str, float]]:
    """Per word `word_vectors` embeds, the nearest word of the texts and its cosine. Where
    `asked` gives the words themselves, a word spelled inside another but no form of it is
    passed over: the model's word pieces make "men" near "women" and "carers" near "care",
    nearness of spelling, not of meaning."""
    if not len(word_vectors) or not len(known.vocabulary):
        return [("", 0.0)] * len(word_vectors)
    cosines = _unit(np.asarray(word_vectors, dtype=np.float32)) @ known.vectors.T
    for i, word in enumerate(asked):
        cosines[i, list(_spelled_alike_in(word.lower(), known.vocabulary))] = -1.0
    best = cosines.argmax(axis=1)
    return [(known.vocabulary[j], float(cosines[i, j])) for i, j in enumerate(best)]


# a hyphenated compound is one word: "40-year-old" says nothing "old", "day-to-day" no "day"
_COMPOUND = re.compile(r"[\w’']+(?:-[\w’']+)+")


def _standalone(text: str) -> str:
    """The text with its hyphenated compounds taken out: a part of one ("old" of a
    40-year-old woman) is no word the text says, and read in place of an asked word
    ("older people") it names what the text is not about."""
    return _COMPOUND.sub(" ", expand_acronyms(text))


@dataclass(frozen=True)
class ThemeMeanings:
    ids: tuple[str, ...]  # the themes' ids, in the catalogue's order
    labels: np.ndarray  # (themes x dimension), unit length: each theme's label
    definitions: np.ndarray  # the same for "label: definition"


@lru_cache(maxsize=1024)
def _spelled_alike_in(word: str, vocabulary: tuple[str, ...]) -> tuple[int, ...]:
    # asked again for each list, claim and rewording of one question: read once per word
    return tuple(j for j, near in enumerate(vocabulary) if spelled_alike(word, near))


def spelled_alike(word: str, other: str) -> bool:
    """One word is spelled inside the other ("men", "women"; "care", "carers"), and they share
    no lemma: not two forms of one word ("vaccine", "vaccines")."""
    if word == other or (word not in other and other not in word):
        return False
    return not _lemmas(word) & _lemmas(other)


def _lemmas(word: str) -> set[str]:
    from lemminflect import getAllLemmas  # its lexicon loads on first use, not at import

    return {lemma for forms in getAllLemmas(word).values() for lemma in forms} or {word}


def theme_meanings(catalogue: Themes, encode: Encode) -> ThemeMeanings:
    """The vectors of each theme's label and of its label with its definition: a topic can be
    near either ("teenagers" to "Children and young people", "frequent A&E users" to what
    urgent and emergency care is defined to hold)."""
    ids = tuple(t.id for t in catalogue.themes)
    labels = [t.label for t in catalogue.themes]
    defined = [f"{t.label}: {t.definition}" for t in catalogue.themes]
    if not ids:
        return ThemeMeanings((), np.zeros((0, 0), np.float32), np.zeros((0, 0), np.float32))
    return ThemeMeanings(ids, _unit(np.asarray(encode(labels), dtype=np.float32)),
                         _unit(np.asarray(encode(defined), dtype=np.float32)))


def themes_near(topic_vector: np.ndarray, meanings: ThemeMeanings, bar: float) -> set[str]:
    """The ids of the themes whose label or label with definition is `bar` near the topic
    (cosine, the topic's vector as the same model embeds it)."""
    if not meanings.ids:
        return set()
    v = _unit(np.asarray(topic_vector, dtype=np.float32).reshape(1, -1))[0]
    near = np.maximum(meanings.labels @ v, meanings.definitions @ v)
    return {meanings.ids[i] for i in np.nonzero(near >= bar)[0]}


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)
