"""Spelling correction of query words against the corpus's own vocabulary."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from lemminflect import getAllLemmas
from rapidfuzz import process
from rapidfuzz.distance import OSA

WORD = re.compile(r"[a-z]+")
MEMO_SIZE = 100_000  # words; bounded so a stream of nonsense cannot grow memory without end


class SpellCorrector:
    """Maps an unknown query word to the nearest frequent corpus word.

    Words the corpus lacks but a general dictionary knows ("parking") are left alone, so an
    out-of-scope question is not bent into an in-scope one. The dictionary is the model's
    whole-word vocabulary and lemminflect's English lexicon, which holds the inflections the
    vocabulary lacks: "jabs" is a word, not a misspelling of "jobs".
    """

    def __init__(self, corpus_words: Iterable[str], known_words: Iterable[str] = ()) -> None:
        self.counts = Counter(w for w in corpus_words if len(w) >= 3)
        self.known = set(known_words)
        self._words = list(self.counts)
        self._memo: dict[str, str] = {}  # queries share words: each is looked up once

    @staticmethod
    def max_distance(word: str) -> int:
        return 0 if len(word) < 4 else 1 if len(word) < 8 else 2

    def correct_word(self, word: str) -> str:
        corrected = self._memo.get(word)
        if corrected is None:
            corrected = self._correct_word(word)
            if len(self._memo) < MEMO_SIZE:
                self._memo[word] = corrected
        return corrected

    def _correct_word(self, word: str) -> str:
        limit = self.max_distance(word)
        if limit == 0 or word in self.counts or word in self.known or not word.isalpha() \
                or getAllLemmas(word):
            return word
        # optimal string alignment distance (a transposition costs 1), every word within limit
        near = process.extract(word, self._words, scorer=OSA.distance, score_cutoff=limit,
                               limit=None)
        best = min(((distance, -self.counts[candidate], candidate)
                    for candidate, distance, _ in near), default=None)
        return best[2] if best else word

    def correct(self, text: str) -> str:
        """Correct every lower-case word of `text`; other characters are kept as they are."""
        return WORD.sub(lambda m: self.correct_word(m.group(0)), text.lower())
