"""Open the current index build and check it belongs to this model and this corpus."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from casebook import __version__
from casebook.errors import IndexCorruptError, IndexMismatchError
from casebook.gazetteer import Gazetteer
from casebook.hashing import sha256_file
from casebook.index import layout
from casebook.index.lexical import LexicalIndex
from casebook.index.manifest import (
    FORMAT_VERSION,
    MANIFEST_FILE,
    IndexManifest,
    Stamp,
    describe_change,
    stamp_files,
    verify_files,
    verify_sizes,
)
from casebook.index.multilingual import read_e5_vectors
from casebook.index.reuse import PASSAGE_VECTORS_FILE
from casebook.index.text.sentences import Sentence
from casebook.index.vectors import FaissIndex, VectorIndex
from casebook.jsonl import read_json_object, read_jsonl
from casebook.records import CaseStudy, Passage, SourcePage
from casebook.settings import Settings

T = TypeVar("T")
REBUILD = "Run `casebook index build` to rebuild the index."


@dataclass
class StoredIndex:
    """Everything one build holds, in memory."""

    path: Path
    manifest: IndexManifest
    cases: list[CaseStudy]
    passages: list[Passage]
    sentences: list[Sentence]
    dense: VectorIndex
    lexical: LexicalIndex
    passage_vectors: np.ndarray  # row i = passage i, for case-to-case similarity
    sentence_vectors: np.ndarray
    gazetteer: Gazetteer  # the place names the corpus was tagged with
    page: SourcePage | None = None  # the source page's title and opening; None: built without
    e5_passage_vectors: np.ndarray | None = None  # row i = passage i; None: built without e5
    e5_sentence_vectors: np.ndarray | None = None
    # size, time and inode of each file when loading began (see `changed`)
    stamps: dict[str, Stamp | None] = field(default_factory=dict)

    def changed(self) -> str | None:
        """What changed on disk in this build since it was loaded, in words (None: nothing).
        What was loaded stays in memory and intact; the build on disk no longer is."""
        return describe_change(self.path, self.stamps) if self.stamps else None

    @cached_property
    def passage_by_id(self) -> dict[str, Passage]:
        return {p.id: p for p in self.passages}

    @cached_property
    def sentence_rows(self) -> dict[str, list[int]]:
        """Rows of sentences.jsonl for each case study id."""
        rows: dict[str, list[int]] = {}
        for i, sentence in enumerate(self.sentences):
            rows.setdefault(sentence.case_id, []).append(i)
        return rows


def _read_rows(path: Path, convert: Callable[[dict[str, Any]], T], what: str) -> list[T]:
    return read_jsonl(path, convert, error=IndexCorruptError, what=what,
                      missing="The index file {path} is missing.", hint=REBUILD)


def check_compatible(manifest: IndexManifest, settings: Settings) -> None:
    """Refuse an index built by another model, format or corpus, naming both values."""
    if manifest.format_version != FORMAT_VERSION:
        raise IndexMismatchError(
            f"The index has format {manifest.format_version} (casebook "
            f"{manifest.casebook_version}); this casebook {__version__} reads format "
            f"{FORMAT_VERSION}.", hint=REBUILD)
    if manifest.model != settings.model:
        raise IndexMismatchError(
            f"The index was built with model {manifest.model!r} but CASEBOOK_MODEL is "
            f"{settings.model!r}.",
            hint=f"{REBUILD} Or set CASEBOOK_MODEL={manifest.model} to use the existing one.")
    if manifest.e5_model and manifest.e5_built_with != settings.e5_runtime:
        # e5 vectors of passages and queries only compare when one runtime made both
        raise IndexMismatchError(
            f"The index's e5 vectors were embedded with the {manifest.e5_built_with} runtime but "
            f"CASEBOOK_E5_RUNTIME is {settings.e5_runtime}.",
            hint=f"{REBUILD} Or set CASEBOOK_E5_RUNTIME={manifest.e5_built_with} to serve the "
                 "existing one.")
    corpus = settings.case_studies_path
    if corpus.exists():
        current = sha256_file(corpus)
        if current != manifest.corpus_sha256:
            raise IndexMismatchError(
                f"{corpus} changed since the index was built (sha256 {current[:12]}…, "
                f"index built from {manifest.corpus_sha256[:12]}…).", hint=REBUILD)


def load_index(settings: Settings, *, verify: bool = True, build: Path | None = None) -> StoredIndex:
    """Load the build CURRENT names (or `build`, a folder of builds/); raises IndexMissing /
    IndexMismatchError / IndexCorruptError.

    Every file is read into memory, none memory-mapped: a file truncated under a mapping kills
    the process with SIGBUS at its next read. The files' stamps (size, time, inode) are taken
    before the first read, so a change from then on is caught by `StoredIndex.changed()`.
    """
    path = build if build is not None else layout.current_build(settings.index_dir)
    manifest = IndexManifest.read(path)
    check_compatible(manifest, settings)
    stamps = stamp_files(path, [MANIFEST_FILE, *manifest.files])
    if not verify:
        return _read_build(path, manifest, stamps)
    verify_sizes(path, manifest)  # a stat a file: a truncated file is named before any read
    # Checksumming (mostly the encoder's 90 MB of weights) runs beside the reading: hashlib lets
    # go of the GIL. A file that fails its checksum is still the error reported, whatever else
    # failed to read meanwhile.
    with ThreadPoolExecutor(1, thread_name_prefix="casebook-verify") as pool:
        checked = pool.submit(verify_files, path, manifest)
        try:
            stored = _read_build(path, manifest, stamps)
        except BaseException:
            checked.result()
            raise
        checked.result()
    change = stored.changed()
    if change is not None:
        raise IndexCorruptError(f"The index in {path} changed while it loaded: {change}.",
                                hint=REBUILD)
    return stored


def _read_build(path: Path, manifest: IndexManifest, stamps: dict[str, Stamp | None]) -> StoredIndex:
    cases = _read_rows(path / layout.CASES_FILE, CaseStudy.from_dict, "a case study")
    passages = _read_rows(path / layout.PASSAGES_FILE, Passage.from_dict, "a passage")
    sentences = _read_rows(path / layout.SENTENCES_FILE, Sentence.from_dict, "a sentence")
    counts = (len(cases), len(passages), len(sentences))
    expected = (manifest.case_studies, manifest.passages, manifest.sentences)
    if counts != expected:
        raise IndexCorruptError(
            f"The index in {path} holds {counts} case studies/passages/sentences, its manifest "
            f"says {expected}.", hint=REBUILD)
    dense: VectorIndex = FaissIndex.load(path, manifest.dimension)
    if len(dense) != len(passages):
        raise IndexCorruptError(f"The FAISS index holds {len(dense)} vectors for "
                                f"{len(passages)} passages.", hint=REBUILD)
    sentence_vectors = _read_vectors(path / layout.SENTENCE_VECTORS_FILE)
    passage_vectors = _read_vectors(path / PASSAGE_VECTORS_FILE)
    if passage_vectors.shape != (len(passages), manifest.dimension):
        raise IndexCorruptError(f"{PASSAGE_VECTORS_FILE} has shape {passage_vectors.shape}.",
                                hint=REBUILD)
    if sentence_vectors.shape != (len(sentences), manifest.dimension):
        raise IndexCorruptError(f"sentence_vectors.npy has shape {sentence_vectors.shape}.",
                                hint=REBUILD)
    e5 = read_e5_vectors(path, len(passages), len(sentences))
    return StoredIndex(
        e5_passage_vectors=e5[0] if e5 else None,
        e5_sentence_vectors=e5[1] if e5 else None,
        path=path,
        manifest=manifest,
        cases=cases,
        passages=passages,
        sentences=sentences,
        dense=dense,
        lexical=LexicalIndex.load(path, len(passages)),
        passage_vectors=passage_vectors,
        sentence_vectors=sentence_vectors,
        gazetteer=Gazetteer.from_dict(json.loads(
            (path / layout.GAZETTEER_FILE).read_text(encoding="utf-8"))),
        page=read_json_object(path / layout.PAGE_FILE, SourcePage.from_dict,
                              error=IndexCorruptError, what="a page record", hint=REBUILD),
        stamps=stamps,
    )


def _read_vectors(path: Path) -> np.ndarray:
    """A float32 matrix of the build, read whole (read-only: shared by every request)."""
    try:
        vectors = np.ascontiguousarray(np.load(path, allow_pickle=False), dtype=np.float32)
    except FileNotFoundError:
        raise IndexCorruptError(f"The index file {path} is missing.", hint=REBUILD) from None
    except (OSError, ValueError, EOFError) as exc:
        raise IndexCorruptError(f"Cannot read {path} ({exc}).", hint=REBUILD) from exc
    vectors.setflags(write=False)
    return vectors
