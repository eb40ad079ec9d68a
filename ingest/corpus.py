"""case_studies.jsonl and page.json on disk, and building them from a snapshot directory."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable
from pathlib import Path

from casebook.errors import CorpusError
from casebook.ingest.documents import (
    LinkedDocument,
    html_to_text,
    merge_linked,
    pdf_to_text,
)
from casebook.ingest.html import HTML_TYPES
from casebook.ingest.parse import check_unique_ids, parse_page, parse_source_page
from casebook.ingest.snapshot import read_file, read_manifest
from casebook.jsonl import read_json_object, read_jsonl, write_jsonl, write_text_atomic
from casebook.records import CaseStudy, SourcePage

REBUILD_HINT = "Run `casebook ingest --from corpus/snapshot` to rebuild it, or restore it from git."


def load_case_studies(path: Path) -> list[CaseStudy]:
    """Every case study in a JSONL file, in file order.

    :raises CorpusError: when the file is missing, or a line (named by number) is not a case study.
    """
    # the path named absolute: a relative one is read from CASEBOOK_BASE_DIR, not always the cwd
    return read_jsonl(path.absolute(), CaseStudy.from_dict, error=CorpusError,
                      what="a case study", missing="No case studies at {path}.", hint=REBUILD_HINT)


def write_case_studies(path: Path, cases: Iterable[CaseStudy]) -> None:
    """Write one JSON object a line, atomically: readers see the old file or the new, never half."""
    write_jsonl(path, (case.to_dict() for case in cases))


def build_source_page(snapshot_dir: Path) -> SourcePage:
    """The snapshot's start page: its address, title and opening paragraphs.

    :raises CorpusError: when the manifest or the start page is missing or altered.
    """
    manifest = read_manifest(Path(snapshot_dir))
    start = manifest.start
    html = _decode(read_file(Path(snapshot_dir), start), start.content_type)
    return parse_source_page(html, start.final_url or start.url)


def write_source_page(path: Path, page: SourcePage) -> None:
    """Write the page record as JSON, atomically."""
    write_text_atomic(path, json.dumps(page.to_dict(), ensure_ascii=False, indent=1) + "\n")


def load_source_page(path: Path) -> SourcePage | None:
    """The page record at `path`; None where there is none (a corpus made before it was kept).

    :raises CorpusError: when the file is there but is not a page record.
    """
    return read_json_object(path, SourcePage.from_dict, error=CorpusError, what="a page record",
                            hint=REBUILD_HINT)


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
        if kind in HTML_TYPES:
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
