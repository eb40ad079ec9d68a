"""The crawler's HTTP layer: polite GETs with retries, backoff, Retry-After and byte limits.

It only talks to the network; what to fetch and what to keep is `ingest/crawl.py`'s job.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urljoin

import httpx

from casebook.ingest.deadline import Watchdog
from casebook.ingest.site import OffSite, SitePolicy
from casebook.settings import Settings

log = logging.getLogger("casebook.crawl")

# Servers often label PDFs as octet-stream (or not at all); those we sniff by their magic bytes.
SNIFFED_TYPES = frozenset({"", "application/octet-stream"})
BACKOFF_BASE_S = 1.0
MAX_RETRY_AFTER_S = 60.0
MAX_REDIRECTS = 10
REDIRECTS = frozenset({301, 302, 303, 307, 308})

Sleep = Callable[[float], object]


class FetchFailed(Exception):
    """A request that gave no usable answer; `retryable` while retries are left."""

    def __init__(self, reason: str, *, retryable: bool = False, wait: float | None = None,
                 status: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.retryable, self.wait, self.status = reason, retryable, wait, status


class TooLarge(Exception):
    """A body that passed its byte limit; `partial` holds what was read up to the limit."""

    def __init__(self, partial: bytes) -> None:
        super().__init__("too large")
        self.partial = partial


@dataclass(frozen=True)
class FetchResponse:
    status: int
    reason: str
    final_url: str
    content_type: str
    body: bytes | None  # None when not read: an error status or a content type we do not keep
    location: str | None = None  # absolute target of a redirect, not yet checked or followed


def make_client(settings: Settings) -> httpx.Client:
    """The HTTP client a crawl uses unless one is passed in."""
    return httpx.Client(
        headers={"User-Agent": settings.user_agent},
        timeout=settings.crawl_timeout_s,
        follow_redirects=False,  # each hop is checked against the site policy first
        # A fresh connection per request, so the deadline watchdog always learns its socket.
        limits=httpx.Limits(max_keepalive_connections=0),
    )


class Fetcher:
    """GETs with a pause between requests, retries with exponential backoff, redirects
    followed hop by hop inside the site policy, and a total deadline per document."""

    def __init__(self, client: httpx.Client, settings: Settings, sleep: Sleep,
                 site: SitePolicy, crawl_deadline: float = float("inf")) -> None:
        self.client, self.settings, self.sleep, self.site = client, settings, sleep, site
        self.delay = settings.crawl_delay_s
        self.requests = 0
        self.crawl_deadline = crawl_deadline  # time.monotonic() past which nothing is fetched

    def get(self, url: str, limit: int, keep: frozenset[str] | None = None) -> FetchResponse:
        """Fetch `url`, reading at most `limit` bytes of a 2xx body whose type is in `keep`.

        :raises FetchFailed: when no usable answer came, retries included, or the document's
            deadline (CASEBOOK_CRAWL_DOCUMENT_DEADLINE_S, all tries together) passed.
        :raises TooLarge: when the body passes `limit` bytes.
        """
        seconds = self.settings.crawl_document_deadline_s
        deadline = min(time.monotonic() + seconds, self.crawl_deadline)
        retries, wait = self.settings.crawl_retries, 0.0
        for attempt in range(retries + 1):
            if time.monotonic() + wait >= deadline:
                raise FetchFailed(self._deadline_reason(deadline, seconds))
            self._pause(wait)
            try:
                return self._follow(url, limit, keep, deadline)
            except FetchFailed as exc:
                if time.monotonic() >= deadline:
                    raise FetchFailed(self._deadline_reason(deadline, seconds)) from None
                if not exc.retryable:
                    raise
                if attempt == retries:
                    raise FetchFailed(exc.reason + _after(retries), status=exc.status) from None
                wait = exc.wait if exc.wait is not None else BACKOFF_BASE_S * 2**attempt
                log.info("%s: %s; retrying in %.1fs", url, exc.reason, wait)
        raise AssertionError("unreachable")

    def _deadline_reason(self, deadline: float, seconds: float) -> str:
        if deadline >= self.crawl_deadline:
            return f"deadline: the crawl's deadline ({self.settings.crawl_deadline_s:g}s) passed"
        return f"deadline: not complete within {seconds:g}s"

    def _follow(self, url: str, limit: int, keep: frozenset[str] | None,
                deadline: float) -> FetchResponse:
        """One try: redirects followed by hand, each hop checked before it is requested."""
        for _ in range(MAX_REDIRECTS + 1):
            try:
                self.site.check(url)
            except OffSite as exc:
                raise FetchFailed(exc.reason) from None
            resp = self._get_once(url, limit, keep, deadline)
            if resp.location is None:
                return resp
            url = resp.location
        raise FetchFailed(f"more than {MAX_REDIRECTS} redirects")

    def _pause(self, wait: float) -> None:
        if self.requests:
            wait = max(wait, self.delay)
        if wait > 0:
            self.sleep(wait)
        self.requests += 1

    def _get_once(self, url: str, limit: int, keep: frozenset[str] | None,
                  deadline: float) -> FetchResponse:
        headers = {"User-Agent": self.settings.user_agent}
        left = max(deadline - time.monotonic(), 0.001)
        timeout = httpx.Timeout(min(self.settings.crawl_timeout_s, left))
        try:
            with Watchdog(deadline) as dog, self.client.stream(
                    "GET", url, headers=headers, follow_redirects=False, timeout=timeout,
                    extensions=dog.extensions) as resp:
                dog.watch(resp)
                status, reason = resp.status_code, resp.reason_phrase
                if status in REDIRECTS and "location" in resp.headers:
                    target = urljoin(url, resp.headers["location"].strip())
                    return FetchResponse(status, reason, url, "", None, location=target)
                if status == 429 or status >= 500:
                    wait = _retry_after(resp.headers.get("retry-after"))
                    raise FetchFailed(f"{status} {reason}", retryable=True, wait=wait,
                                      status=status)
                ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
                wanted = keep is None or ctype in keep or ctype in SNIFFED_TYPES
                body = _read(resp, limit, dog) if 200 <= status < 300 and wanted else None
                return FetchResponse(status, reason, str(resp.url), ctype, body)
        except httpx.TimeoutException:
            raise FetchFailed("timeout", retryable=True) from None
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            reason = f"connection failed ({exc or type(exc).__name__})"
            raise FetchFailed(reason, retryable=True) from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise FetchFailed(f"request failed ({type(exc).__name__}: {exc})") from None


def _read(resp: httpx.Response, limit: int, dog: Watchdog) -> bytes:
    """The body, streamed; stops as soon as it passes `limit` bytes or the watchdog cuts it."""
    length = resp.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise TooLarge(b"")
    body = bytearray()
    for chunk in resp.iter_bytes():
        body += chunk
        if len(body) > limit:
            raise TooLarge(bytes(body[:limit]))
        if dog.cut.is_set():
            break
    if dog.cut.is_set():
        raise FetchFailed("deadline passed while reading the body")
    return bytes(body)


def _retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header (delta seconds or HTTP date) asks for, capped; None if unset."""
    if not value:
        return None
    if value.strip().isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = (when - datetime.now(timezone.utc)).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def _after(retries: int) -> str:
    return f" after {retries} {'retry' if retries == 1 else 'retries'}" if retries else ""
