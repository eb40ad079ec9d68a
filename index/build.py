"""Build an index directory from case_studies.jsonl and swap it in atomically."""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from casebook import __version__
from casebook.gazetteer import london
from casebook.index import layout
from casebook.index.e5 import E5_MODEL, E5Encoder, write_e5_vectors
from casebook.index.embedder import Embedder
from casebook.index.lexical import LexicalIndex
from casebook.index.manifest import IndexManifest, checksum_tree
from casebook.index.sentences import Sentence, sentences_of
from casebook.index.vectors import FaissIndex
from casebook.index.vocabulary import expand_acronyms
from casebook.ingest.chunk import chunk_corpus
from casebook.ingest.corpus import corpus_sha256, load_case_studies
from casebook.records import Passage
from casebook.settings import Settings

log = logging.getLogger("casebook.index")


@dataclass(frozen=True)
class BuildReport:
    path: Path
    manifest: IndexManifest
    seconds: float


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def build_index(settings: Settings, embedder: Embedder, *, progress: bool = True) -> BuildReport:
    """Chunk, embed and index the corpus into a new build, then point CURRENT at it."""
    started = datetime.now(timezone.utc)
    cases = load_case_studies(settings.case_studies_path)
    passages = chunk_corpus(cases, settings.chunk_max_words, settings.chunk_overlap_sentences)
    sentences: list[Sentence] = sentences_of(cases, passages)
    log.info("embedding %d passages and %d sentences", len(passages), len(sentences))

    vectors = embedder.encode([expand_acronyms(p.embed_text) for p in passages], progress=progress)
    sentence_vectors = embedder.encode([s.text for s in sentences], progress=progress)

    name = started.strftime("%Y%m%dT%H%M%S%fZ")
    builds = settings.index_dir / layout.BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    tmp = builds / f".{name}.partial"
    tmp.mkdir()
    try:
        dense = FaissIndex(embedder.dimension, settings.dense_index)
        dense.add(vectors)
        dense.save(tmp)
        LexicalIndex.build([expand_acronyms(p.embed_text) for p in passages]).save(tmp)
        np.save(tmp / layout.SENTENCE_VECTORS_FILE, sentence_vectors, allow_pickle=False)
        _write_e5(tmp, passages, sentences)
        write_jsonl(tmp / layout.PASSAGES_FILE, [p.to_dict() for p in passages])
        write_jsonl(tmp / layout.CASES_FILE, [c.to_dict() for c in cases])
        write_jsonl(tmp / layout.SENTENCES_FILE, [s.to_dict() for s in sentences])
        # queries are read with the names the corpus was tagged with, whatever ships later
        (tmp / layout.GAZETTEER_FILE).write_text(json.dumps(london().to_dict(), ensure_ascii=False),
                                                 encoding="utf-8")
        manifest = IndexManifest(
            model=settings.model,
            dimension=embedder.dimension,
            corpus_sha256=corpus_sha256(settings.case_studies_path),
            casebook_version=__version__,
            created_at=started.isoformat(timespec="seconds"),
            case_studies=len(cases),
            passages=len(passages),
            sentences=len(sentences),
            dense_index=settings.dense_index,
            chunk_max_words=settings.chunk_max_words,
            chunk_overlap_sentences=settings.chunk_overlap_sentences,
            files=checksum_tree(tmp),
            e5_model=E5_MODEL,
        )
        manifest.write(tmp)
        final = builds / name
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    layout.point_to(settings.index_dir, final)
    layout.prune(settings.index_dir)
    seconds = (datetime.now(timezone.utc) - started).total_seconds()
    log.info("index %s built in %.1fs", final, seconds)
    return BuildReport(final, manifest, seconds)


def _write_e5(directory: Path, passages: list[Passage], sentences: list[Sentence]) -> None:
    """The multilingual view: e5 vectors of the same passages and answer sentences."""
    log.info("embedding %d passages and %d sentences with e5", len(passages), len(sentences))
    write_e5_vectors(directory, E5Encoder().load(),
                     [expand_acronyms(p.embed_text) for p in passages], [s.text for s in sentences])
