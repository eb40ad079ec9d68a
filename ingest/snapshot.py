"""The snapshot on disk: raw documents plus manifest.json, replaced only as a whole."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from casebook.errors import CorpusError
from casebook.hashing import sha256_bytes

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class SnapshotFile:
    """One fetched document. `path` is relative to the snapshot directory."""

    url: str  # the URL as linked (before redirects)
    path: str
    fetched_at: str  # ISO 8601, UTC
    sha256: str
    content_type: str  # e.g. "text/html", "application/pdf"
    final_url: str = ""  # after redirects; "" when the same as url
    linked_from: str = ""  # URL of the page that linked here; "" for the start page


@dataclass(frozen=True)
class Skipped:
    """A URL the crawl did not keep, and why (404, robots.txt, too large, ...)."""

    url: str
    reason: str


@dataclass(frozen=True)
class Manifest:
    source_url: str
    created_at: str
    files: tuple[SnapshotFile, ...]
    skipped: tuple[Skipped, ...] = ()
    origin: str = "crawl"  # "crawl" or "reconstructed" (built by hand from the seed text)
    version: int = MANIFEST_VERSION
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def start(self) -> SnapshotFile:
        for f in self.files:
            if not f.linked_from:
                return f
        raise CorpusError("The snapshot manifest names no start page.",
                          hint="Re-crawl with `casebook ingest --live URL`.")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        return cls(
            source_url=data["source_url"],
            created_at=data["created_at"],
            files=tuple(SnapshotFile(**f) for f in data["files"]),
            skipped=tuple(Skipped(**s) for s in data.get("skipped", ())),
            origin=data.get("origin", "crawl"),
            version=data.get("version", MANIFEST_VERSION),
            notes=data.get("notes", ""),
            extra=dict(data.get("extra", {})),
        )


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def read_manifest(snapshot_dir: Path) -> Manifest:
    path = snapshot_dir / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Manifest.from_dict(data)
    except FileNotFoundError:
        raise CorpusError(
            f"No snapshot manifest at {path}.",
            hint="Run `casebook ingest --live URL` to crawl, or restore corpus/snapshot from git.",
        ) from None
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise CorpusError(f"The snapshot manifest {path} is unreadable ({exc}).",
                          hint="Restore it from git or re-crawl.") from exc


def write_manifest(snapshot_dir: Path, manifest: Manifest) -> None:
    text = json.dumps(manifest.to_dict(), indent=2, ensure_ascii=False) + "\n"
    (snapshot_dir / MANIFEST).write_text(text, encoding="utf-8")


def read_file(snapshot_dir: Path, entry: SnapshotFile, *, verify: bool = True) -> bytes:
    """The bytes of one snapshot file, checked against the manifest's sha256."""
    path = snapshot_dir / entry.path
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"Snapshot file {path} named in the manifest is missing.",
                          hint="Restore corpus/snapshot from git or re-crawl.") from None
    if verify and sha256_bytes(data) != entry.sha256:
        raise CorpusError(f"Snapshot file {path} does not match its sha256 in the manifest.",
                          hint="It was edited by hand or truncated: restore it or re-crawl.")
    return data


def swap_in(new_dir: Path, target: Path) -> None:
    """Replace `target` with the complete snapshot in `new_dir`.

    The old snapshot is moved aside first and removed only after the new one is in place,
    so a failure in between leaves one complete snapshot on disk (the old one, restored).
    """
    read_manifest(new_dir)  # refuse to swap in a snapshot without a readable manifest
    backup = target.with_name(target.name + ".previous")
    if backup.exists():
        shutil.rmtree(backup)
    had_old = target.exists()
    if had_old:
        os.replace(target, backup)
    try:
        os.replace(new_dir, target)
    except OSError:
        if had_old:
            os.replace(backup, target)
        raise
    if had_old:
        shutil.rmtree(backup, ignore_errors=True)
