"""Which URLs a crawl may request: its own site's hosts, never an internal address.

The check runs before every request, each redirect hop included, so a page that answers
302 to a cloud metadata service or to another machine on the network is never followed.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolve = Callable[[str, int], list[str]]


class OffSite(Exception):
    """A URL the crawl must not request; `reason` says why, for the manifest."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def resolve_host(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (IPv4 and IPv6), as strings."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


def is_internal(address: IPAddress) -> bool:
    """Loopback, private, link-local (cloud metadata at 169.254.169.254), shared, reserved,
    multicast or unspecified: anything not on the public internet."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def _port(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or (443 if parts.scheme == "https" else 80)


class SitePolicy:
    """The start URL's host and the operator's extra hosts; internal addresses refused after
    DNS resolution unless the start host itself resolves to them (a crawl of a loopback test
    site works, a redirect from it to 127.0.0.2 does not)."""

    def __init__(self, start_url: str, extra_hosts: Iterable[str] = (),
                 resolve: Resolve = resolve_host) -> None:
        start = (urlsplit(start_url).hostname or "").lower()
        self.extra_hosts = frozenset(h.strip().lower() for h in extra_hosts if h.strip())
        self.hosts = self.extra_hosts | {start}
        self.resolve = resolve
        try:
            own = resolve(start, _port(start_url)) if start else []
        except (OSError, UnicodeError):
            own = []  # the start request itself will fail and say why
        self.start_addresses = frozenset(ipaddress.ip_address(a.split("%", 1)[0]) for a in own)

    def allows_host(self, url: str) -> bool:
        """Whether `url` is http(s) on one of the crawl's hosts (no DNS lookup)."""
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and (parts.hostname or "").lower() in self.hosts

    def check(self, url: str) -> None:
        """:raises OffSite: unless `url` may be requested now."""
        if not self.allows_host(url):
            host = urlsplit(url).hostname or url
            raise OffSite(f"refused: {host} is not one of the crawl's hosts "
                          f"({', '.join(sorted(self.hosts))}; add hosts with CASEBOOK_CRAWL_ALLOWED_HOSTS)")
        host = (urlsplit(url).hostname or "").lower()
        try:
            addresses = [ipaddress.ip_address(a.split("%", 1)[0])
                         for a in self.resolve(host, _port(url))]
        except (OSError, UnicodeError, ValueError) as exc:
            raise OffSite(f"connection failed (cannot resolve {host}: {exc})") from None
        for address in addresses:
            if is_internal(address) and address not in self.start_addresses:
                raise OffSite(f"refused: {host} resolves to the internal address {address}")
