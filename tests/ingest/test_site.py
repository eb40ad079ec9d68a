"""Which hosts, ports and addresses a crawl may request (pure: DNS is a table here)."""

from __future__ import annotations

import ipaddress
import re

import pytest

from casebook.ingest.site import OffSite, SitePolicy, is_internal
from casebook.settings import Settings

DNS = {
    "site.example": ["93.184.216.34"],
    "cdn.example": ["151.101.1.1", "2a04:4e42::1"],
    "sneaky.example": ["93.184.216.35", "10.0.0.5"],  # one public, one private answer
    "rebound.example": ["169.254.169.254"],
    "loopback.test": ["127.0.0.1"],
}


def resolve(host: str, port: int) -> list[str]:
    if host not in DNS:
        raise OSError("Name or service not known")
    return DNS[host]


@pytest.mark.parametrize(("address", "internal"), [
    ("93.184.216.34", False), ("2a04:4e42::1", False),
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True),
    ("10.1.2.3", True), ("172.16.0.1", True), ("192.168.1.1", True), ("fd00:ec2::254", True),
    ("169.254.169.254", True), ("fe80::1", True),  # link-local: cloud metadata services
    ("100.100.100.200", True),  # shared address space (Alibaba Cloud's metadata)
    ("0.0.0.0", True), ("224.0.0.1", True), ("::ffff:127.0.0.1", True), ("::ffff:8.8.8.8", False),
    # IPv6 forms that reach an IPv4 address are judged by that address
    ("64:ff9b::a9fe:a9fe", True), ("64:ff9b::169.254.169.254", True),  # NAT64 of the metadata
    ("64:ff9b::7f00:1", True), ("64:ff9b::808:808", False),  # NAT64 of 8.8.8.8 is public
    ("64:ff9b:1::808:808", True),  # NAT64's local-use prefix is a network's own
    ("::ffff:0:7f00:1", True), ("::ffff:0:a9fe:a9fe", True),  # IPv4-translated (SIIT)
    ("::7f00:2", True), ("::127.0.0.1", True), ("::a9fe:a9fe", True),  # IPv4-compatible,
    ("::8.8.8.8", True),  # deprecated: never a public host's address
    ("2002:7f00:1::1", True), ("2002:a9fe:a9fe::1", True), ("2002:a00:1::", True),  # 6to4
    ("2002:808:808::1", False),
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", True),  # Teredo, client 127.0.0.1
    ("2001:0:a9fe:a9fe::1", True),  # Teredo, server 169.254.169.254
])
def test_internal_addresses(address: str, internal: bool) -> None:
    assert is_internal(ipaddress.ip_address(address)) is internal


@pytest.mark.parametrize(("url", "refusal"), [
    ("https://site.example/page", None),
    ("http://SITE.example/page", None),  # http's standard port, as https's is the start's
    ("http://SITE.example:8080/other-port", "refused: port 8080 of site.example is not the "
                                            "crawl's port (80 or 443)"),
    ("https://cdn.example/file.pdf", None),  # listed by the operator
    ("https://cdn.example:8443/file.pdf", "port 8443 of cdn.example is not the crawl's port"),
    ("https://elsewhere.example/", "refused: elsewhere.example is not one of the crawl's hosts"),
    ("ftp://site.example/file", "is not one of the crawl's hosts"),
    ("https://sneaky.example/", "refused: sneaky.example resolves to the internal address 10.0.0.5"),
    ("https://rebound.example/latest/meta-data/", "resolves to the internal address 169.254.169.254"),
    ("https://missing.example/", "cannot resolve missing.example"),
])
def test_public_start_host(url: str, refusal: str | None) -> None:
    policy = SitePolicy("https://site.example/start",
                        ["cdn.example", "sneaky.example", "rebound.example", "missing.example"],
                        resolve)
    if refusal is None:
        policy.check(url)
    else:
        with pytest.raises(OffSite, match=re.escape(refusal)):
            policy.check(url)


def test_a_loopback_start_host_may_use_its_own_address_and_port_only() -> None:
    policy = SitePolicy("http://127.0.0.1:8000/", ["127.0.0.2", "loopback.test"],
                        lambda host, port: [host] if host[0].isdigit() else resolve(host, port))
    assert policy.check("http://127.0.0.1:8000/page") == (ipaddress.ip_address("127.0.0.1"),)
    policy.check("http://loopback.test:8000/")  # resolves to the start host's own address
    with pytest.raises(OffSite, match=r"127\.0\.0\.2 resolves to the internal address 127\.0\.0\.2"):
        policy.check("http://127.0.0.2:8000/")
    for elsewhere in ("http://127.0.0.1:9999/redis", "http://loopback.test:6379/",
                      "http://127.0.0.1/", "https://127.0.0.1/"):
        with pytest.raises(OffSite, match=r"refused: port \d+ of .* is not the crawl's port \(8000\)"):
            policy.check(elsewhere)
    assert policy.allows_host("http://127.0.0.2/") and not policy.allows_host("http://10.0.0.1/")


class CountingResolver:
    """A DNS that answers from a list of answers per host, one answer per question, and
    repeats the last: a rebinding attacker answers a public address, then an internal one."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        given = self.answers[host]
        return given[min(self.asked.count(host), len(given)) - 1]


def test_each_host_is_resolved_once_and_requests_go_to_the_checked_address() -> None:
    dns = CountingResolver({"site.example": [["93.184.216.34"], ["169.254.169.254"]],
                            "cdn.example": [["151.101.1.1", "2a04:4e42::1"], ["10.0.0.5"]]})
    policy = SitePolicy("https://site.example/", ["cdn.example"], dns)
    public = ipaddress.ip_address("93.184.216.34")
    for path in ("/", "/a", "/b"):
        assert policy.check("https://site.example" + path) == (public,)
    cdn = tuple(ipaddress.ip_address(a) for a in ("151.101.1.1", "2a04:4e42::1"))
    assert policy.check("https://cdn.example/x.pdf") == cdn
    assert policy.check("http://cdn.example/y.pdf") == cdn
    assert dns.asked == ["site.example", "cdn.example"]  # the rebound answers never asked for


def test_a_failed_lookup_is_asked_again() -> None:
    calls: list[str] = []

    def flaky(host: str, port: int) -> list[str]:
        calls.append(host)
        if len(calls) < 3:
            raise OSError("Temporary failure in name resolution")
        return ["93.184.216.34"]

    policy = SitePolicy("https://site.example/", (), flaky)  # the first lookup fails
    with pytest.raises(OffSite, match=r"cannot resolve site\.example"):
        policy.check("https://site.example/")
    assert policy.check("https://site.example/") == (ipaddress.ip_address("93.184.216.34"),)
    policy.check("https://site.example/again")
    assert len(calls) == 3


@pytest.mark.parametrize("value", ["a.example, b.example", '["a.example", "b.example"]'])
def test_allowed_hosts_setting_from_the_environment(
        monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CASEBOOK_CRAWL_ALLOWED_HOSTS", value)
    assert Settings().crawl_allowed_hosts == ["a.example", "b.example"]


def test_allowed_hosts_must_be_host_names() -> None:
    with pytest.raises(ValueError, match=r"give host names, not URLs: https://cdn\.example/"):
        Settings(crawl_allowed_hosts="site.example, https://cdn.example/")  # type: ignore[arg-type]
