"""Where index builds live, and the CURRENT pointer that names the one in use."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from casebook.errors import IndexMissing

BUILDS = "builds"
CURRENT = "CURRENT"
PASSAGES_FILE = "passages.jsonl"
CASES_FILE = "case_studies.jsonl"
SENTENCES_FILE = "sentences.jsonl"
SENTENCE_VECTORS_FILE = "sentence_vectors.npy"
GAZETTEER_FILE = "gazetteer.json"


def current_build(index_dir: Path) -> Path:
    """The build directory CURRENT points at."""
    pointer = index_dir / CURRENT
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise IndexMissing(f"No index has been built in {index_dir}.",
                           hint="Run `casebook index build` first.") from None
    build = index_dir / BUILDS / name
    if not name or not build.is_dir():
        raise IndexMissing(f"{pointer} names the build {name!r}, which does not exist.",
                           hint="Run `casebook index build` to make a new one.")
    return build


def point_to(index_dir: Path, build: Path) -> None:
    """Atomically make `build` the current index: readers see the old or the new, never half."""
    tmp = index_dir / f".{CURRENT}.tmp"
    tmp.write_text(build.name + "\n", encoding="utf-8")
    os.replace(tmp, index_dir / CURRENT)


def prune(index_dir: Path, keep: int = 2) -> list[Path]:
    """Remove all but the newest `keep` builds (never the current one); returns what went."""
    builds = sorted((p for p in (index_dir / BUILDS).iterdir() if p.is_dir()),
                    key=lambda p: p.name)
    try:
        current = current_build(index_dir)
    except IndexMissing:
        current = None
    removed = []
    for old in builds[:-keep] if keep else builds:
        if old != current and not old.name.startswith("."):
            shutil.rmtree(old, ignore_errors=True)
            removed.append(old)
    return removed
