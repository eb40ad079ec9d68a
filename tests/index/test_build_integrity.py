"""Builds are private and checked: a rebuild copies what it reuses (never a hard link) and only
what still matches its checksum; a load reads every file whole and names a truncated one; a
full disk is a one-line error; every file of a build has one mode."""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from casebook.errors import IndexCorruptError
from casebook.index import layout
from casebook.index.build import build_index
from casebook.index.encoders.e5.onnx_encoder import E5_ENCODER_DIR, WORDS_FILE
from casebook.index.encoders.minilm.onnx_encoder import ENCODER_DIR, WEIGHTS_FILE
from casebook.index.encoders.minilm.torch_encoder import Embedder
from casebook.index.manifest import IndexManifest
from casebook.index.reuse import PASSAGE_VECTORS_FILE
from casebook.index.store import load_index
from casebook.settings import Settings

pytestmark = pytest.mark.slow

CASEBOOK = Path(sys.executable).parent / "casebook"
WORD_TABLE = f"{E5_ENCODER_DIR}/{WORDS_FILE}"


@pytest.fixture
def own_index(tmp_path: Path, index_settings: Settings) -> Settings:
    """A private copy of the session's index (the corpus is only read), free to damage."""
    shutil.copytree(index_settings.index_dir, tmp_path / "index",
                    ignore=shutil.ignore_patterns(layout.LEASES))
    return index_settings.model_copy(update={"index_dir": tmp_path / "index"})


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files(build: Path) -> list[Path]:
    return [p for p in build.rglob("*") if p.is_file()]


def test_a_rebuild_copies_what_it_reuses_and_checks_it_first(own_index: Settings,
                                                            embedder: Embedder) -> None:
    before = layout.current_build(own_index.index_dir)
    good = IndexManifest.read(before).files
    # written over in place, as a disk error or a careless hand would: same size, new bytes
    for name in (WORD_TABLE, f"{ENCODER_DIR}/{WEIGHTS_FILE}", PASSAGE_VECTORS_FILE):
        with open(before / name, "r+b") as handle:
            handle.seek(-4096, os.SEEK_END)
            handle.write(b"\xff" * 4096)

    report = build_index(own_index, embedder, progress=False)
    after = report.path
    # nothing shared: no inode of the old build is in the new one, every file has one link
    assert not {p.stat().st_ino for p in files(before)} & {p.stat().st_ino for p in files(after)}
    assert all(p.stat().st_nlink == 1 for p in files(after))
    # the damaged files were neither copied nor recorded: made again, they match the good ones
    for name in (WORD_TABLE, f"{ENCODER_DIR}/{WEIGHTS_FILE}"):
        assert report.manifest.files[name] == good[name] == sha256(after / name)
    assert report.manifest.reused_vectors == 0  # the old vectors failed their checksum
    vectors = np.load(after / PASSAGE_VECTORS_FILE)
    assert np.isfinite(vectors).all()
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert load_index(own_index).path == after


def test_a_clean_rebuild_copies_the_encoders_and_the_vectors(own_index: Settings,
                                                            embedder: Embedder) -> None:
    before = layout.current_build(own_index.index_dir)
    report = build_index(own_index, embedder, progress=False)
    assert report.manifest.reused_vectors == report.manifest.passages + report.manifest.sentences
    for name, digest in IndexManifest.read(before).files.items():
        if name.startswith((E5_ENCODER_DIR + "/", ENCODER_DIR + "/")):
            copied = report.path / name
            assert report.manifest.files[name] == digest
            assert copied.stat().st_ino != (before / name).stat().st_ino
    # the old build, damaged now, leaves the new one whole
    os.truncate(before / WORD_TABLE, 0)
    assert sha256(report.path / WORD_TABLE) == report.manifest.files[WORD_TABLE]


@pytest.mark.parametrize("name", ["sentences.jsonl", PASSAGE_VECTORS_FILE, WORD_TABLE])
def test_a_truncated_file_is_named_before_it_is_read(own_index: Settings, name: str) -> None:
    build = layout.current_build(own_index.index_dir)
    size = (build / name).stat().st_size
    os.truncate(build / name, size // 2)
    with pytest.raises(IndexCorruptError, match=f"{size // 2:,} bytes; its manifest says {size:,}"):
        load_index(own_index)


def test_a_loaded_build_holds_no_file_mapped(index_settings: Settings) -> None:
    stored = load_index(index_settings)
    for array in (stored.passage_vectors, stored.sentence_vectors):
        assert not array.flags.writeable  # shared by every request: read-only
        while array is not None:
            assert not isinstance(array, np.memmap)
            array = array.base
    assert stored.changed() is None
    maps = Path(f"/proc/{os.getpid()}/maps").read_text()
    assert str(stored.path) not in maps


def test_every_file_of_a_build_has_one_mode(index_settings: Settings) -> None:
    build = layout.current_build(index_settings.index_dir)
    umask = os.umask(0o022)
    os.umask(umask)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in files(build)}
    assert set(modes.values()) == {0o666 & ~umask}, modes


def _limit_file_size() -> None:  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, 16 * 1024))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit: EFBIG, as ENOSPC


def test_a_build_that_cannot_write_says_so_in_one_line(own_index: Settings) -> None:
    before = (own_index.index_dir / layout.CURRENT).read_text()
    builds = sorted(p.name for p in (own_index.index_dir / layout.BUILDS).iterdir())
    env = {**os.environ, "CASEBOOK_INDEX_DIR": str(own_index.index_dir),
           "CASEBOOK_CORPUS_DIR": str(own_index.corpus_dir)}
    done = subprocess.run([str(CASEBOOK), "index", "build", "--no-progress"], env=env,
                          capture_output=True, text=True, timeout=600,
                          preexec_fn=_limit_file_size)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert "Error: Could not write the new index build" in done.stderr
    assert "File too large" in done.stderr
    assert "casebook index build" in done.stderr  # what to do next
    # nothing swapped in, nothing half-written left behind
    assert (own_index.index_dir / layout.CURRENT).read_text() == before
    assert sorted(p.name for p in (own_index.index_dir / layout.BUILDS).iterdir()) == builds
