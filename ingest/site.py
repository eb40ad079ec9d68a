"""Which URLs a crawl may request: its own site's hosts and port, never an internal address.

The check runs before every request, each redirect hop included, so a page that answers
302 to a cloud metadata service or to another machine on the network is never followed.
Each host is resolved once per crawl, and the request connects to the address that was
checked (`Fetcher` sends it there with the name in the Host header and TLS SNI), so a DNS
answer that changes between the check and the connection (DNS rebinding) reaches nothing new.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolve = Callable[[str, int], list[str]]

DEFAULT_PORTS = {"http": 80, "https": 443}
# IPv6 forms that carry an IPv4 address in their last 32 bits and reach it: IPv4-mapped,
# IPv4-translated (SIIT) and NAT64's well-known prefix (RFC 6052).
_CARRIES_IPV4 = tuple(ipaddress.ip_network(n) for n in
                      ("::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96"))
# Never a public host: IPv4-compatible addresses (deprecated by RFC 4291, ::1 and :: among
# them) and NAT64's local-use prefix (RFC 8215), which a network sets up for itself.
_NEVER_PUBLIC = tuple(ipaddress.ip_network(n) for n in ("::/96", "64:ff9b:1::/48"))


class OffSite(Exception):
    """A URL the crawl must not request; `reason` says why, for the manifest."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def resolve_host(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (IPv4 and IPv6), as strings, in the system's order
    of preference."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_internal(address: IPAddress) -> bool:
    """Loopback, private, link-local (cloud metadata at 169.254.169.254), shared, reserved,
    multicast or unspecified: anything not on the public internet. An IPv6 address that
    carries an IPv4 one (IPv4-mapped, NAT64, 6to4, Teredo) is internal when that one is."""
    if isinstance(address, ipaddress.IPv6Address):
        if any(address in net for net in _NEVER_PUBLIC):
            return True
        if any(address in net for net in _CARRIES_IPV4):
            return is_internal(ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF))
        if any(is_internal(v4) for v4 in embedded_ipv4(address)):
            return True
    return not address.is_global or address.is_multicast


def embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses a 6to4 (2002::/16) or Teredo (2001::/32) address tunnels to."""
    if address.sixtofour is not None:
        return (address.sixtofour,)
    return address.teredo or ()


def port_of(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or DEFAULT_PORTS.get(parts.scheme, 80)


class SitePolicy:
    """The start URL's host and the operator's extra hosts, on the start URL's port (or on
    http's and https's standard ports when the start URL uses one of them, so that a site
    may move to https). Internal addresses are refused after DNS resolution unless the start
    host itself resolves to them (a crawl of a loopback test site works, a redirect from it
    to 127.0.0.2 or to another port of 127.0.0.1 does not).

    `resolve` is asked about each host once per crawl; `check` returns the checked addresses,
    and those are the only ones a request may connect to.
    """

    def __init__(self, start_url: str, extra_hosts: Iterable[str] = (),
                 resolve: Resolve = resolve_host) -> None:
        start = (urlsplit(start_url).hostname or "").lower()
        self.extra_hosts = frozenset(h.strip().lower() for h in extra_hosts if h.strip())
        self.hosts = self.extra_hosts | {start}
        self.resolve = resolve
        port = port_of(start_url)
        self.ports = frozenset(DEFAULT_PORTS.values()) if port in DEFAULT_PORTS.values() else {port}
        self._addresses: dict[str, tuple[IPAddress, ...]] = {}
        try:
            own = self._lookup(start) if start else ()
        except (OSError, UnicodeError, ValueError):
            own = ()  # the start request itself will fail and say why
        self.start_addresses = frozenset(own)

    def allows_host(self, url: str) -> bool:
        """Whether `url` is http(s) on one of the crawl's hosts (no DNS lookup)."""
        parts = urlsplit(url)
        return parts.scheme in DEFAULT_PORTS and (parts.hostname or "").lower() in self.hosts

    def check(self, url: str) -> tuple[IPAddress, ...]:
        """The addresses `url` may be requested at, in order of preference.

        :raises OffSite: unless `url` may be requested now.
        """
        if not self.allows_host(url):
            host = urlsplit(url).hostname or url
            raise OffSite(f"refused: {host} is not one of the crawl's hosts "
                          f"({', '.join(sorted(self.hosts))}; add hosts with CASEBOOK_CRAWL_ALLOWED_HOSTS)")
        host = (urlsplit(url).hostname or "").lower()
        try:
            port = port_of(url)
        except ValueError as exc:  # a port out of range or not a number
            raise OffSite(f"refused: {exc}") from None
        if port not in self.ports:
            allowed = " or ".join(str(p) for p in sorted(self.ports))
            raise OffSite(f"refused: port {port} of {host} is not the crawl's port ({allowed})")
        try:
            addresses = self._lookup(host)
        except (OSError, UnicodeError, ValueError) as exc:
            raise OffSite(f"connection failed (cannot resolve {host}: {exc})") from None
        for address in addresses:
            if is_internal(address) and address not in self.start_addresses:
                raise OffSite(f"refused: {host} resolves to the internal address {address}")
        return addresses

    def _lookup(self, host: str) -> tuple[IPAddress, ...]:
        """The host's addresses: resolved on first use, then the same for the whole crawl.
        A failed lookup is not remembered, so a later request may try again."""
        if host not in self._addresses:
            found = tuple(ipaddress.ip_address(a.split("%", 1)[0])
                          for a in self.resolve(host, min(self.ports)))
            if not found:
                raise OSError("no addresses")
            self._addresses[host] = found
        return self._addresses[host]
