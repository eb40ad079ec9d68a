"""Rebuild only what changed: reuse the vectors of texts the previous build already embedded.

Each build stores a content hash per embedded text (content_hashes.json) beside its vectors.
A new build by the same embedder (same model, same runtime, same exported encoder) looks each
text's hash up in the build it replaces and embeds only the texts it has not seen. What it
reuses (vectors, exported encoders) it copies, checked against the old build's checksums as
read: builds share no file, and a damaged one is never carried into the next.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from casebook.errors import CasebookError, IndexCorruptError
from casebook.index import layout
from casebook.index.manifest import FORMAT_VERSION, IndexManifest, read_verified

log = logging.getLogger("casebook.index")

HASHES_FILE = "content_hashes.json"
PASSAGE_VECTORS_FILE = "passage_vectors.npy"
COPY_BLOCK = 1 << 20


def reuse_folder(index_dir: Path, folder: str, same: Callable[[IndexManifest], bool],
                 target: Path) -> str | None:
    """Copy the CURRENT build's `folder` (an exported encoder, say) into the new folder `target`
    when its manifest says it was made from what the new build would make it from, and every
    file matches the manifest's checksum as it is copied. Returns the name of the build copied
    from, or None with nothing written (the caller then makes the folder afresh).

    A copy, never a hard link: a build shares no file with another, so damage done to one (a
    file truncated or written in place) never reaches another; and a file that fails its
    checksum is never copied, so a damaged file is never recorded as good in the new build.
    """
    try:
        build = layout.current_build(index_dir)
        manifest = IndexManifest.read(build)
    except CasebookError:
        return None
    source = build / folder
    if not same(manifest) or not source.is_dir():
        return None
    try:
        _copy_verified(source, target, folder, manifest)
    except IndexCorruptError as exc:
        shutil.rmtree(target, ignore_errors=True)
        log.warning("not reusing %s/ of build %s: %s", folder, build.name, exc.message)
        return None
    except BaseException:  # a full disk, say: nothing half-copied is left behind
        shutil.rmtree(target, ignore_errors=True)
        raise
    return build.name


def _copy_verified(source: Path, target: Path, folder: str, manifest: IndexManifest) -> None:
    """Copy the files of `source` (the folder `folder` of a build with `manifest`) into the new
    folder `target`, hashing each as it is read; IndexCorruptError if one differs."""
    prefix = folder + "/"
    listed = {name.removeprefix(prefix): digest for name, digest in manifest.files.items()
              if name.startswith(prefix)}
    present = {p.name for p in source.iterdir() if p.is_file()}
    if not listed or set(listed) != present:
        raise IndexCorruptError(f"{folder}/ holds {sorted(present)}, its manifest lists "
                                f"{sorted(listed)}")
    target.mkdir()
    for name, expected in sorted(listed.items()):
        digest = hashlib.sha256()
        try:
            reading = open(source / name, "rb")  # noqa: SIM115 - entered below, after the error is told apart
        except OSError as exc:
            raise IndexCorruptError(f"{folder}/{name} cannot be read ({exc.strerror})") from exc
        with reading, open(target / name, "wb") as writing:
            while block := reading.read(COPY_BLOCK):
                digest.update(block)
                writing.write(block)
        if digest.hexdigest() != expected:
            raise IndexCorruptError(f"{folder}/{name} does not match its checksum")


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
        # each file checked against the manifest as read: a damaged vector is never reused
        hashes = json.loads(read_verified(build, HASHES_FILE, manifest))
        known: dict[str, np.ndarray] = {}
        for kind, file in (("passages", PASSAGE_VECTORS_FILE),
                           ("sentences", layout.SENTENCE_VECTORS_FILE)):
            vectors = np.load(io.BytesIO(read_verified(build, file, manifest)), allow_pickle=False)
            if len(vectors) != len(hashes[kind]):
                return {}
            known.update(zip(hashes[kind], vectors))
    except (OSError, ValueError, KeyError, IndexCorruptError) as exc:
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
