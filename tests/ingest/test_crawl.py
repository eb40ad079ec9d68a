"""The crawler against a real loopback web server serving tests/fixtures/site/."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pypdf
import pytest
from site_server import SITE_DIR, SiteServer, serve_site, status, text

from casebook.errors import CrawlError
from casebook.hashing import sha256_bytes
from casebook.ingest.crawl import (
    CrawlReport,
    crawl,
    make_client,
    snapshot_name,
)
from casebook.ingest.html import page_links
from casebook.ingest.live import crawl_snapshot
from casebook.ingest.robots import product_token
from casebook.ingest.snapshot import read_file, read_manifest
from casebook.settings import Settings

UA = "CasebookTest/9.9 (+https://example.invalid/casebook)"
CASE = "/case-studies/bromley-by-bow.html"
PDF = "/docs/hounslow-mosque.pdf"
GONE = "/case-studies/lambeth-peer-support.html"  # linked, but 404


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "user_agent": UA,
        "crawl_delay_s": 0.0,
        "crawl_timeout_s": 0.2,  # /slow takes far longer
        "crawl_retries": 1,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


class RecordingSleep:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def site() -> Iterator[SiteServer]:
    with serve_site() as server:
        yield server


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


def run(site: SiteServer, tmp_path: Path, page: str = "/index.html",
        sleep: RecordingSleep | None = None, **overrides: object) -> CrawlReport:
    """Crawl `page` of the fixture site into tmp_path/out with test settings."""
    settings = make_settings(**overrides)
    return crawl(site.url(page), tmp_path / "out", settings, sleep=sleep or RecordingSleep())


def by_url(report: CrawlReport) -> dict[str, str]:
    return {s.url: s.reason for s in report.skipped}


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_fixture_pdf_is_a_real_pdf_with_text() -> None:
    reader = pypdf.PdfReader(io.BytesIO((SITE_DIR / PDF[1:]).read_bytes()))
    assert "social prescribing at the mosque" in reader.pages[0].extract_text()


def test_crawl_saves_start_page_case_studies_and_pdf(site: SiteServer, tmp_path: Path) -> None:
    report = run(site, tmp_path)
    out = tmp_path / "out"
    manifest = read_manifest(out)
    files = {f.url: f for f in manifest.files}
    start, case, pdf, moved = (site.url(p) for p in ("/index.html", CASE, PDF, "/old-case-study"))
    assert list(files) == [start, case, pdf, moved]
    assert report.fetched == 4 and report.files == manifest.files and manifest.start.url == start
    assert {u: f.content_type for u, f in files.items()} == {
        start: "text/html", case: "text/html", pdf: "application/pdf", moved: "text/html"}
    for f in manifest.files:
        assert read_file(out, f) == (out / f.path).read_bytes()  # sha256 checked by read_file
        assert f.path.endswith(".pdf" if f.content_type == "application/pdf" else ".html")
    assert files[pdf].sha256 == sha256_bytes((SITE_DIR / PDF[1:]).read_bytes())
    assert files[case].sha256 == sha256_bytes((SITE_DIR / CASE[1:]).read_bytes())
    assert files[moved].final_url == site.url("/case-studies/camden-gardening.html")
    assert files[case].final_url == "" and files[start].linked_from == ""
    assert files[case].linked_from == start and files[pdf].linked_from == start
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([*(f.path for f in manifest.files), "manifest.json"])
    assert report.bytes == sum(len((out / f.path).read_bytes()) for f in manifest.files)
    assert report.duration_s > 0


def test_crawl_records_why_it_skipped_each_link(site: SiteServer, tmp_path: Path) -> None:
    report = run(site, tmp_path)
    skipped = by_url(report)
    assert {s.url: s.reason for s in read_manifest(tmp_path / "out").skipped} == skipped
    assert skipped == {
        site.url(GONE): "404 Not Found",
        site.url("/slow"): "timeout after 1 retry",
        site.url("/private/draft.html"): "disallowed by robots.txt",
    }
    assert {s.url for s in report.failed} == {site.url(GONE), site.url("/slow")}
    assert report.linked_failure_ratio == pytest.approx(2 / 5)


def test_crawl_stays_on_site_out_of_chrome_and_robots(site: SiteServer, tmp_path: Path) -> None:
    run(site, tmp_path)
    assert site.paths == [
        "/robots.txt", "/index.html", CASE, PDF, GONE,
        "/old-case-study", "/case-studies/camden-gardening.html",  # the redirect, followed
        "/slow", "/slow",  # timed out, retried once
    ]
    assert "/private/draft.html" not in site.paths


def test_page_links_skips_chrome_anchors_and_other_schemes() -> None:
    html = (SITE_DIR / "index.html").read_bytes()
    base = "http://site.test/index.html"
    assert page_links(html, base) == [
        "http://site.test/case-studies/bromley-by-bow.html",
        "http://site.test/docs/hounslow-mosque.pdf",
        "http://site.test/case-studies/lambeth-peer-support.html",
        "http://site.test/old-case-study",
        "http://site.test/slow",
        "http://site.test/private/draft.html",
        "https://example.org/elsewhere",  # crawl() drops it as off-site
    ]
    with_base = '<base href="/x/"><a href="a.html#p">a</a>'
    assert page_links(with_base, "http://s.test/") == ["http://s.test/x/a.html"]


def test_snapshot_names_are_safe_and_typed() -> None:
    assert snapshot_name("http://s.test/", "text/html") == "index.html"
    assert snapshot_name("http://s.test/a/b%20c.aspx", "text/html") == "a_b-c.html"
    assert snapshot_name("http://s.test/../../etc/passwd", "application/pdf") == "etc_passwd.pdf"
    one, two = (snapshot_name(f"http://s.test/p?id={n}", "text/html") for n in (1, 2))
    assert one != two and one.startswith("p-") and one.endswith(".html")


def test_user_agent_is_sent_by_own_and_injected_clients(site: SiteServer, tmp_path: Path) -> None:
    run(site, tmp_path, "/small.html")
    with httpx.Client(base_url=site.base_url, timeout=1.0) as client:
        crawl(site.url("/small.html"), tmp_path / "again", make_settings(), client,
              sleep=RecordingSleep())
    assert len(site.requests) == 8
    assert {agent for _, agent in site.requests} == {UA}
    assert product_token(UA) == "CasebookTest"


def test_delay_between_requests(site: SiteServer, tmp_path: Path, sleep: RecordingSleep) -> None:
    run(site, tmp_path, "/small.html", sleep, crawl_delay_s=0.25)
    assert len(site.requests) == 4  # robots.txt, the page, a case study, a PDF
    assert sleep.calls == [0.25, 0.25, 0.25]


def test_longer_robots_crawl_delay_wins(site: SiteServer, tmp_path: Path,
                                       sleep: RecordingSleep) -> None:
    site.routes["/robots.txt"] = text("User-agent: CasebookTest\nCrawl-delay: 2\nDisallow: /x\n")
    run(site, tmp_path, "/small.html", sleep, crawl_delay_s=0.25)
    assert sleep.calls == [2.0, 2.0, 2.0]  # robots.txt is read before the first pause


def test_retries_with_backoff(site: SiteServer, tmp_path: Path, sleep: RecordingSleep) -> None:
    report = run(site, tmp_path, "/flaky", sleep, crawl_retries=3)
    assert report.fetched == 1 and report.start_error == ""
    assert site.hits["/flaky"] == 3
    assert sleep.calls == [1.0, 2.0]


def test_retry_after_is_respected(site: SiteServer, tmp_path: Path, sleep: RecordingSleep) -> None:
    report = run(site, tmp_path, "/busy", sleep, crawl_retries=2)
    assert report.fetched == 1 and sleep.calls == [3.0]


def test_gives_up_on_5xx_and_never_retries_404(site: SiteServer, tmp_path: Path,
                                               sleep: RecordingSleep) -> None:
    report = run(site, tmp_path, "/broken", sleep, crawl_retries=2)
    assert site.hits["/broken"] == 3 and sleep.calls == [1.0, 2.0]
    assert by_url(report) == {site.url("/broken"): "500 Internal Server Error after 2 retries"}
    assert "500 Internal Server Error" in report.start_error
    run(site, tmp_path / "b", GONE, sleep, crawl_retries=2)
    assert site.hits[GONE] == 1


def test_max_pages(site: SiteServer, tmp_path: Path) -> None:
    report = run(site, tmp_path, crawl_max_pages=2)
    assert report.fetched == 2
    assert site.paths == ["/robots.txt", "/index.html", CASE]
    reasons = by_url(report)
    assert len(reasons) == 5
    assert set(reasons.values()) == {"not fetched: the crawl's page limit (2) was reached"}
    assert report.failed == ()


def test_per_file_byte_limit_and_content_types(site: SiteServer, tmp_path: Path) -> None:
    report = run(site, tmp_path, "/limits.html", crawl_max_file_bytes=1000)
    assert [f.url for f in report.files] == [site.url("/limits.html"), site.url(CASE)]
    assert by_url(report) == {
        site.url("/big"): "too large (over 1000 bytes)",
        site.url("/big-stream"): "too large (over 1000 bytes)",
        site.url("/notes.txt"): "unsupported content type text/plain",
    }


def test_total_byte_limit(site: SiteServer, tmp_path: Path) -> None:
    pages = ("small.html", "case-studies/bromley-by-bow.html")
    used = sum(len((SITE_DIR / page).read_bytes()) for page in pages)
    limit = used + 300
    assert len((SITE_DIR / PDF[1:]).read_bytes()) > 300 and limit >= 1000
    report = run(site, tmp_path, "/small.html", crawl_max_bytes=limit)
    assert [f.url for f in report.files] == [site.url("/" + page) for page in pages]
    assert by_url(report) == {site.url(PDF): f"not fetched: the crawl's byte limit ({limit}) was reached"}
    assert report.bytes <= limit and report.failed == ()


def test_depth_two_follows_links_of_linked_pages(site: SiteServer, tmp_path: Path) -> None:
    report = crawl(site.url("/small.html"), tmp_path / "out", make_settings(), max_depth=2,
                   sleep=RecordingSleep())
    assert site.url("/case-studies/deeper.html") in [f.url for f in report.files]
    assert site.paths.count("/index.html") == 1  # linked back from the case study, fetched once


@pytest.mark.parametrize("code", [500, 503])
def test_robots_5xx_disallows_everything(site: SiteServer, tmp_path: Path, code: int) -> None:
    site.routes["/robots.txt"] = status(code)
    report = run(site, tmp_path, crawl_retries=0)
    assert site.paths == ["/robots.txt"] and report.fetched == 0
    assert by_url(report)[site.url("/index.html")].startswith("disallowed by robots.txt")
    assert report.start_error


def test_missing_robots_allows_everything(site: SiteServer, tmp_path: Path) -> None:
    site.routes["/robots.txt"] = status(404)
    report = run(site, tmp_path)
    assert site.url("/private/draft.html") in [f.url for f in report.files]


def test_out_dir_must_be_new(site: SiteServer, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.html").write_text("old")
    with pytest.raises(CrawlError, match="not empty"):
        run(site, tmp_path)


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    snapshot = tmp_path / "corpus" / "snapshot"
    snapshot.mkdir(parents=True)
    (snapshot / "manifest.json").write_text('{"source_url": "old", "created_at": "x", "files": []}\n')
    (snapshot / "old.html").write_bytes(b"<p>the previous snapshot</p>")
    return snapshot


def test_crawl_snapshot_swaps_in_a_good_crawl(site: SiteServer, previous: Path) -> None:
    report, checked = crawl_snapshot(site.url("/index.html"), previous, make_settings(),
                                     check=read_manifest, sleep=RecordingSleep())
    assert report.out_dir == previous and report.fetched == 4
    assert checked.files == report.files  # what the check returned, from the new snapshot
    assert read_manifest(previous).source_url == site.url("/index.html")
    assert not (previous / "old.html").exists()
    assert [p.name for p in previous.parent.iterdir()] == ["snapshot"]


def test_crawl_snapshot_into_a_fresh_corpus(site: SiteServer, tmp_path: Path) -> None:
    target = tmp_path / "snapshot"
    with make_client(make_settings()) as client:
        crawl_snapshot(site.url("/small.html"), target, make_settings(), client,
                       check=read_manifest, sleep=RecordingSleep())
    assert len(read_manifest(target).files) == 3


@pytest.mark.parametrize("case", ["start page 500", "server down", "too many failures", "start is a PDF"])
def test_failed_crawl_keeps_previous_snapshot(site: SiteServer, previous: Path, case: str) -> None:
    before = tree(previous.parent)
    url, ratio = site.url("/index.html"), 0.5
    if case == "start page 500":
        url = site.url("/broken")
    elif case == "server down":
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{sock.getsockname()[1]}/index.html"
    elif case == "too many failures":
        ratio = 0.3
    else:
        url = site.url(PDF)
    with pytest.raises(CrawlError) as info:
        crawl_snapshot(url, previous, make_settings(), check=read_manifest,
                       max_failure_ratio=ratio, sleep=RecordingSleep())
    message = str(info.value)
    assert f"The previous snapshot in {previous} is untouched." in message
    assert "casebook ingest --live" in message and url in message
    assert tree(previous.parent) == before  # byte for byte, and no temporary directory left
    if case == "server down":
        assert "robots.txt unreachable (connection failed" in message
