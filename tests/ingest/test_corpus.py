from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from casebook.errors import CorpusError, ParseError
from casebook.hashing import sha256_bytes, sha256_file
from casebook.ingest import corpus as corpus_module
from casebook.ingest.corpus import (
    build_corpus,
    build_source_page,
    load_case_studies,
    load_source_page,
    write_case_studies,
    write_source_page,
)
from casebook.ingest.documents import (
    LinkedDocument,
    html_to_text,
    merge_linked,
    pdf_to_text,
)
from casebook.ingest.snapshot import (
    Manifest,
    SnapshotFile,
    read_manifest,
    write_manifest,
)
from casebook.records import CaseStudy
from casebook.settings import DEFAULT_SOURCE_URL


def test_jsonl_round_trip(tmp_path: Path, cases: list[CaseStudy]) -> None:
    path = tmp_path / "case_studies.jsonl"
    write_case_studies(path, cases)
    assert load_case_studies(path) == cases
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 34
    assert list(json.loads(lines[0])) == ["id", "title", "section", "url", "text", "boroughs", "links", "sources",
                                         "themes"]
    assert "’" in path.read_text(encoding="utf-8")  # ensure_ascii=False


def test_write_replaces_atomically(tmp_path: Path, cases: list[CaseStudy], monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "case_studies.jsonl"
    write_case_studies(path, cases[:2])
    before = path.read_bytes()

    def fail(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_case_studies(path, cases)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["case_studies.jsonl"]  # no temp file left
    monkeypatch.undo()
    write_case_studies(path, cases)
    assert load_case_studies(path) == cases


def test_missing_file_says_how_to_rebuild(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="No case studies at") as info:
        load_case_studies(tmp_path / "nope.jsonl")
    assert "casebook ingest --from corpus/snapshot" in str(info.value)


def test_missing_file_is_named_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CorpusError) as info:
        load_case_studies(Path("corpus/case_studies.jsonl"))
    assert info.value.message == f"No case studies at {tmp_path / 'corpus' / 'case_studies.jsonl'}."


@pytest.mark.parametrize(
    ("bad_line", "detail"),
    [("{not json", "Expecting property name"), ('{"id": "x"}', "missing field 'title'"), ("[1, 2]", "JSON object")],
)
def test_corrupt_line_is_named_by_number(tmp_path: Path, cases: list[CaseStudy], bad_line: str, detail: str) -> None:
    path = tmp_path / "case_studies.jsonl"
    write_case_studies(path, cases[:2])
    path.write_text(path.read_text(encoding="utf-8") + "\n" + bad_line + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="line 4: not a case study") as info:
        load_case_studies(path)
    assert detail in str(info.value)
    assert "casebook ingest" in str(info.value)


def test_sha256_of_a_file_and_of_bytes_agree(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    data = b"abc\n" * 400_000  # more than one read block
    path.write_bytes(data)
    assert sha256_file(path) == sha256_bytes(data) == hashlib.sha256(data).hexdigest()


def test_committed_manifest_matches_the_snapshot(snapshot_dir: Path) -> None:
    manifest = read_manifest(snapshot_dir)
    assert manifest.origin == "reconstructed"
    assert manifest.source_url == DEFAULT_SOURCE_URL
    assert manifest.start.url == DEFAULT_SOURCE_URL
    assert manifest.start.content_type == "text/html"
    assert "seed" in manifest.notes
    for entry in manifest.files:
        assert sha256_bytes((snapshot_dir / entry.path).read_bytes()) == entry.sha256


def test_committed_corpus_is_what_the_snapshot_builds(
    snapshot_dir: Path, case_studies_path: Path, tmp_path: Path
) -> None:
    built = build_corpus(snapshot_dir)
    assert built == load_case_studies(case_studies_path)
    fresh = tmp_path / "case_studies.jsonl"
    write_case_studies(fresh, built)
    assert fresh.read_bytes() == case_studies_path.read_bytes()


def test_committed_page_is_what_the_snapshot_builds(
    snapshot_dir: Path, case_studies_path: Path, tmp_path: Path
) -> None:
    committed = case_studies_path.parent / "page.json"
    page = build_source_page(snapshot_dir)
    assert page == load_source_page(committed)
    assert page.url == DEFAULT_SOURCE_URL and page.title == "Case studies"
    # what the page says social prescribing is opens it
    assert page.intro[0].startswith("Social Prescribing is a way of linking people")
    fresh = tmp_path / "page.json"
    write_source_page(fresh, page)
    assert fresh.read_bytes() == committed.read_bytes()


def test_a_missing_page_record_is_none_and_a_broken_one_says_how_to_rebuild(
        tmp_path: Path) -> None:
    assert load_source_page(tmp_path / "page.json") is None
    broken = tmp_path / "broken.json"
    broken.write_text('{"title": "no url"}', encoding="utf-8")
    with pytest.raises(CorpusError, match="not a page record") as raised:
        load_source_page(broken)
    assert "casebook ingest" in (raised.value.hint or "")


def test_tampered_snapshot_is_refused(snapshot_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "snapshot"
    shutil.copytree(snapshot_dir, copy)
    page = copy / read_manifest(copy).start.path
    page.write_text(page.read_text(encoding="utf-8").replace("Hounslow", "Hounslöw"), encoding="utf-8")
    with pytest.raises(CorpusError, match="does not match its sha256"):
        build_corpus(copy)
    with pytest.raises(CorpusError, match="No snapshot manifest"):
        build_corpus(tmp_path / "empty")


PAGE = DEFAULT_SOURCE_URL
PDF_URL = "https://healthylondon.org/wp-content/uploads/2021/03/hounslow-vaccine-case-study.pdf"
WELL_URL = "https://healthylondon.org/case-studies/well-centre"
WELL_FINAL = "https://healthylondon.org/case-studies/well-centre/"
BROKEN_URL = "https://healthylondon.org/wp-content/uploads/broken.pdf"
START = f"""<html><body><main>
<h2 id="vaccine-hesitancy">Social prescribing and COVID-19 vaccine hesitancy</h2>
<h3><a href="/wp-content/uploads/2021/03/hounslow-vaccine-case-study.pdf">Understanding faith groups</a></h3>
<p>London Borough of Hounslow has 15 Mosques.</p>
<h2 id="video">Social prescribing – video case study</h2>
<h3>The Well Centre</h3>
<p>Watch how the youth health hub helps. <a href="{WELL_URL}">Read more</a>.</p>
<h3>Broken one</h3>
<p>Its PDF is damaged. <a href="/wp-content/uploads/broken.pdf">PDF</a></p>
</main></body></html>"""


def _snapshot(tmp_path: Path, documents_dir: Path) -> Path:
    snap = tmp_path / "snapshot"
    snap.mkdir()
    pdf = (documents_dir / "hounslow-vaccine-case-study.pdf").read_bytes()
    files = {
        "index.html": (PAGE, START.encode(), "text/html; charset=utf-8", "", ""),
        "doc-1.pdf": (PDF_URL, pdf, "application/pdf", "", PAGE),
        "doc-2.html": (WELL_URL, (documents_dir / "well-centre.html").read_bytes(), "text/html", WELL_FINAL, PAGE),
        "doc-3.pdf": (BROKEN_URL, pdf[:150], "application/pdf", "", PAGE),
        "doc-4.png": ("https://healthylondon.org/logo.png", b"\x89PNG", "image/png", "", PAGE),
    }
    entries = []
    for name, (url, data, kind, final, linked_from) in files.items():
        (snap / name).write_bytes(data)
        entries.append(SnapshotFile(url, name, "2024-01-01T00:00:00+00:00", sha256_bytes(data), kind, final, linked_from))
    write_manifest(snap, Manifest(source_url=PAGE, created_at="2024-01-01T00:00:00+00:00", files=tuple(entries)))
    return snap


def test_linked_pdf_and_page_merge_into_their_case_studies(tmp_path: Path, documents_dir: Path) -> None:
    hounslow, well, broken = build_corpus(_snapshot(tmp_path, documents_dir))

    assert "Pop-up clinics were held after Friday prayers." in hounslow.text
    assert hounslow.text.startswith("Understanding faith groups\n\nLondon Borough of Hounslow has 15 Mosques.\n\n")
    assert hounslow.url == PDF_URL  # the title links to it
    assert hounslow.sources == (PAGE, PDF_URL)

    assert "a drop-in with a GP, youth workers" in well.text
    assert "do not index me" not in well.text and "Follow us on Twitter" not in well.text
    assert well.url == WELL_FINAL  # was only an anchor on the source page
    assert well.sources == (PAGE, WELL_FINAL)
    assert well.boroughs == ("Lambeth",)  # Streatham, named only in the linked page

    assert broken.text == "Broken one\n\nIts PDF is damaged. PDF"
    assert broken.sources == (PAGE,)
    assert broken.url == f"{PAGE}#video"


def test_merge_matches_final_url_and_skips_repeated_paragraphs() -> None:
    case = CaseStudy(id="c", title="T", section="S", url=f"{PAGE}#s", text="T\n\nSame para.",
                     links=(WELL_FINAL,), sources=(PAGE,))
    doc = LinkedDocument(url=WELL_URL, final_url=WELL_FINAL, text="Same para.\n\nNew in Croydon.")
    (merged,) = merge_linked([case], [doc, LinkedDocument(url="https://elsewhere/x", text="Other.")])
    assert merged.text == "T\n\nSame para.\n\nNew in Croydon."
    assert merged.boroughs == ("Croydon",)
    assert merge_linked([case], [LinkedDocument(url=WELL_FINAL, text="  ")]) == [case]


def test_themes_are_found_again_in_the_merged_text() -> None:
    case = CaseStudy(id="c", title="T", section="S", url=f"{PAGE}#s", text="T\n\nAnxiety clinic.",
                     links=(WELL_URL,), sources=(PAGE,), themes=("mental-health",))
    doc = LinkedDocument(url=WELL_URL, text="Young people had their vaccines.")
    (merged,) = merge_linked([case], [doc])
    assert merged.themes == ("mental-health", "vaccination", "children-and-young-people")


def test_duplicate_ids_after_parsing_are_named(
    tmp_path: Path, documents_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    twin = CaseStudy(id="twin", title="T", section="S", url=PAGE, text="T")
    monkeypatch.setattr(corpus_module, "parse_page", lambda html, url: [twin, twin])
    with pytest.raises(ParseError, match="Duplicate case study ids: twin"):
        build_corpus(_snapshot(tmp_path, documents_dir))


def test_document_text_extraction(documents_dir: Path) -> None:
    pdf = (documents_dir / "hounslow-vaccine-case-study.pdf").read_bytes()
    text = pdf_to_text(pdf)
    assert text.startswith("Hounslow mosques vaccine outreach")
    assert text.count("\n\n") == 1  # one paragraph a page here
    assert pdf_to_text(pdf[:200]) == ""
    assert pdf_to_text(b"") == ""
    assert html_to_text("<div>plain <b>text</b></div>") == "plain text"
    assert html_to_text("") == ""
