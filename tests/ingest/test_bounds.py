"""The crawler is bounded by what arrives, not by what a server claims: compressed bodies
count as they inflate, a long robots.txt is read to RFC 9309's 500 KiB and obeyed, and a
redirect's target is checked against its own site's robots.txt."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from site_server import SITE_DIR, Handler, SiteServer, page, redirect, serve_site
from test_crawl import RecordingSleep, by_url, make_settings

from casebook.hashing import sha256_bytes
from casebook.ingest.crawl import CrawlReport, crawl
from casebook.ingest.inflate import STEP, Decoder, Overflow, Undecodable
from casebook.ingest.robots import MAX_ROBOTS_BYTES, policy_from_response

REPO = Path(__file__).resolve().parents[2]
SMALL = (SITE_DIR / "small.html").read_bytes()
INFLATED = 256 * 1024 * 1024  # what the bomb inflates to; main held all of it, twice
FILE_LIMIT = 1_000_000
GENEROUS_S = 120.0  # a bound on a hang, never on speed


def gzipped(chunks: Iterator[bytes], level: int = 9) -> bytes:
    packer = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return b"".join([*(packer.compress(c) for c in chunks), packer.flush()])


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """Zeros, gzipped twice: a few KB on the wire, INFLATED bytes once both layers are undone."""
    zeros = bytes(16 * 1024 * 1024)
    inner = gzipped((zeros for _ in range(INFLATED // len(zeros))), level=1)
    return gzipped(iter([inner]))


@pytest.fixture
def site() -> Iterator[SiteServer]:
    with serve_site() as server:
        yield server


def encoded(body: bytes, encoding: str, content_type: str = "text/html") -> object:
    """A route that serves `body` with `Content-Encoding: encoding`."""
    return lambda h: h.send(200, body, content_type, {"Content-Encoding": encoding})


def run(site: SiteServer, tmp_path: Path, path: str, **overrides: object) -> CrawlReport:
    return crawl(site.url(path), tmp_path / "out", make_settings(**overrides),
                 sleep=RecordingSleep())


# --- compressed bodies ------------------------------------------------------------------

def test_a_gzip_gzip_bomb_is_refused_as_too_large_in_bounded_memory(
        site: SiteServer, tmp_path: Path, bomb: bytes) -> None:
    assert len(bomb) < 4000  # the finding's was 1,827 bytes for 1 GiB
    site.routes["/bomb"] = encoded(bomb, "gzip, gzip")
    script = f"""
import json, resource, sys
from pathlib import Path
from casebook.ingest.crawl import crawl, make_client
from casebook.settings import Settings

settings = Settings(crawl_delay_s=0, crawl_retries=0, crawl_timeout_s=60,
                    crawl_max_file_bytes={FILE_LIMIT})
out = Path(sys.argv[2])
with make_client(settings) as client:
    crawl(sys.argv[1] + "/small.html", out / "warm", settings, client)  # imports, TLS, buffers
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = crawl(sys.argv[1] + "/bomb", out / "bomb", settings, client)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"grew_kib": after - before, "fetched": report.fetched,
                  "skipped": {{s.url: s.reason for s in report.skipped}}}}))
"""
    done = subprocess.run([sys.executable, "-c", script, site.base_url, str(tmp_path)],
                          cwd=REPO, capture_output=True, text=True, timeout=GENEROUS_S)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["fetched"] == 0
    assert result["skipped"] == {site.url("/bomb"): f"too large (over {FILE_LIMIT} bytes)"}
    print(f"RSS grew by {result['grew_kib']} KiB")
    assert result["grew_kib"] < 48 * 1024, result  # main grew by over 500 MB here


def test_each_layer_counts_as_it_inflates(bomb: bytes) -> None:
    decoder = Decoder("gzip, gzip", FILE_LIMIT)
    pieces: list[int] = []
    with pytest.raises(Overflow):
        for piece in decoder.feed(bomb):
            pieces.append(len(piece))
    assert max(pieces) <= STEP  # no single step balloons
    assert sum(pieces) <= FILE_LIMIT and max(decoder.produced) <= FILE_LIMIT + STEP


@pytest.mark.parametrize("encoding", ["gzip", "x-gzip", "GZip", "deflate", "gzip, gzip",
                                      "deflate, gzip", "identity", "gzip, identity", ""])
def test_encoded_bodies_decode_exactly_in_any_chunking(encoding: str) -> None:
    body = SMALL * 20
    for name in [n.strip().lower() for n in encoding.split(",")]:
        if name in ("gzip", "x-gzip"):
            body = gzip.compress(body)
        elif name == "deflate":
            body = zlib.compress(body)
    for size in (1, 7, 4096, len(body)):
        decoder = Decoder(encoding, len(SMALL) * 20)
        chunks = [body[i:i + size] for i in range(0, len(body), size)]
        assert b"".join(p for c in chunks for p in decoder.feed(c)) == SMALL * 20


def test_raw_deflate_without_its_zlib_wrapper_decodes() -> None:
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    raw = packer.compress(SMALL) + packer.flush()
    assert b"".join(Decoder("deflate", 10_000).feed(raw)) == SMALL


@pytest.mark.parametrize(("encoding", "body", "reason"), [
    ("br", b"\x0b\x02\x80hello\x03", "unsupported Content-Encoding br"),
    ("gzip, zstd", b"x", "unsupported Content-Encoding zstd"),
    ("gzip, gzip, gzip, gzip", b"x", "4 layers of Content-Encoding (at most 3)"),
    ("gzip", b"not gzip at all", "the body is not valid gzip"),
])
def test_what_cannot_be_undone_is_refused(encoding: str, body: bytes, reason: str) -> None:
    with pytest.raises(Undecodable, match=re.escape(reason)):
        list(Decoder(encoding, 10_000).feed(body))


def test_compressed_pages_are_saved_decoded(site: SiteServer, tmp_path: Path) -> None:
    site.routes["/small.html"] = encoded(gzip.compress(SMALL), "gzip")
    site.routes["/case-studies/bromley-by-bow.html"] = encoded(
        zlib.compress((SITE_DIR / "case-studies/bromley-by-bow.html").read_bytes()), "deflate")
    report = run(site, tmp_path, "/small.html")
    files = {f.url: f for f in report.files}
    assert files[site.url("/small.html")].sha256 == sha256_bytes(SMALL)
    case = files[site.url("/case-studies/bromley-by-bow.html")]
    assert (tmp_path / "out" / case.path).read_bytes().startswith(b"<!")
    assert {h.get("Accept-Encoding") for h in site.headers_seen} == {"gzip, deflate"}


def test_a_body_in_an_encoding_we_cannot_undo_is_skipped(site: SiteServer, tmp_path: Path) -> None:
    site.routes["/small.html"] = encoded(b"\x0b\x02\x80hello\x03", "br")
    report = run(site, tmp_path, "/small.html")
    assert by_url(report) == {site.url("/small.html"): "unsupported Content-Encoding br"}


# --- robots.txt -------------------------------------------------------------------------

# Disallow: / at the top of 600 KiB and more, as the finding's (main read it as "no rules")
LONG_ROBOTS = b"User-agent: *\nDisallow: /\n" + (b"# padding " + b"x" * 90 + b"\n") * 6200


def _stream_robots(h: Handler) -> None:
    h.send_response(200)  # no Content-Length: the client only learns the size by reading
    h.send_header("Content-Type", "text/plain")
    h.end_headers()
    for start in range(0, len(LONG_ROBOTS), 8192):
        h.wfile.write(LONG_ROBOTS[start:start + 8192])


@pytest.mark.parametrize("how", ["content-length", "streamed", "gzip"])
def test_a_robots_txt_over_500_kib_is_read_to_500_kib_and_obeyed(
        site: SiteServer, tmp_path: Path, how: str) -> None:
    assert len(LONG_ROBOTS) > 600 * 1024
    site.routes["/robots.txt"] = {
        "content-length": lambda h: h.send(200, LONG_ROBOTS, "text/plain"),
        "streamed": _stream_robots,
        "gzip": encoded(gzip.compress(LONG_ROBOTS), "gzip", "text/plain"),
    }[how]
    report = run(site, tmp_path, "/index.html")
    assert site.paths == ["/robots.txt"] and report.fetched == 0
    assert by_url(report) == {site.url("/index.html"): "disallowed by robots.txt"}


def test_robots_rules_past_500_kib_are_not_read_and_a_cut_line_is_dropped() -> None:
    head = b"User-agent: *\nDisallow: /private/\n"
    pad = b"# " + b"x" * (MAX_ROBOTS_BYTES - len(head) - 20) + b"\n"
    cut = b"Allow: /private/public-part-of-it\n"  # crosses the cap: half an Allow is not one
    policy = policy_from_response(200, head + pad + cut + b"Disallow: /later/\n", "Bot")
    assert not policy.allowed("http://s.test/private/p")
    assert policy.allowed("http://s.test/later/x")  # past the cap: not read


# --- redirects and robots.txt -------------------------------------------------------------

HUB = """<main><a href="/moved">Moved</a> <a href="/case-studies/bromley-by-bow.html">Case</a>
<a href="/away">Away</a></main>"""


def test_a_redirect_to_a_path_robots_disallows_is_not_followed(
        site: SiteServer, tmp_path: Path) -> None:
    site.routes["/hub.html"] = page(HUB)
    site.routes["/moved"] = redirect("/private/draft.html")  # robots.txt: Disallow: /private/
    report = run(site, tmp_path, "/hub.html")
    assert "/private/draft.html" not in site.paths and "/moved" in site.paths
    assert by_url(report)[site.url("/moved")] == (
        f"redirected to {site.url('/private/draft.html')}: disallowed by robots.txt")
    assert site.url("/moved") not in {s.url for s in report.failed}  # policy, not an error
    assert site.url("/case-studies/bromley-by-bow.html") in [f.url for f in report.files]


def test_a_redirect_to_another_site_obeys_that_sites_robots_txt(
        site: SiteServer, tmp_path: Path) -> None:
    """The operator lists a second host; a redirect there reads its own robots.txt first."""
    site.routes["/hub.html"] = page(HUB)
    other = f"alias.test:{site.port}"
    site.routes["/away"] = redirect(f"http://{other}/private/draft.html")
    report = crawl(site.url("/hub.html"), tmp_path / "out",
                   make_settings(crawl_allowed_hosts=["alias.test"]), sleep=RecordingSleep(),
                   resolve=lambda host, port: ["127.0.0.1"])
    robots_hosts = [h["Host"] for path, h in zip(site.paths, site.headers_seen)
                    if path == "/robots.txt"]
    assert robots_hosts == [f"127.0.0.1:{site.port}", other]
    assert "/private/draft.html" not in site.paths
    assert by_url(report)[site.url("/away")] == (
        f"redirected to http://{other}/private/draft.html: disallowed by robots.txt")
