"""Spelling correction of query words against the corpus's own vocabulary."""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

WORD = re.compile(r"[a-z]+")
MEMO_SIZE = 100_000  # words; bounded so a stream of nonsense cannot grow memory without end


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a transposition costs 1), or limit + 1 if above it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


class SpellCorrector:
    """Maps an unknown query word to the nearest frequent corpus word.

    Words the corpus lacks but a general dictionary knows ("parking") are left alone, so an
    out-of-scope question is not bent into an in-scope one.
    """

    def __init__(self, corpus_words: Iterable[str], known_words: Iterable[str] = ()) -> None:
        self.counts = Counter(w for w in corpus_words if len(w) >= 3)
        self.known = set(known_words)
        self._by_length: dict[int, list[str]] = {}
        self._memo: dict[str, str] = {}  # queries share words: each is looked up once
        for word in self.counts:
            self._by_length.setdefault(len(word), []).append(word)

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
        if limit == 0 or word in self.counts or word in self.known or not word.isalpha():
            return word
        best: tuple[int, int, str] | None = None
        for length in range(len(word) - limit, len(word) + limit + 1):
            for candidate in self._by_length.get(length, ()):
                distance = edit_distance(word, candidate, limit)
                if distance <= limit:
                    key = (distance, -self.counts[candidate], candidate)
                    if best is None or key < best:
                        best = key
        return best[2] if best else word

    def correct(self, text: str) -> str:
        """Correct every lower-case word of `text`; other characters are kept as they are."""
        return WORD.sub(lambda m: self.correct_word(m.group(0)), text.lower())
