"""Guards on the wire, before a request reaches the app: uvicorn's httptools protocol (its C
parser: less CPU a request than h11's pure Python) with what uvicorn leaves out.

- **Header deadline.** A request's line and headers must arrive within `header_timeout_s`; the
  clock starts when the connection opens and at the first byte of each later request, blank
  lines included (uvicorn only times out idle keep-alive connections, and any byte, a lone CRLF
  too, cancels that timer: a CRLF every few seconds held a connection open for ever).
- **Blank lines.** RFC 9112 (2.2) asks a server to ignore at least one empty line before a
  request; past `MAX_BLANK_BYTES` of them the connection is closed.
- **Header size.** The request line and headers are at most `max_header_bytes` and
  `max_headers` fields (uvicorn has no limit: 8 MB and 10,000 headers were accepted); past
  either, 431 and the connection closes.
- **Connections per client.** One address holds at most `max_connections_per_client`
  connections (trusted proxies, which carry many clients, excepted); a connection past that
  gets 429 at once and is closed.

Every answer given here has the API's JSON error shape and an X-Request-ID, as the app's do.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import json
import socket
import uuid
from collections import Counter
from dataclasses import dataclass
from http import HTTPStatus
from typing import ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from casebook.service.errors import error_body
from casebook.settings import Settings

MAX_BLANK_BYTES = 8  # CR and LF bytes before a request line: four empty lines


@dataclass(frozen=True)
class WireLimits:
    header_timeout_s: float = 10.0
    max_header_bytes: int = 16_384
    max_headers: int = 100
    max_connections_per_client: int = 64  # 0: no limit
    trusted_proxies: tuple[str, ...] = ()

    @classmethod
    def of(cls, settings: Settings) -> WireLimits:
        return cls(header_timeout_s=settings.header_timeout_s,
                   max_header_bytes=settings.max_header_bytes, max_headers=settings.max_headers,
                   max_connections_per_client=settings.max_connections_per_client,
                   trusted_proxies=tuple(settings.trusted_proxies))

    def trusts(self, address: str) -> bool:
        """Whether `address` is a trusted proxy (an address, a network, or "*")."""
        return _trusted(self.trusted_proxies, address)


@functools.lru_cache(maxsize=4096)
def _trusted(proxies: tuple[str, ...], address: str) -> bool:
    if "*" in proxies:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address in proxies
    for entry in proxies:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


class _Refused(Exception):
    """Raised from a parser callback to stop reading a request that is over a limit."""


def response(status: int, code: str, message: str, hint: str,
             headers: dict[str, str] | None = None) -> bytes:
    """A whole HTTP/1.1 response in the API's error shape that closes the connection."""
    body = json.dumps(error_body(code, message, hint)).encode()
    lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}",
             "content-type: application/json", f"content-length: {len(body)}",
             f"x-request-id: {uuid.uuid4().hex}", "connection: close",
             *(f"{name}: {value}" for name, value in (headers or {}).items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def guarded_protocol(configured: WireLimits | None) -> type[HttpToolsProtocol]:
    """The protocol class for uvicorn's `http` setting. None: read the limits from CASEBOOK_*
    settings when the first connection opens (worker processes import the class by name)."""

    class GuardedProtocol(HttpToolsProtocol):
        per_client: ClassVar[Counter[str]] = Counter()  # open connections by client address (one loop)
        _limits: WireLimits | None = configured
        _header_timer: asyncio.TimerHandle | None = None
        _awaiting_head = True  # between requests, or inside a request line and headers
        _begun = False  # the next request's first byte (not a blank line) has come
        _blank = 0
        _head_bytes = 0  # bytes received while awaiting a request's head
        _head_parsed = 0  # the request line and header fields parsed so far
        _head_fields = 0
        _refusal: bytes | None = None
        _counted: str | None = None

        @property
        def limits(self) -> WireLimits:
            if self._limits is None:
                type(self)._limits = WireLimits.of(Settings())
            assert self._limits is not None
            return self._limits

        # uvicorn's own signature: it narrows asyncio's BaseTransport the same way
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            no_delay(transport)
            super().connection_made(transport)
            address = self.client[0] if self.client else None
            cap = self.limits.max_connections_per_client
            if address is not None and cap and not self.limits.trusts(address):
                if self.per_client[address] >= cap:
                    transport.write(response(
                        429, "too_many_connections",
                        f"This address already has {cap} connections open.",
                        "Reuse a keep-alive connection instead of opening more.",
                        {"retry-after": "1"}))
                    transport.close()
                    return
                self.per_client[address] += 1
                self._counted = address
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            if self._counted is not None:
                self.per_client[self._counted] -= 1
                if self.per_client[self._counted] <= 0:
                    del self.per_client[self._counted]
                self._counted = None
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self.transport.is_closing():
                return
            if self._awaiting_head:
                if self._header_timer is None:
                    self._arm()  # a later request's first byte, a blank line too
                if not self._begun:
                    blank = len(data) - len(data.lstrip(b"\r\n"))
                    self._blank += blank
                    if self._blank > MAX_BLANK_BYTES:
                        self.transport.close()  # only blank lines: nothing to answer
                        return
                self._head_bytes += len(data)
            super().data_received(data)
            if (self._awaiting_head and self._head_bytes > self.limits.max_header_bytes
                    and not self.transport.is_closing()):
                self._refuse_head()

        def on_message_begin(self) -> None:
            self._begun = True
            if self._header_timer is None:
                self._arm()  # pipelined: began in the chunk that ended the last request
            super().on_message_begin()

        def on_url(self, url: bytes) -> None:
            self._count(len(url), fields=0)
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._count(len(name) + len(value) + 4, fields=1)
            super().on_header(name, value)

        def on_headers_complete(self) -> None:
            self._disarm()  # the headers are in: the body deadline is the app's
            self._awaiting_head = False
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self._awaiting_head, self._begun = True, False
            self._blank = self._head_bytes = self._head_parsed = self._head_fields = 0
            super().on_message_complete()

        def send_400_response(self, msg: str) -> None:
            """uvicorn's answer to a request it cannot parse (and to `_Refused`), in the API's
            error shape."""
            if self._refusal is None:
                self._refusal = response(400, "bad_request", "The request is not valid HTTP.",
                                         "Send an HTTP/1.1 request.")
            self.transport.write(self._refusal)
            self.transport.close()

        def _count(self, size: int, *, fields: int) -> None:
            # the head as parsed: a head that came in one read with its body is measured here
            self._head_fields += fields
            self._head_parsed += size
            if (self._head_fields > self.limits.max_headers
                    or self._head_parsed > self.limits.max_header_bytes):
                self._refusal = self._too_large()
                raise _Refused  # httptools stops; uvicorn calls send_400_response

        def _too_large(self) -> bytes:
            return response(431, "headers_too_large",
                            f"The request's line and headers are over the limit of "
                            f"{self.limits.max_header_bytes} bytes or "
                            f"{self.limits.max_headers} fields.",
                            "Send fewer or shorter headers (large cookies are the usual cause).")

        def _refuse_head(self) -> None:
            self._refusal = self._too_large()
            self.send_400_response("")

        def _arm(self) -> None:
            self._header_timer = self.loop.call_later(self.limits.header_timeout_s,
                                                      self._headers_too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            if not self.transport.is_closing():
                self.transport.close()

    return GuardedProtocol


def no_delay(transport: asyncio.BaseTransport) -> None:
    """Send small writes at once (TCP_NODELAY) on a TCP connection.

    asyncio sets it only on sockets whose `proto` is IPPROTO_TCP; the listening socket uvicorn
    makes for `--workers` is created with proto 0, so its connections kept Nagle's algorithm:
    uvicorn writes a response's head and body separately, and the body then waited for the client's
    delayed ACK (about 40 ms a request)."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # the peer may already have gone; nothing to speed up then
            pass


# uvicorn's worker processes import their protocol by name
EnvGuardedProtocol = guarded_protocol(None)
