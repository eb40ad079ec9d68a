"""`casebook ingest` end to end: --from a saved snapshot, --live against a loopback site."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest
from click.testing import Result
from loopback_site import CORPUS_DIR, Site
from typer.testing import CliRunner

from casebook.cli.main import app
from casebook.ingest.snapshot import read_manifest

COMMITTED = CORPUS_DIR / "case_studies.jsonl"
FIXTURE_IDS = [  # the case studies on tests/fixtures/site/index.html, in page order
    "bromley-by-bow-centre", "hounslow-mosque-outreach", "lambeth-peer-support",
    "camden-community-gardening", "hackney-walking-football", "draft",
]
CHROME = ["/", "/about.html", "/our-work/", "/privacy.html", "/contact.html"]


def invoke(corpus: Path, *args: str, **env: str) -> Result:
    environ = {
        "CASEBOOK_CORPUS_DIR": str(corpus),
        "CASEBOOK_CRAWL_DELAY_S": "0",
        "CASEBOOK_CRAWL_RETRIES": "0",  # a retry would sleep for its backoff
        "CASEBOOK_CRAWL_TIMEOUT_S": "5",
        **env,
    }
    return CliRunner().invoke(app, ["ingest", *args], env=environ)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` by relative path, with its bytes."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p.relative_to(root)): p.read_bytes() for p in files}


def test_from_snapshot_rebuilds_the_committed_corpus(corpus: Path, tmp_path: Path) -> None:
    snapshot = tmp_path / "saved"
    shutil.copytree(corpus / "snapshot", snapshot)

    result = invoke(corpus, "--from", str(snapshot))

    assert result.exit_code == 0, result.output
    written = corpus / "case_studies.jsonl"
    assert written.read_bytes() == COMMITTED.read_bytes()
    assert (corpus / "page.json").read_bytes() == (CORPUS_DIR / "page.json").read_bytes()
    assert len(written.read_text(encoding="utf-8").splitlines()) == 34
    assert f"Wrote 34 case studies to {written}" in result.stdout


def test_from_snapshot_json_report(corpus: Path) -> None:
    result = invoke(corpus, "--from", str(corpus / "snapshot"), "--json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"case_studies": 34,
                                         "path": str(corpus / "case_studies.jsonl")}


def test_live_swaps_in_a_new_snapshot_and_writes_the_corpus(site: Site, corpus: Path) -> None:
    start = site.url("/index.html")

    result = invoke(corpus, "--live", start)

    assert result.exit_code == 0, result.output
    snapshot = corpus / "snapshot"
    manifest = read_manifest(snapshot)
    assert manifest.source_url == start
    saved = {f.url: f for f in manifest.files}
    assert saved[start].linked_from == ""
    pdf = saved[site.url("/docs/hounslow-mosque.pdf")]
    page = saved[site.url("/case-studies/bromley-by-bow.html")]
    assert (pdf.content_type, page.content_type) == ("application/pdf", "text/html")
    assert (snapshot / pdf.path).read_bytes().startswith(b"%PDF-")
    assert (snapshot / page.path).is_file()
    assert not (snapshot / "social-prescribing-case-studies.html").exists()  # the old snapshot's
    assert sorted(p.name for p in corpus.iterdir()) == ["case_studies.jsonl", "page.json",
                                                        "snapshot"]

    lines = (corpus / "case_studies.jsonl").read_text(encoding="utf-8").splitlines()
    written = {case["id"]: case for case in map(json.loads, lines)}
    assert list(written) == FIXTURE_IDS
    assert pdf.url in written["hounslow-mosque-outreach"]["sources"]  # merged into its case study
    assert page.url in written["bromley-by-bow-centre"]["sources"]
    assert f"Crawled {start}: {len(manifest.files)} documents kept" in result.stdout
    assert f"Wrote {len(FIXTURE_IDS)} case studies" in result.stdout


def test_live_without_a_url_crawls_the_configured_source(site: Site, corpus: Path) -> None:
    start = site.url("/index.html")

    result = invoke(corpus, "--live", "--json", CASEBOOK_SOURCE_URL=start)

    assert result.exit_code == 0, result.output
    assert read_manifest(corpus / "snapshot").source_url == start
    report = json.loads(result.stdout)
    assert report["case_studies"] == len(FIXTURE_IDS)
    assert report["crawl"]["fetched"] == len(read_manifest(corpus / "snapshot").files)


def test_live_does_not_need_the_page_chrome(site: Site, corpus: Path) -> None:
    # Header, nav and footer links (/about.html exists, /privacy.html does not) are never fetched.
    result = invoke(corpus, "--live", site.url("/index.html"))

    assert result.exit_code == 0, result.output
    assert not set(CHROME) & set(site.paths)
    manifest = read_manifest(corpus / "snapshot")
    listed = {f.url for f in manifest.files} | {s.url for s in manifest.skipped}
    assert not {site.url(path) for path in CHROME} & listed


RETRY_HINT = "then run `casebook ingest --live URL` again"
PARSE_HINT = "Check that the snapshot holds the case studies page"


@pytest.mark.parametrize(("failure", "hint"), [
    ("start page 500", RETRY_HINT),
    ("closed port", RETRY_HINT),
    ("not the case studies page", PARSE_HINT),
], ids=["start-page-500", "closed-port", "not-case-studies-page"])
def test_failed_live_crawl_leaves_snapshot_and_corpus_untouched(
    site: Site, corpus: Path, failure: str, hint: str,
) -> None:
    assert invoke(corpus, "--from", str(corpus / "snapshot")).exit_code == 0
    snapshot, cases = tree(corpus / "snapshot"), (corpus / "case_studies.jsonl").read_bytes()
    start, error = site.url("/index.html"), "The crawl of {} failed"
    if failure == "closed port":
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            start = f"http://127.0.0.1:{sock.getsockname()[1]}/index.html"
    elif failure == "start page 500":
        site.statuses["/index.html"] = 500
    else:  # fetched fine, but has no case studies: it must not replace the good snapshot
        start, error = site.url("/small.html"), "The snapshot crawled from {} is unusable"

    result = invoke(corpus, "--live", start)

    assert result.exit_code == 1
    assert result.stderr.startswith("Error: " + error.format(start))
    assert f"The previous snapshot in {corpus / 'snapshot'} is untouched." in result.stderr
    assert hint in result.stderr.splitlines()[-1]
    assert "Traceback" not in result.output
    assert tree(corpus / "snapshot") == snapshot
    assert (corpus / "case_studies.jsonl").read_bytes() == cases
    assert sorted(p.name for p in corpus.iterdir()) == ["case_studies.jsonl", "page.json",
                                                        "snapshot"]


def test_live_refuses_a_crawl_that_shrinks_the_corpus_unless_allowed(site: Site, corpus: Path) -> None:
    assert invoke(corpus, "--from", str(corpus / "snapshot")).exit_code == 0  # 34 case studies
    before = tree(corpus)

    refused = invoke(corpus, "--live", site.url("/index.html"))

    assert refused.exit_code == 1
    assert "lost 34 of the 34 case studies" in refused.stderr
    assert "a-high-intensity-user-service-for-individuals-with-complex (A High" in refused.stderr
    assert "--allow-shrink" in refused.stderr.splitlines()[-1]
    assert tree(corpus) == before

    allowed = invoke(corpus, "--live", site.url("/index.html"), "--allow-shrink")

    assert allowed.exit_code == 0, allowed.output
    assert f"Wrote {len(FIXTURE_IDS)} case studies" in allowed.stdout


@pytest.mark.parametrize("args", [
    ["--from", "corpus/snapshot", "--allow-shrink"],
    ["--live", "http://127.0.0.1:9/", "--from", "corpus/snapshot"],
    ["--live", "--from", "corpus/snapshot"],
    ["http://127.0.0.1:9/"],  # a URL without --live
])
def test_usage_errors(corpus: Path, args: list[str]) -> None:
    result = invoke(corpus, *args)

    assert result.exit_code == 2
    assert not (corpus / "case_studies.jsonl").exists()


def test_from_a_directory_without_manifest(corpus: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()

    result = invoke(corpus, "--from", str(empty))

    assert result.exit_code == 1
    assert f"Error: No snapshot manifest at {empty / 'manifest.json'}." in result.stderr
    assert not (corpus / "case_studies.jsonl").exists()


def test_help_lists_live_and_from(corpus: Path) -> None:
    result = invoke(corpus, "--help")

    assert result.exit_code == 0
    assert "--live" in result.stdout and "--from" in result.stdout
