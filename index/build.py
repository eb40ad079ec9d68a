"""Build an index directory from case_studies.jsonl and swap it in atomically."""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from casebook import __version__
from casebook.errors import CasebookError
from casebook.gazetteer import london
from casebook.hashing import sha256_file
from casebook.index import layout
from casebook.index.encoders import (
    E5_MODEL,
    ENCODER_DIR,
    AnyEmbedder,
    Embedder,
    encoder_digest,
    model_fingerprint,
    onnx_embedder,
)
from casebook.index.lexical import LexicalIndex
from casebook.index.manifest import IndexManifest, checksum_tree, size_tree
from casebook.index.multilingual import write_e5_view
from casebook.index.reuse import (
    HASHES_FILE,
    PASSAGE_VECTORS_FILE,
    embed_reusing,
    previous_vectors,
    reuse_folder,
)
from casebook.index.text.acronyms import expand_acronyms
from casebook.index.text.chunking import chunk_corpus
from casebook.index.text.sentences import Sentence, sentences_of
from casebook.index.vectors import FaissIndex
from casebook.ingest.corpus import load_case_studies, load_source_page
from casebook.jsonl import write_jsonl
from casebook.records import CaseStudy, Passage
from casebook.settings import Settings

log = logging.getLogger("casebook.index")


@dataclass(frozen=True)
class BuildReport:
    path: Path
    manifest: IndexManifest
    seconds: float


def _prepare_encoder(settings: Settings, source: Embedder, directory: Path) -> tuple[AnyEmbedder, str]:
    """Export (or reuse) the ONNX encoder into `directory`; returns the embedder and its sha256."""
    fingerprint = model_fingerprint(settings.model, settings.onnx_precision)
    reused = reuse_folder(
        settings.index_dir, ENCODER_DIR,
        lambda m: m.encoder_runtime == "onnx" and m.encoder_source == fingerprint, directory)
    if reused is not None:
        log.info("reusing the ONNX encoder of %s", reused)
    else:
        # imports PyTorch: build time only
        from casebook.index.encoders.minilm.export import export_onnx

        export_onnx(source, directory, precision=settings.onnx_precision)
    return onnx_embedder(settings, directory), encoder_digest(directory)


def build_index(settings: Settings, embedder: Embedder, *, progress: bool = True) -> BuildReport:
    """Chunk, embed and index the corpus into a new build, then point CURRENT at it.

    With the onnx runtime, `embedder` is only the source the encoder is exported from (once per
    model); the corpus is embedded by the exported encoder, as queries will be.
    """
    started = datetime.now(UTC)
    cases = load_case_studies(settings.case_studies_path)
    passages = chunk_corpus(cases, settings.chunk_max_words, settings.chunk_overlap_sentences)
    sentences: list[Sentence] = sentences_of(cases, passages)
    log.info("embedding %d passages and %d sentences", len(passages), len(sentences))

    name = started.strftime("%Y%m%dT%H%M%S%fZ")
    builds = settings.index_dir / layout.BUILDS
    with _reported_writes(settings.index_dir):
        final, manifest = _write_build(settings, embedder, name, builds, started, cases,
                                       passages, sentences, progress=progress)
        layout.point_to(settings.index_dir, final)
        layout.prune(settings.index_dir)
    seconds = (datetime.now(UTC) - started).total_seconds()
    log.info("index %s built in %.1fs", final, seconds)
    return BuildReport(final, manifest, seconds)


@contextmanager
def _reported_writes(index_dir: Path) -> Iterator[None]:
    """A write the system refuses (a full disk, a quota, a permission) as a CasebookError that
    says what to do, not a traceback; the half-written build is gone by then."""
    try:
        yield
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise CasebookError(
            f"Could not write the new index build in {index_dir}: {exc.strerror or exc}{where}.",
            hint="Nothing was swapped in: the build in use is unchanged. Free space in (or fix "
                 "the permissions of) that folder, then run `casebook index build` again.") from exc


def _write_build(settings: Settings, embedder: Embedder, name: str, builds: Path,
                 started: datetime, cases: list[CaseStudy], passages: list[Passage],
                 sentences: list[Sentence], *, progress: bool) -> tuple[Path, IndexManifest]:
    """Write the build `name` beside the others, as a .partial folder renamed when complete."""
    builds.mkdir(parents=True, exist_ok=True)
    tmp = layout.partial_dir(builds, name)
    tmp.mkdir()
    try:
        corpus_embedder: AnyEmbedder = embedder
        encoder_sha256, encoder_source = "", ""
        if settings.embed_runtime == "onnx":
            corpus_embedder, encoder_sha256 = _prepare_encoder(settings, embedder, tmp / ENCODER_DIR)
            encoder_source = model_fingerprint(settings.model, settings.onnx_precision)
        embedding_key = f"{settings.model}|{settings.embed_runtime}|{encoder_sha256}"
        known = previous_vectors(settings.index_dir, embedding_key)
        dimension = corpus_embedder.dimension
        embedded = embed_reusing(corpus_embedder, [expand_acronyms(p.embed_text) for p in passages],
                                 known, dimension, progress=progress)
        embedded_sentences = embed_reusing(corpus_embedder, [s.text for s in sentences], known,
                                           dimension, progress=progress)
        vectors, sentence_vectors = embedded.vectors, embedded_sentences.vectors
        reused = embedded.reused + embedded_sentences.reused
        log.info("reused %d vectors of the previous build", reused)

        dense = FaissIndex(dimension, settings.dense_index, expected=len(passages))
        dense.add(vectors)
        dense.save(tmp)
        LexicalIndex.build([expand_acronyms(p.embed_text) for p in passages]).save(tmp)
        np.save(tmp / layout.SENTENCE_VECTORS_FILE, sentence_vectors, allow_pickle=False)
        np.save(tmp / PASSAGE_VECTORS_FILE, vectors, allow_pickle=False)
        (tmp / HASHES_FILE).write_text(json.dumps({"passages": embedded.keys,
                                                   "sentences": embedded_sentences.keys}),
                                       encoding="utf-8")
        e5 = write_e5_view(settings, tmp, [expand_acronyms(p.embed_text) for p in passages],
                           [s.text for s in sentences])
        write_jsonl(tmp / layout.PASSAGES_FILE, [p.to_dict() for p in passages])
        write_jsonl(tmp / layout.CASES_FILE, [c.to_dict() for c in cases])
        write_jsonl(tmp / layout.SENTENCES_FILE, [s.to_dict() for s in sentences])
        # queries are read with the names the corpus was tagged with, whatever ships later
        (tmp / layout.GAZETTEER_FILE).write_text(json.dumps(london().to_dict(), ensure_ascii=False),
                                                 encoding="utf-8")
        page = load_source_page(settings.source_page_path)
        if page is not None:  # the page's own words: what it says social prescribing is
            (tmp / layout.PAGE_FILE).write_text(json.dumps(page.to_dict(), ensure_ascii=False),
                                                encoding="utf-8")
        manifest = IndexManifest(
            model=settings.model,
            dimension=dimension,
            corpus_sha256=sha256_file(settings.case_studies_path),
            casebook_version=__version__,
            created_at=started.isoformat(timespec="seconds"),
            case_studies=len(cases),
            passages=len(passages),
            sentences=len(sentences),
            dense_index=dense.kind,
            chunk_max_words=settings.chunk_max_words,
            chunk_overlap_sentences=settings.chunk_overlap_sentences,
            files=checksum_tree(tmp),
            sizes=size_tree(tmp),
            encoder_runtime=settings.embed_runtime,
            encoder_sha256=encoder_sha256,
            encoder_source=encoder_source,
            embedding_key=embedding_key,
            reused_vectors=reused,
            e5_model=E5_MODEL,
            e5_runtime=e5.runtime,
            e5_encoder_sha256=e5.encoder_sha256,
            e5_encoder_source=e5.encoder_source,
        )
        manifest.write(tmp)
        # on disk before the rename, so a crash never leaves a named build with empty files
        layout.fsync_tree(tmp)
        final = builds / name
        os.replace(tmp, final)
        layout.fsync_dir(builds)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final, manifest

