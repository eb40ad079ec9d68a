"""Crawl the source site into a new snapshot directory: polite, robots-aware, I/O only.

HTTP (retries, backoff, byte limits, deadlines) is in `ingest/fetch.py`, which hosts may be
requested in `ingest/site.py`, and swapping a checked crawl in in `ingest/live.py`; this
module walks the links, saves what it fetched and records it in the manifest.
"""

from __future__ import annotations

import logging
import re
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from casebook.errors import CrawlError
from casebook.hashing import sha256_bytes
from casebook.ingest.fetch import (
    SNIFFED_TYPES,
    Fetcher,
    FetchFailed,
    FetchResponse,
    Sleep,
    TooLarge,
    make_client,
)
from casebook.ingest.html import HTML_TYPES, page_links
from casebook.ingest.robots import (
    MAX_ROBOTS_BYTES,
    RobotsPolicy,
    policy_from_response,
    product_token,
    robots_url,
)
from casebook.ingest.site import Resolve, SitePolicy, resolve_host
from casebook.ingest.snapshot import (
    Manifest,
    Skipped,
    SnapshotFile,
    utc_now,
    write_manifest,
)
from casebook.settings import Settings

log = logging.getLogger("casebook.crawl")

EXTENSIONS = {"text/html": ".html", "application/xhtml+xml": ".html", "application/pdf": ".pdf"}


@dataclass(frozen=True)
class CrawlReport:
    """What one crawl did. `failed` are the skips that were errors (HTTP, network), not policy."""

    start_url: str
    out_dir: Path
    files: tuple[SnapshotFile, ...]
    skipped: tuple[Skipped, ...]
    failed: tuple[Skipped, ...]
    bytes: int
    duration_s: float
    start_error: str = ""  # why the start page was not fetched as HTML; "" when it was
    deadline_passed: bool = False  # the crawl's deadline cut it short

    @property
    def fetched(self) -> int:
        return len(self.files)

    @property
    def linked_failure_ratio(self) -> float:
        """Share of the linked documents (all but the start page) that failed to download."""
        failed = sum(1 for s in self.failed if s.url != self.start_url)
        tried = failed + sum(1 for f in self.files if f.linked_from)
        return failed / tried if tried else 0.0


def snapshot_name(url: str, content_type: str) -> str:
    """A safe file name from a URL's path, with the extension its content type calls for."""
    parts = urlsplit(url)
    path = unquote(parts.path).strip("/")
    stem = re.sub(r"\.(html?|xhtml|pdf|php|aspx?|jsp)$", "", path, flags=re.IGNORECASE)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem.replace("/", "_")).strip("-_.")[:100] or "index"
    if parts.query:
        stem += "-" + sha256_bytes(parts.query.encode())[:8]
    return stem + EXTENSIONS.get(content_type, ".bin")


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


class _Disallowed(Exception):
    """A redirect to a URL that its site's robots.txt disallows."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(reason)
        self.url, self.reason = url, reason


class _Crawler:
    """State of one crawl: a breadth-first walk of same-site links, `max_depth` deep."""

    def __init__(self, start_url: str, out_dir: Path, settings: Settings,
                 fetcher: Fetcher, max_depth: int) -> None:
        self.start_url, self.out_dir, self.settings = start_url, out_dir, settings
        self.fetcher, self.max_depth = fetcher, max_depth
        self.origins = {_origin(start_url)}
        self.deadline_passed = False
        self.robots: dict[tuple[str, str, int | None], RobotsPolicy] = {}
        self.files: list[SnapshotFile] = []
        self.skipped: list[Skipped] = []
        self.failed: list[Skipped] = []
        self.bytes = 0
        self.start_error = ""
        self.saved_urls: dict[str, str] = {}  # url and final url -> the url it was saved as

    def run(self) -> None:
        queue: deque[tuple[str, int, str]] = deque([(self.start_url, 0, "")])
        seen = {self.start_url}
        while queue:
            url, depth, parent = queue.popleft()
            stop = self._limit_reached()
            if stop:
                for rest in [url, *(item[0] for item in queue)]:
                    self._skip(rest, f"not fetched: {stop}", failure=self.deadline_passed)
                return
            body = self._visit(url, parent)
            if body is None or depth >= self.max_depth:
                continue
            for link in page_links(body, self.files[-1].final_url or url):
                if link not in seen and self._on_site(link):
                    seen.add(link)
                    queue.append((link, depth + 1, url))

    def _on_site(self, link: str) -> bool:
        """Same origin as the start page (or where it landed), or a host the operator listed."""
        return _origin(link) in self.origins or _origin(link)[1] in self.fetcher.site.extra_hosts

    def _limit_reached(self) -> str:
        if time.monotonic() >= self.fetcher.crawl_deadline:
            self.deadline_passed = True
            return f"the crawl's deadline ({self.settings.crawl_deadline_s:g}s) passed"
        if len(self.files) >= self.settings.crawl_max_pages:
            return f"the crawl's page limit ({self.settings.crawl_max_pages}) was reached"
        return self._byte_limit if self.bytes >= self.settings.crawl_max_bytes else ""

    @property
    def _byte_limit(self) -> str:
        return f"the crawl's byte limit ({self.settings.crawl_max_bytes}) was reached"

    def _visit(self, url: str, parent: str) -> bytes | None:
        """Fetch and save one document; its body when it is HTML whose links we follow."""
        policy = self._robots(url)
        if not policy.allowed(url):
            self._skip(url, policy.reason, failure=not parent)
            return None
        file_limit = self.settings.crawl_max_file_bytes
        budget = self.settings.crawl_max_bytes - self.bytes
        try:
            resp = self.fetcher.get(url, min(file_limit, budget), frozenset(EXTENSIONS),
                                    check_redirect=self._check_robots)
        except _Disallowed as exc:
            self._skip(url, f"redirected to {exc.url}: {exc.reason}", failure=not parent)
            return None
        except FetchFailed as exc:
            self.deadline_passed |= time.monotonic() >= self.fetcher.crawl_deadline
            self._skip(url, exc.reason, failure=True)
            return None
        except TooLarge:
            if budget < file_limit:
                self._skip(url, f"not fetched: {self._byte_limit}")
                return None
            self._skip(url, f"too large (over {file_limit} bytes)")
            return None
        if resp.status >= 300:
            self._skip(url, f"{resp.status} {resp.reason}".strip(), failure=True)
            return None
        ctype = resp.content_type
        if ctype in SNIFFED_TYPES and resp.body is not None and resp.body.startswith(b"%PDF-"):
            ctype = "application/pdf"
        if resp.body is None or ctype not in EXTENSIONS:
            reason = f"unsupported content type {ctype or '(none)'}"
            self._skip(url, reason, failure=not parent)
            return None
        if resp.final_url in self.saved_urls:
            self._skip(url, f"same document as {self.saved_urls[resp.final_url]}")
            return None
        self._save(url, parent, resp, ctype)
        if not parent and ctype not in HTML_TYPES:
            self.start_error = f"the start page is {ctype}, not HTML"
        return resp.body if ctype in HTML_TYPES else None

    def _save(self, url: str, parent: str, resp: FetchResponse, ctype: str) -> None:
        assert resp.body is not None
        name = snapshot_name(url, ctype)
        taken = {f.path for f in self.files}
        stem, ext, n = name[: -len(Path(name).suffix)], Path(name).suffix, 2
        while name in taken:
            name, n = f"{stem}-{n}{ext}", n + 1
        (self.out_dir / name).write_bytes(resp.body)
        final = resp.final_url if resp.final_url != url else ""
        self.files.append(SnapshotFile(url=url, path=name, fetched_at=utc_now(),
                                       sha256=sha256_bytes(resp.body), content_type=ctype,
                                       final_url=final, linked_from=parent))
        self.bytes += len(resp.body)
        self.saved_urls.update({url: url, resp.final_url: url})
        if not parent:
            self.origins.add(_origin(resp.final_url))  # links are relative to where we landed
        log.info("saved %s (%s, %d bytes) as %s", url, ctype, len(resp.body), name)

    def _skip(self, url: str, reason: str, *, failure: bool = False) -> None:
        entry = Skipped(url=url, reason=reason)
        self.skipped.append(entry)
        if failure:
            self.failed.append(entry)
        if url == self.start_url:
            self.start_error = f"the start page {url} was not fetched: {reason}"
        log.warning("skipped %s: %s", url, reason)

    def _check_robots(self, url: str) -> None:
        """:raises _Disallowed: when the robots.txt of `url`'s site disallows it."""
        policy = self._robots(url)
        if not policy.allowed(url):
            raise _Disallowed(url, policy.reason)

    def _robots(self, url: str) -> RobotsPolicy:
        origin = _origin(url)
        if origin not in self.robots:
            agent = product_token(self.settings.user_agent)
            target = robots_url(url)
            try:  # RFC 9309 2.5: the first MAX_ROBOTS_BYTES of a longer file are the rules
                resp = self.fetcher.get(target, MAX_ROBOTS_BYTES, truncate=True)
                policy = policy_from_response(resp.status, resp.body or b"", agent)
            except FetchFailed as exc:
                policy = (policy_from_response(exc.status, b"", agent) if exc.status
                          else RobotsPolicy.unreachable(agent, exc.reason))
            self.robots[origin] = policy
            self.fetcher.delay = max(self.fetcher.delay, policy.crawl_delay)
            log.info("%s: %s", target, policy.note)
        return self.robots[origin]


def crawl(start_url: str, out_dir: Path, settings: Settings, client: httpx.Client | None = None,
          *, max_depth: int = 1, sleep: Sleep = time.sleep,
          resolve: Resolve = resolve_host) -> CrawlReport:
    """Crawl `start_url` and what it links to into the new directory `out_dir`, with manifest.json.

    Failures are recorded in the manifest and report, not raised: a caller that needs a good
    snapshot checks the report (as `crawl_snapshot` does). `max_depth` 1 is the start page and
    the documents it links to. Pass `client` to reuse one (tests pass a loopback one), and
    `resolve` to answer the DNS lookups (each host's once) that requests then connect by.
    """
    if out_dir.exists() and any(out_dir.iterdir()):
        raise CrawlError(f"The crawl's output directory {out_dir} is not empty.",
                         hint="Crawl into a new directory; `crawl_snapshot` swaps it in.")
    out_dir.mkdir(parents=True, exist_ok=True)
    began, created_at = time.monotonic(), utc_now()
    log.info("crawling %s into %s (depth %d)", start_url, out_dir, max_depth)
    own_client = client is None
    http = make_client(settings) if client is None else client
    try:
        site = SitePolicy(start_url, settings.crawl_allowed_hosts, resolve)
        fetcher = Fetcher(http, settings, sleep, site, began + settings.crawl_deadline_s)
        crawler = _Crawler(start_url, out_dir, settings, fetcher, max_depth)
        crawler.run()
    finally:
        if own_client:
            http.close()
    duration = time.monotonic() - began
    write_manifest(out_dir, Manifest(
        source_url=start_url, created_at=created_at, files=tuple(crawler.files),
        skipped=tuple(crawler.skipped),
        extra={"user_agent": settings.user_agent, "max_depth": max_depth,
               "allowed_hosts": sorted(site.hosts),
               "bytes": crawler.bytes, "duration_s": round(duration, 3)},
    ))
    log.info("crawl of %s: %d saved, %d skipped, %d bytes in %.1fs", start_url,
             len(crawler.files), len(crawler.skipped), crawler.bytes, duration)
    return CrawlReport(start_url, out_dir, tuple(crawler.files), tuple(crawler.skipped),
                       tuple(crawler.failed), crawler.bytes, duration, crawler.start_error,
                       crawler.deadline_passed)
