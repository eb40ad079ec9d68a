"""Embeddings with onnxruntime + tokenizers only: what the serving process runs, no PyTorch.

Reads an encoder directory written by `export` (model.onnx and its weights, model.onnx.data;
tokenizer.json, encoder.json).
Queries go through a micro-batcher and an LRU cache of query vectors; a micro-batch runs as
groups of similar token length (padding is wasted work). The corpus is embedded with `encode`,
in length-sorted batches.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from casebook.errors import ModelError
from casebook.hashing import sha256_files
from casebook.index.encoders.batching import MicroBatcher, encodable, length_groups
from casebook.index.encoders.sessions import OpensOnce, cpu_session

MODEL_FILE = "model.onnx"
WEIGHTS_FILE = "model.onnx.data"  # the graph's initialisers, as ONNX external data
TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "encoder.json"
ENCODER_DIR = "encoder"
# bump when export.py changes what it writes: older exports are redone
EXPORT_VERSION = 5  # 3: BERT fusions; 4: the weights in WEIGHTS_FILE; 5: 7-bit int8 weights


def encoder_digest(directory: Path) -> str:
    """sha256 of the exported graph, followed by its weights where they are a file of their own
    (an export without one, from before, digests as the sha256 of model.onnx alone)."""
    weights = directory / WEIGHTS_FILE
    return sha256_files([directory / MODEL_FILE, *([weights] if weights.is_file() else [])])


class OnnxEmbedder(OpensOnce):
    """The Embedder interface (load, dimension, encode, encode_one) over an exported model."""

    def __init__(self, directory: Path, *, batch_size: int = 32, query_batch_size: int = 32,
                 query_batch_wait_ms: float = 2.0, query_cache_size: int = 1024,
                 threads: int = 0) -> None:
        self.directory = Path(directory)
        self.model_name = str(self.directory)
        self.batch_size = batch_size
        self.query_batch_size = query_batch_size
        self.query_batch_wait_ms = query_batch_wait_ms
        self.query_cache_size = query_cache_size
        self.threads = threads
        super().__init__()
        self._tokenizer: Any = None
        self._config: dict[str, Any] = {}
        self._batcher: MicroBatcher | None = None
        self._cached_query: Any = None

    def _open(self) -> None:
        from tokenizers import Tokenizer

        try:
            self._config = json.loads((self.directory / CONFIG_FILE).read_text(encoding="utf-8"))
            tokenizer = Tokenizer.from_file(str(self.directory / TOKENIZER_FILE))
            session = cpu_session(self.directory / MODEL_FILE, self.threads)
        except (OSError, ValueError, RuntimeError) as exc:
            raise ModelError(f"Could not open the ONNX encoder in {self.directory}: {exc}",
                             hint="Run `casebook index build` to export it again.") from exc
        tokenizer.enable_truncation(int(self._config["max_seq_length"]))
        # _feed pads each group itself, as the tokenizer's own (longest-in-batch) padding would
        self._pad_id = int((tokenizer.padding or {}).get("pad_id", 0))
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        self._inputs = {i.name for i in session.get_inputs()}
        # int8 graphs quantise each activation tensor with one scale, taken from the whole
        # batch: run together, a text's vector would move with its batch-mates (cosine ~0.97),
        # so a query would score differently under load, and a reused passage vector would not
        # be the one a fresh build computes. Alone, a text's vector is a function of the text.
        self._alone = self._config.get("precision", "fp32") == "int8"
        # texts that run one by one gain nothing from waiting for company: take who is waiting
        wait_s = 0.0 if self._alone else self.query_batch_wait_ms / 1000
        self._batcher = MicroBatcher(self._run_grouped, max_batch=self.query_batch_size,
                                     max_wait_s=wait_s)
        batcher = self._batcher
        if self.query_cache_size:
            self._cached_query = lru_cache(maxsize=self.query_cache_size)(batcher.submit)
        self._session = session

    @property
    def dimension(self) -> int:
        return int(self.load()._config["dimension"])

    def vocabulary(self) -> dict[str, int]:
        """The tokenizer's vocabulary: word piece -> id."""
        return dict(self.load()._tokenizer.get_vocab())

    def _feed(self, encodings: Sequence[Any]) -> dict[str, np.ndarray]:
        """Model inputs for `encodings`, right-padded to the longest of them."""
        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        types = np.zeros((len(encodings), width), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, :len(e.ids)] = e.ids
            mask[row, :len(e.ids)] = e.attention_mask
            types[row, :len(e.ids)] = e.type_ids
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        return {k: v for k, v in feed.items() if k in self._inputs}

    def _forward(self, encodings: Sequence[Any]) -> np.ndarray:
        outputs = self._session.run(None, self._feed(encodings))
        return np.ascontiguousarray(outputs[0], dtype=np.float32)

    def _run(self, texts: Sequence[str]) -> np.ndarray:
        """One forward pass over `texts`, padded to the longest."""
        return self._forward(self._tokenizer.encode_batch(list(texts)))

    def _run_grouped(self, texts: Sequence[str]) -> np.ndarray:
        """A micro-batch of queries, run as groups of similar length, rows in input order."""
        encodings = self._tokenizer.encode_batch(list(texts))
        groups = ([[i] for i in range(len(texts))] if self._alone
                  else length_groups([len(e.ids) for e in encodings]))
        if len(groups) == 1:
            return self._forward(encodings)
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for rows in groups:
            out[rows] = self._forward([encodings[i] for i in rows])
        return out

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Embed `texts`; returns an (n, dim) float32 array of unit vectors, in input order."""
        self.load()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # batches of similar length waste little work on padding
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        batch_size = 1 if self._alone else self.batch_size
        starts: Iterable[int] = range(0, len(order), batch_size)
        if progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="embedding", unit="batch")
        for start in starts:
            rows = order[start:start + batch_size]
            out[rows] = self._run([texts[i] for i in rows])
        return out

    def encode_one(self, text: str) -> np.ndarray:
        """One query's vector: from the cache, or micro-batched with concurrent queries."""
        self.load()
        text = encodable(text)
        if self._cached_query is not None:
            vector: np.ndarray = self._cached_query(text)
        else:
            assert self._batcher is not None
            vector = self._batcher.submit(text)
        # callers share cached arrays: make them read-only so none can change another's
        vector.setflags(write=False)
        return vector

    @property
    def batcher(self) -> MicroBatcher:
        batcher = self.load()._batcher
        assert batcher is not None  # load() has set it
        return batcher

    def batch_counts(self) -> tuple[int, int]:
        """(micro-batches run, query texts they held) since load; (0, 0) before."""
        batcher = self._batcher
        return (batcher.batches, batcher.texts) if batcher is not None else (0, 0)

    def cache_info(self) -> Any:
        return self._cached_query.cache_info() if self._cached_query is not None else None
