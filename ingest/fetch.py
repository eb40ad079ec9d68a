"""The crawler's HTTP layer: polite GETs with retries, backoff, Retry-After and byte limits.

It only talks to the network; what to fetch and what to keep is `ingest/crawl.py`'s job.
"""

from __future__ import annotations

import email.utils
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import httpx

from casebook.settings import Settings

log = logging.getLogger("casebook.crawl")

# Servers often label PDFs as octet-stream (or not at all); those we sniff by their magic bytes.
SNIFFED_TYPES = frozenset({"", "application/octet-stream"})
BACKOFF_BASE_S = 1.0
MAX_RETRY_AFTER_S = 60.0

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


def make_client(settings: Settings) -> httpx.Client:
    """The HTTP client a crawl uses unless one is passed in."""
    return httpx.Client(
        headers={"User-Agent": settings.user_agent},
        timeout=settings.crawl_timeout_s,
        follow_redirects=True,
    )


class Fetcher:
    """GETs with a pause between requests and retries with exponential backoff."""

    def __init__(self, client: httpx.Client, settings: Settings, sleep: Sleep) -> None:
        self.client, self.settings, self.sleep = client, settings, sleep
        self.delay = settings.crawl_delay_s
        self.requests = 0

    def get(self, url: str, limit: int, keep: frozenset[str] | None = None) -> FetchResponse:
        """Fetch `url`, reading at most `limit` bytes of a 2xx body whose type is in `keep`.

        :raises FetchFailed: when no usable answer came, retries included.
        :raises TooLarge: when the body passes `limit` bytes.
        """
        retries, wait = self.settings.crawl_retries, 0.0
        for attempt in range(retries + 1):
            self._pause(wait)
            try:
                return self._get_once(url, limit, keep)
            except FetchFailed as exc:
                if not exc.retryable:
                    raise
                if attempt == retries:
                    raise FetchFailed(exc.reason + _after(retries), status=exc.status) from None
                wait = exc.wait if exc.wait is not None else BACKOFF_BASE_S * 2**attempt
                log.info("%s: %s; retrying in %.1fs", url, exc.reason, wait)
        raise AssertionError("unreachable")

    def _pause(self, wait: float) -> None:
        if self.requests:
            wait = max(wait, self.delay)
        if wait > 0:
            self.sleep(wait)
        self.requests += 1

    def _get_once(self, url: str, limit: int, keep: frozenset[str] | None) -> FetchResponse:
        headers = {"User-Agent": self.settings.user_agent}
        try:
            with self.client.stream("GET", url, headers=headers, follow_redirects=True) as resp:
                status, reason = resp.status_code, resp.reason_phrase
                if status == 429 or status >= 500:
                    wait = _retry_after(resp.headers.get("retry-after"))
                    raise FetchFailed(f"{status} {reason}", retryable=True, wait=wait,
                                      status=status)
                ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
                wanted = keep is None or ctype in keep or ctype in SNIFFED_TYPES
                body = _read(resp, limit) if 200 <= status < 300 and wanted else None
                return FetchResponse(status, reason, str(resp.url), ctype, body)
        except httpx.TimeoutException:
            raise FetchFailed("timeout", retryable=True) from None
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            reason = f"connection failed ({exc or type(exc).__name__})"
            raise FetchFailed(reason, retryable=True) from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise FetchFailed(f"request failed ({type(exc).__name__}: {exc})") from None


def _read(resp: httpx.Response, limit: int) -> bytes:
    """The body, streamed; stops as soon as it passes `limit` bytes."""
    length = resp.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise TooLarge(b"")
    body = bytearray()
    for chunk in resp.iter_bytes():
        body += chunk
        if len(body) > limit:
            raise TooLarge(bytes(body[:limit]))
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
