"""The crawler's HTTP layer: polite GETs with retries, backoff, Retry-After and byte limits.

It only talks to the network; what to fetch and what to keep is `ingest/crawl.py`'s job.
Each request connects to an address the site policy checked (the name goes in the Host
header and TLS SNI), and a body is limited by the bytes it inflates to, not by its headers.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import httpx

from casebook.ingest.deadline import Watchdog
from casebook.ingest.inflate import ACCEPT_ENCODING, Decoder, Overflow, Undecodable
from casebook.ingest.site import IPAddress, OffSite, SitePolicy
from casebook.settings import Settings

log = logging.getLogger("casebook.crawl")

# Servers often label PDFs as octet-stream (or not at all); those we sniff by their magic bytes.
SNIFFED_TYPES = frozenset({"", "application/octet-stream"})
BACKOFF_BASE_S = 1.0
MAX_RETRY_AFTER_S = 60.0
MAX_REDIRECTS = 10
REDIRECTS = frozenset({301, 302, 303, 307, 308})

Sleep = Callable[[float], object]
CheckRedirect = Callable[[str], object]


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

    def get(self, url: str, limit: int, keep: frozenset[str] | None = None, *,
            truncate: bool = False, check_redirect: CheckRedirect | None = None) -> FetchResponse:
        """Fetch `url`, reading at most `limit` bytes of a 2xx body whose type is in `keep`.

        Every layer of its Content-Encoding counts against `limit` as it inflates. With
        `truncate`, a longer body is cut at `limit` instead of refused. `check_redirect` is
        called with each redirect target before it is requested; what it raises propagates.

        :raises FetchFailed: when no usable answer came, retries included, or the document's
            deadline (CASEBOOK_CRAWL_DOCUMENT_DEADLINE_S, all tries together) passed.
        :raises TooLarge: when the body passes `limit` bytes (unless `truncate`).
        """
        seconds = self.settings.crawl_document_deadline_s
        deadline = min(time.monotonic() + seconds, self.crawl_deadline)
        retries, wait = self.settings.crawl_retries, 0.0
        for attempt in range(retries + 1):
            if time.monotonic() + wait >= deadline:
                raise FetchFailed(self._deadline_reason(deadline, seconds))
            self._pause(wait)
            try:
                return self._follow(url, limit, keep, deadline, truncate, check_redirect)
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

    def _follow(self, url: str, limit: int, keep: frozenset[str] | None, deadline: float,
                truncate: bool, check_redirect: CheckRedirect | None) -> FetchResponse:
        """One try: redirects followed by hand, each hop checked before it is requested."""
        for hop in range(MAX_REDIRECTS + 1):
            try:
                addresses = self.site.check(url)
            except OffSite as exc:
                raise FetchFailed(exc.reason) from None
            if hop and check_redirect is not None:
                check_redirect(url)
            resp = self._get_once(url, addresses, limit, keep, deadline, truncate)
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

    def _get_once(self, url: str, addresses: Sequence[IPAddress], limit: int,
                  keep: frozenset[str] | None, deadline: float, truncate: bool) -> FetchResponse:
        """One request, to the first of the checked `addresses` that accepts a connection."""
        try:
            for address in addresses[:-1]:
                try:
                    return self._request(url, address, limit, keep, deadline, truncate)
                except httpx.ConnectError as exc:
                    log.info("%s: cannot connect to %s (%s); trying the next address",
                             url, address, exc)
            return self._request(url, addresses[-1], limit, keep, deadline, truncate)
        except httpx.TimeoutException:
            raise FetchFailed("timeout", retryable=True) from None
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            reason = f"connection failed ({str(exc) or type(exc).__name__})"
            raise FetchFailed(reason, retryable=True) from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise FetchFailed(f"request failed ({type(exc).__name__}: {exc})") from None

    def _request(self, url: str, address: IPAddress, limit: int, keep: frozenset[str] | None,
                 deadline: float, truncate: bool) -> FetchResponse:
        """GET `url` from `address`: no DNS lookup of its own, so it reaches what was checked."""
        target, headers, extensions = _pinned(url, address)
        headers.update({"User-Agent": self.settings.user_agent,
                        "Accept-Encoding": ACCEPT_ENCODING})
        left = max(deadline - time.monotonic(), 0.001)
        timeout = httpx.Timeout(min(self.settings.crawl_timeout_s, left))
        with Watchdog(deadline) as dog, self.client.stream(
                "GET", target, headers=headers, follow_redirects=False, timeout=timeout,
                extensions={**extensions, **dog.extensions}) as resp:
            dog.watch(resp)
            status, reason = resp.status_code, resp.reason_phrase
            if status in REDIRECTS and "location" in resp.headers:
                location = urljoin(url, resp.headers["location"].strip())
                return FetchResponse(status, reason, url, "", None, location=location)
            if status == 429 or status >= 500:
                wait = _retry_after(resp.headers.get("retry-after"))
                raise FetchFailed(f"{status} {reason}", retryable=True, wait=wait,
                                  status=status)
            ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
            wanted = keep is None or ctype in keep or ctype in SNIFFED_TYPES
            ok = 200 <= status < 300 and wanted
            body = _read(resp, limit, dog, truncate) if ok else None
            return FetchResponse(status, reason, url, ctype, body)


def _pinned(url: str, address: IPAddress) -> tuple[httpx.URL, dict[str, str], dict[str, str]]:
    """`url` with its host replaced by `address`, and the Host header and TLS server name
    (certificates are checked against it) that keep the request addressed to the host."""
    logical = httpx.URL(url)
    headers = {"Host": logical.netloc.decode("ascii")}
    tls = logical.scheme == "https"
    extensions = {"sni_hostname": logical.raw_host.decode("ascii")} if tls else {}
    return logical.copy_with(host=str(address)), headers, extensions


def _read(resp: httpx.Response, limit: int, dog: Watchdog, truncate: bool) -> bytes:
    """The body, streamed and decoded a bounded piece at a time; stops as soon as the bytes
    that arrived, or those any Content-Encoding layer inflated them to, pass `limit`, or the
    watchdog cuts it. With `truncate` the first `limit` bytes are returned instead."""
    length = resp.headers.get("content-length", "")
    if not truncate and length.isdigit() and int(length) > limit:
        raise TooLarge(b"")
    body, arrived = bytearray(), 0
    try:
        decoder = Decoder(resp.headers.get("content-encoding", ""), limit)
        for chunk in resp.iter_raw():
            arrived += len(chunk)
            for piece in decoder.feed(chunk):
                body += piece
                if len(body) > limit:
                    raise Overflow()
            if arrived > limit:
                raise Overflow()
            if dog.cut.is_set():
                break
    except Overflow:
        if truncate:
            return bytes(body[:limit])
        raise TooLarge(bytes(body[:limit])) from None
    except Undecodable as exc:
        raise FetchFailed(exc.reason) from None
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
        seconds = (when - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def _after(retries: int) -> str:
    return f" after {retries} {'retry' if retries == 1 else 'retries'}" if retries else ""
