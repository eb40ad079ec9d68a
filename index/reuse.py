"""Rebuild only what changed: reuse the vectors of texts the previous build already embedded.

Each build stores a content hash per embedded text (content_hashes.json) beside its vectors.
A new build by the same embedder (same model, same runtime, same exported encoder) looks each
text's hash up in the build it replaces and embeds only the texts it has not seen.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from casebook.errors import CasebookError
from casebook.index import layout
from casebook.index.manifest import FORMAT_VERSION, IndexManifest

log = logging.getLogger("casebook.index")

HASHES_FILE = "content_hashes.json"
PASSAGE_VECTORS_FILE = "passage_vectors.npy"


def previous_folder(index_dir: Path, folder: str,
                    same: Callable[[IndexManifest], bool]) -> Path | None:
    """The CURRENT build's `folder` (an exported encoder, say), when its manifest says it was
    made from what the new build would make it from; None otherwise or with no build yet."""
    try:
        build = layout.current_build(index_dir)
        manifest = IndexManifest.read(build)
    except CasebookError:
        return None
    found = build / folder
    return found if same(manifest) and found.is_dir() else None


class Encodes(Protocol):
    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray: ...


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass
class Embedded:
    vectors: np.ndarray
    keys: list[str]
    reused: int


def previous_vectors(index_dir: Path, embedding_key: str) -> dict[str, np.ndarray]:
    """Vectors of the CURRENT build by content hash, if the same embedder made them; else {}."""
    try:
        build = layout.current_build(index_dir)
        manifest = IndexManifest.read(build)
    except CasebookError:
        return {}
    if manifest.format_version != FORMAT_VERSION or manifest.embedding_key != embedding_key:
        return {}
    try:
        hashes = json.loads((build / HASHES_FILE).read_text(encoding="utf-8"))
        known: dict[str, np.ndarray] = {}
        for kind, file in (("passages", PASSAGE_VECTORS_FILE),
                           ("sentences", layout.SENTENCE_VECTORS_FILE)):
            vectors = np.load(build / file, allow_pickle=False)
            if len(vectors) != len(hashes[kind]):
                return {}
            known.update(zip(hashes[kind], vectors))
    except (OSError, ValueError, KeyError) as exc:
        log.warning("not reusing vectors of %s: %s", build, exc)
        return {}
    return known


def embed_reusing(embedder: Encodes, texts: Sequence[str], known: dict[str, np.ndarray],
                  dimension: int, *, progress: bool = False) -> Embedded:
    """Vectors for `texts`, embedding only those whose hash is not in `known`."""
    keys = [text_key(t) for t in texts]
    missing = sorted({i for i, key in enumerate(keys) if key not in known})
    out = np.empty((len(texts), dimension), dtype=np.float32)
    if missing:
        out[missing] = embedder.encode([texts[i] for i in missing], progress=progress)
    for i, key in enumerate(keys):
        if key in known:
            out[i] = known[key]
    return Embedded(out, keys, len(texts) - len(missing))
