"""case_studies.jsonl on disk, and building it from a snapshot directory."""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from casebook.errors import CorpusError
from casebook.ingest.documents import (
    LinkedDocument,
    html_to_text,
    merge_linked,
    pdf_to_text,
)
from casebook.ingest.parse import check_unique_ids, parse_page
from casebook.ingest.snapshot import read_file, read_manifest
from casebook.records import CaseStudy

REBUILD_HINT = "Run `casebook ingest --from corpus/snapshot` to rebuild it, or restore it from git."


def load_case_studies(path: Path) -> list[CaseStudy]:
    """Every case study in a JSONL file, in file order.

    :raises CorpusError: when the file is missing, or a line (named by number) is not a case study.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise CorpusError(f"No case studies at {path}.", hint=REBUILD_HINT) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"Cannot read case studies from {path} ({exc}).", hint=REBUILD_HINT) from exc
    cases = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise TypeError(f"expected a JSON object, got {type(data).__name__}")
            cases.append(CaseStudy.from_dict(data))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            detail = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            message = f"{path}, line {number}: not a case study ({detail})."
            raise CorpusError(message, hint=REBUILD_HINT) from exc
    return cases


def write_case_studies(path: Path, cases: Iterable[CaseStudy]) -> None:
    """Write one JSON object a line, atomically: readers see the old file or the new, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(json.dumps(case.to_dict(), ensure_ascii=False) + "\n" for case in cases)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def corpus_sha256(path: Path) -> str:
    """sha256 of the file's bytes: what an index records to know which corpus built it."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def build_corpus(snapshot_dir: Path) -> list[CaseStudy]:
    """Parse a snapshot's start page and merge in the documents it links to.

    :raises CorpusError: when the manifest or a file is missing or altered.
    :raises ParseError: when the start page has no case studies, or two share an id.
    """
    snapshot_dir = Path(snapshot_dir)
    manifest = read_manifest(snapshot_dir)
    start = manifest.start
    page_url = start.final_url or start.url
    cases = parse_page(_decode(read_file(snapshot_dir, start), start.content_type), page_url)
    check_unique_ids(cases)
    docs = []
    for entry in manifest.files:
        if not entry.linked_from:
            continue
        data = read_file(snapshot_dir, entry)
        kind = entry.content_type.split(";")[0].strip().lower()
        if kind in ("text/html", "application/xhtml+xml"):
            text = html_to_text(_decode(data, entry.content_type))
        elif kind == "application/pdf":
            text = pdf_to_text(data)
        else:
            continue
        docs.append(LinkedDocument(url=entry.url, text=text, final_url=entry.final_url))
    return merge_linked(cases, docs)


def _decode(data: bytes, content_type: str) -> str:
    match = re.search(r"charset=([\w.:-]+)", content_type, re.IGNORECASE)
    try:
        encoding = codecs.lookup(match.group(1)).name if match else "utf-8"
    except LookupError:
        encoding = "utf-8"
    # A stray byte should cost one character, not the build.
    return data.decode(encoding, errors="replace")
