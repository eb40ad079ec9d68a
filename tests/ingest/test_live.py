"""`ingest --live` against a hostile loopback site: redirects to an internal host or another
port, DNS that rebinds, trickling pages, a crawl that shrinks the corpus, and SIGTERM
mid-crawl. corpus/ must not change."""

from __future__ import annotations

import os
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from site_server import SiteServer, page, redirect, serve_site

from casebook.errors import CrawlError
from casebook.ingest.corpus import load_case_studies, write_case_studies
from casebook.ingest.crawl import crawl
from casebook.ingest.live import (
    CrawlShrunk,
    check_shrink,
    crawl_snapshot,
    ingest_live,
    temporary_dirs,
)
from casebook.ingest.snapshot import read_manifest
from casebook.records import CaseStudy
from casebook.settings import Settings

REPO = Path(__file__).resolve().parents[2]
FIXTURE_IDS = ["bromley-by-bow-centre", "hounslow-mosque-outreach", "lambeth-peer-support",
               "camden-community-gardening", "hackney-walking-football", "draft"]
GENEROUS_S = 60.0  # a bound on a hang, never on speed


@pytest.fixture
def site() -> Iterator[SiteServer]:
    with serve_site() as server:
        yield server


@pytest.fixture
def internal(site: SiteServer) -> Iterator[SiteServer]:
    """Another loopback host, on the site's port (so only its address can be what refuses
    it): the stand-in for a metadata service or an intranet machine."""
    with serve_site(host="127.0.0.2", port=site.port) as server:
        yield server


@pytest.fixture
def other_port() -> Iterator[SiteServer]:
    """Another service on the site's own address: an admin console, a database."""
    with serve_site() as server:
        yield server


def settings_for(corpus: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"corpus_dir": corpus, "crawl_delay_s": 0.0,
                                 "crawl_retries": 0,
                                 "crawl_timeout_s": 0.5}  # /slow times out; TRICKLE_S does not
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def tree(root: Path) -> dict[str, bytes]:
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def corpus(tmp_path: Path, site: SiteServer) -> Path:
    """A corpus crawled from the fixture site: its snapshot and six case studies."""
    root = tmp_path / "corpus"
    done = ingest_live(site.url("/index.html"), settings_for(root), sleep=lambda s: None)
    write_case_studies(root / "case_studies.jsonl", done.cases)
    assert [c.id for c in done.cases] == FIXTURE_IDS
    site.requests.clear()
    return root


def run_live(start: str, corpus: Path, **overrides: object) -> tuple[Exception | None, float]:
    """ingest_live in a thread, so a hang fails the test instead of stalling the suite."""
    outcome: list[Exception | None] = [None]

    def target() -> None:
        try:
            ingest_live(start, settings_for(corpus, **overrides), sleep=lambda s: None)
        except Exception as exc:  # noqa: BLE001 - handed to the test to inspect
            outcome[0] = exc

    began = time.monotonic()
    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(GENEROUS_S)
    assert not worker.is_alive(), f"the crawl still hung after {GENEROUS_S}s"
    return outcome[0], time.monotonic() - began


def test_a_redirect_to_an_internal_host_is_never_followed(
        site: SiteServer, internal: SiteServer, corpus: Path) -> None:
    site.routes["/moved"] = redirect(internal.url("/latest/meta-data/iam/security-credentials/"))
    before = tree(corpus)

    error, _ = run_live(site.url("/moved"), corpus)

    assert isinstance(error, CrawlError)
    assert "refused: 127.0.0.2 is not one of the crawl's hosts" in error.message
    assert internal.requests == []
    assert tree(corpus) == before


def test_a_listed_host_is_still_refused_when_it_is_internal(
        site: SiteServer, internal: SiteServer, corpus: Path) -> None:
    site.routes["/moved"] = redirect(internal.url("/latest/meta-data/"))
    before = tree(corpus)

    error, _ = run_live(site.url("/moved"), corpus, crawl_allowed_hosts=["127.0.0.2"])

    assert isinstance(error, CrawlError)
    assert "127.0.0.2 resolves to the internal address 127.0.0.2" in error.message
    assert internal.requests == [] and tree(corpus) == before


def test_linked_documents_on_other_hosts_are_never_requested(
        site: SiteServer, internal: SiteServer, tmp_path: Path) -> None:
    site.routes["/hub.html"] = page(f"""<main><h2>Case studies</h2>
        <h3>Bromley by Bow Centre</h3><p>Local groups. <a href="/case-studies/bromley-by-bow.html">More</a></p>
        <h3>Intranet</h3><p>Elsewhere. <a href="{internal.url('/report.pdf')}">Report</a></p>
        <h3>Hop</h3><p>A hop away. <a href="/hop">Hop</a></p></main>""")
    site.routes["/hop"] = redirect(internal.url("/hop-target.html"))
    snapshot = tmp_path / "snapshot"

    report, manifest = crawl_snapshot(site.url("/hub.html"), snapshot, settings_for(tmp_path),
                                      check=read_manifest, sleep=lambda s: None)

    assert internal.requests == [] and manifest.extra["allowed_hosts"] == ["127.0.0.1"]
    assert [f.url for f in manifest.files] == [site.url("/hub.html"),
                                               site.url("/case-studies/bromley-by-bow.html")]
    reasons = {s.url: s.reason for s in report.skipped}
    assert reasons == {site.url("/hop"): "refused: 127.0.0.2 is not one of the crawl's hosts "
                       "(127.0.0.1; add hosts with CASEBOOK_CRAWL_ALLOWED_HOSTS)"}


def test_another_port_of_the_start_host_is_never_requested(
        site: SiteServer, other_port: SiteServer, corpus: Path) -> None:
    site.routes["/moved"] = redirect(other_port.url("/admin/"))
    before = tree(corpus)

    error, _ = run_live(site.url("/moved"), corpus)

    assert isinstance(error, CrawlError)
    assert (f"refused: port {other_port.port} of 127.0.0.1 is not the crawl's port "
            f"({site.port})") in error.message
    assert other_port.requests == [] and tree(corpus) == before


class RebindingDNS:
    """Answers `first` the first time it is asked about `name`, `then` ever after."""

    def __init__(self, name: str, first: str, then: str) -> None:
        self.name, self.first, self.then = name, first, then
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        if host != self.name:
            raise OSError("Name or service not known")
        self.asked.append(host)
        return [self.first if len(self.asked) == 1 else self.then]


def test_each_host_is_looked_up_once_and_connected_to_at_the_checked_address(
        site: SiteServer, internal: SiteServer, tmp_path: Path) -> None:
    """DNS rebinding: the name answers the site's address when checked, then the internal
    host's. No second lookup is made, and every request goes to the checked address with
    the name in its Host header; no system DNS knows casebook.test, so none was asked."""
    dns = RebindingDNS("casebook.test", "127.0.0.1", "127.0.0.2")
    start = f"http://casebook.test:{site.port}/small.html"

    report = crawl(start, tmp_path / "out", settings_for(tmp_path), sleep=lambda s: None,
                   resolve=dns)

    assert dns.asked == ["casebook.test"]
    assert site.paths == ["/robots.txt", "/small.html", "/case-studies/bromley-by-bow.html",
                          "/docs/hounslow-mosque.pdf"]
    assert report.fetched == 3 and internal.requests == []
    assert {h["Host"] for h in site.headers_seen} == {f"casebook.test:{site.port}"}


@pytest.fixture
def tls_site(tmp_path: Path) -> Iterator[tuple[SiteServer, Path, list[str]]]:
    """The site over TLS with a certificate for casebook.test only, the CA file that trusts
    it, and the server names (SNI) its clients asked for."""
    openssl = shutil.which("openssl")
    assert openssl, "the TLS test needs the openssl command (Debian's openssl package)"
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=casebook.test", "-addext", "subjectAltName=DNS:casebook.test",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    names: list[str] = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    with serve_site(tls=context) as server:
        yield server, cert, names


@pytest.mark.parametrize("name", ["casebook.test", "impostor.test"])
def test_https_to_the_checked_address_still_checks_the_certificate_against_the_name(
        tls_site: tuple[SiteServer, Path, list[str]], tmp_path: Path, name: str) -> None:
    site, cert, names = tls_site
    client = httpx.Client(verify=ssl.create_default_context(cafile=str(cert)), timeout=5.0)

    with client:
        report = crawl(f"https://{name}:{site.port}/small.html", tmp_path / "out",
                       settings_for(tmp_path), client, sleep=lambda s: None,
                       resolve=lambda host, port: ["127.0.0.1"])

    assert set(names) == {name}  # the name went out as SNI, not the address
    if name == "casebook.test":
        assert report.fetched == 3
        assert {h["Host"] for h in site.headers_seen} == {f"casebook.test:{site.port}"}
    else:  # checked against the name asked for, not the address connected to
        assert report.fetched == 0 and site.requests == []
        assert "not valid for 'impostor.test'" in report.start_error, report.start_error


@pytest.mark.parametrize("path", ["/trickle", "/trickle-headers"])
def test_a_trickling_start_page_fails_at_its_deadline(
        site: SiteServer, corpus: Path, path: str) -> None:
    before = tree(corpus)

    error, _ = run_live(site.url(path), corpus, crawl_document_deadline_s=1.0)

    assert isinstance(error, CrawlError)
    assert f"The crawl of {site.url(path)} failed" in error.message
    assert "deadline: not complete within 1s" in error.message
    assert tree(corpus) == before and temporary_dirs(corpus / "snapshot") == []


def test_the_crawl_deadline_stops_the_whole_crawl(site: SiteServer, corpus: Path) -> None:
    before = tree(corpus)

    # /slow (linked from index.html) answers after 5 s; the read timeout would allow it
    error, _ = run_live(site.url("/index.html"), corpus, crawl_deadline_s=1.0,
                        crawl_timeout_s=10.0)

    assert isinstance(error, CrawlError)
    assert "did not finish within CASEBOOK_CRAWL_DEADLINE_S (1s)" in error.message
    assert tree(corpus) == before


def test_a_shrunken_crawl_is_refused_naming_what_went_missing(
        site: SiteServer, corpus: Path) -> None:
    before = tree(corpus)

    error, _ = run_live(site.url("/shrunk.html"), corpus)

    assert isinstance(error, CrawlShrunk)
    assert "lost 5 of the 6 case studies" in error.message and "(83%; at most 20%" in error.message
    for case in load_case_studies(corpus / "case_studies.jsonl")[1:]:
        assert f"{case.id} ({case.title})" in error.message
    assert "--allow-shrink" in (error.hint or "")
    assert f"The previous snapshot in {corpus / 'snapshot'} is untouched." in error.message
    assert tree(corpus) == before


def test_allow_shrink_and_a_higher_threshold_accept_it(site: SiteServer, corpus: Path) -> None:
    settings = settings_for(corpus, crawl_max_shrink=0.9)
    done = ingest_live(site.url("/shrunk.html"), settings, sleep=lambda s: None)
    assert [c.id for c in done.cases] == ["bromley-by-bow-centre"]
    again = ingest_live(site.url("/index.html"), settings_for(corpus), sleep=lambda s: None)
    write_case_studies(corpus / "case_studies.jsonl", again.cases)
    done = ingest_live(site.url("/shrunk.html"), settings_for(corpus), allow_shrink=True,
                       sleep=lambda s: None)
    assert len(done.cases) == 1 and read_manifest(corpus / "snapshot").source_url.endswith("/shrunk.html")


def test_stale_temporary_folders_are_removed_at_the_next_start(
        site: SiteServer, corpus: Path) -> None:
    stale = corpus / ".snapshot.new-20200101T000000000000Z"
    stale.mkdir()
    (stale / "index.html").write_text("half a crawl")

    ingest_live(site.url("/index.html"), settings_for(corpus), sleep=lambda s: None)

    assert sorted(p.name for p in corpus.iterdir()) == ["case_studies.jsonl", "snapshot"]


def test_sigterm_mid_crawl_removes_the_temporary_folder(site: SiteServer, corpus: Path) -> None:
    before = tree(corpus)
    env = {**os.environ, "CASEBOOK_CORPUS_DIR": str(corpus), "CASEBOOK_CRAWL_DELAY_S": "0",
           "CASEBOOK_CRAWL_RETRIES": "0", "CASEBOOK_CRAWL_TIMEOUT_S": "30"}
    command = [sys.executable, "-c", "from casebook.cli.main import app; app()",
               "ingest", "--live", site.url("/trickle")]
    proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        waited = time.monotonic()
        while "/trickle" not in site.paths:  # mid-crawl: reading the page that never ends
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() - waited < GENEROUS_S, "the crawl never started"
            time.sleep(0.05)
        assert len(temporary_dirs(corpus / "snapshot")) == 1
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=GENEROUS_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 1, stderr
    assert "was stopped by SIGTERM" in stderr and "Traceback" not in stderr
    assert temporary_dirs(corpus / "snapshot") == []
    assert tree(corpus) == before


def cases(*ids: str) -> list[CaseStudy]:
    return [CaseStudy(id=i, title=i.title(), section="s", url="u", text="t") for i in ids]


@pytest.mark.parametrize(("old", "new", "share", "lost"), [
    ("abcde", "abcde", 0.2, None),
    ("abcde", "abcd", 0.2, None),  # exactly 20% lost: allowed
    ("abcde", "abc", 0.2, "lost 2 of the 5 case studies"),
    ("abcde", "abcxyz", 0.2, "lost 2 of the 5"),  # new ones do not make up for lost ones
    ("abcde", "", 0.0, "lost 5 of the 5"),
    ("abcde", "", 1.0, None),
    ("", "a", 0.0, None),  # nothing to lose
])
def test_check_shrink(old: str, new: str, share: float, lost: str | None) -> None:
    if lost is None:
        check_shrink(cases(*old), cases(*new), share)
    else:
        with pytest.raises(CrawlShrunk, match=lost):
            check_shrink(cases(*old), cases(*new), share)


def test_check_shrink_names_the_first_twenty_and_counts_the_rest() -> None:
    old = cases(*(f"case-{n:02d}" for n in range(30)))
    with pytest.raises(CrawlShrunk) as info:
        check_shrink(old, [], 0.2)
    assert "case-19 (Case-19)" in info.value.message and "case-20" not in info.value.message
    assert info.value.message.endswith("; and 10 more.")
