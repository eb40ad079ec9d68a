"""Where index builds live, the CURRENT pointer that names the one in use, and the leases that
keep a build a live server reads from being pruned."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import time
from pathlib import Path

from casebook.errors import IndexCorruptError, IndexMissing

BUILDS = "builds"
CURRENT = "CURRENT"
LEASES = "leases"
PASSAGES_FILE = "passages.jsonl"
CASES_FILE = "case_studies.jsonl"
SENTENCES_FILE = "sentences.jsonl"
SENTENCE_VECTORS_FILE = "sentence_vectors.npy"
GAZETTEER_FILE = "gazetteer.json"
PAGE_FILE = "page.json"  # the source page's title and opening (optional: older builds lack it)
PARTIAL_SUFFIX = ".partial"

# What `build_index` names a build (UTC time to the microsecond); CURRENT may hold nothing else,
# so its content can never lead outside builds/.
BUILD_NAME = re.compile(r"[0-9]{8}T[0-9]{12}Z")
# A lease from another machine (sharing the index over a network disk) whose pid cannot be
# checked here counts as live while its server keeps refreshing it.
FOREIGN_LEASE_TTL_S = 3600.0
# A .partial folder is `.<build>.<pid>.partial`; one whose pid cannot be read is left to a
# build still running for this long.
PARTIAL = re.compile(r"\.(?P<build>[0-9]{8}T[0-9]{12}Z)\.(?P<pid>[0-9]+)\.partial")
PARTIAL_GRACE_S = 3600.0
POINTER_HINT = "Run `casebook index build` to write a new build and pointer."


def current_name(index_dir: Path) -> str:
    """The build name CURRENT holds, checked to be a build name and nothing else."""
    pointer = index_dir / CURRENT
    try:
        raw = pointer.read_bytes()
    except FileNotFoundError:
        raise IndexMissing(f"No index has been built yet at {index_dir.absolute()}.",
                           hint="Run `casebook index build` first (or set CASEBOOK_INDEX_DIR or "
                                "CASEBOOK_BASE_DIR to where one was built).") from None
    except OSError as exc:  # a folder, no permission, an I/O error
        raise IndexCorruptError(f"{pointer.absolute()} cannot be read ({exc.strerror or exc}).",
                                hint=POINTER_HINT) from None
    try:
        name = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise IndexCorruptError(
            f"CURRENT is not UTF-8 text (it starts {raw[:16]!r}); it must hold a build name "
            "(like 20250101T120000000000Z).", hint=POINTER_HINT) from None
    if not BUILD_NAME.fullmatch(name):
        shown = name[:60] + ("…" if len(name) > 60 else "")
        raise IndexCorruptError(
            f"CURRENT holds {shown!r}, which is not a build name (like 20250101T120000000000Z).",
            hint=POINTER_HINT)
    return name


def build_names(index_dir: Path) -> list[str]:
    """The names of the finished builds under builds/, newest first."""
    folder = index_dir / BUILDS
    if not folder.is_dir():
        return []
    return sorted((p.name for p in folder.iterdir() if BUILD_NAME.fullmatch(p.name) and p.is_dir()),
                  reverse=True)


def current_build(index_dir: Path) -> Path:
    """The build directory CURRENT points at."""
    name = current_name(index_dir)
    build = index_dir / BUILDS / name
    if not build.is_dir():
        raise IndexMissing(f"CURRENT names the build {name}, which does not exist.",
                           hint="Run `casebook index build` to make a new one.")
    return build


def fsync_tree(root: Path) -> None:
    """Flush every file under `root`, then the folders, so a rename never exposes lost data."""
    for folder, _, files in os.walk(root):
        for name in files:
            fd = os.open(Path(folder) / name, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(folder))


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def point_to(index_dir: Path, build: Path) -> None:
    """Atomically make `build` the current index: readers see the old or the new, never half."""
    if not BUILD_NAME.fullmatch(build.name):
        raise ValueError(f"{build.name!r} is not a build name")
    tmp = index_dir / f".{CURRENT}.tmp"
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(build.name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, index_dir / CURRENT)
    fsync_dir(index_dir)


# -- leases: which builds live servers read ------------------------------------------------

def _lease_path(index_dir: Path, pid: int, holder: str) -> Path:
    return index_dir / LEASES / f"{socket.gethostname()}.{pid}{'.' + holder if holder else ''}"


def take_lease(index_dir: Path, build_name: str, pid: int | None = None, holder: str = "") -> Path:
    """Record that process `pid` (this one by default) serves `build_name`; refreshes its time.
    `holder` tells apart several servers in one process (tests run many)."""
    pid = os.getpid() if pid is None else pid
    path = _lease_path(index_dir, pid, holder)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps({"build": build_name, "pid": pid, "host": socket.gethostname()}),
                   encoding="utf-8")
    os.replace(tmp, path)
    return path


def drop_lease(index_dir: Path, pid: int | None = None, holder: str = "") -> None:
    _lease_path(index_dir, os.getpid() if pid is None else pid, holder).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process, but alive
    return True


def leased_builds(index_dir: Path) -> set[str]:
    """Builds that live servers serve; leases of dead processes are removed on the way."""
    folder = index_dir / LEASES
    if not folder.is_dir():
        return set()
    here = socket.gethostname()
    leased: set[str] = set()
    for path in folder.iterdir():
        if path.name.startswith("."):
            continue
        try:
            lease = json.loads(path.read_text(encoding="utf-8"))
            build, pid, host = str(lease["build"]), int(lease["pid"]), str(lease["host"])
            age = time.time() - path.stat().st_mtime
        except (OSError, ValueError, KeyError, TypeError):
            continue  # half-written or foreign junk: neither trusted nor deleted
        live = _alive(pid) if host == here else age < FOREIGN_LEASE_TTL_S
        if live:
            leased.add(build)
        elif host == here:
            path.unlink(missing_ok=True)
    return leased


def prune(index_dir: Path, keep: int = 2) -> list[Path]:
    """Remove all but the newest `keep` builds, never the current one nor one a live server
    leases, and `.partial` leftovers of killed builds; returns what went."""
    folder = index_dir / BUILDS
    if not folder.is_dir():
        return []
    builds = sorted((p for p in folder.iterdir() if p.is_dir() and BUILD_NAME.fullmatch(p.name)),
                    key=lambda p: p.name)
    try:
        current: str | None = current_name(index_dir)
    except (IndexMissing, IndexCorruptError):
        current = None
    spared = leased_builds(index_dir) | ({current} if current else set())
    removed = []
    for old in builds[:-keep] if keep else builds:
        if old.name not in spared:
            shutil.rmtree(old, ignore_errors=True)
            removed.append(old)
    for partial in folder.glob(f".*{PARTIAL_SUFFIX}"):
        if partial.is_dir() and _abandoned(partial):
            shutil.rmtree(partial, ignore_errors=True)
            removed.append(partial)
    return removed


def partial_dir(builds: Path, build_name: str) -> Path:
    """Where a build is written before its rename: named after the process writing it."""
    return builds / f".{build_name}.{os.getpid()}{PARTIAL_SUFFIX}"


def _abandoned(partial: Path) -> bool:
    """A .partial folder whose writer has died (or, unnamed, that nobody touched for an hour)."""
    match = PARTIAL.fullmatch(partial.name)
    if match:
        return not _alive(int(match["pid"]))
    return time.time() - partial.stat().st_mtime > PARTIAL_GRACE_S
