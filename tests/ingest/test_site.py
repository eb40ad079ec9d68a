"""Which hosts and addresses a crawl may request (pure: DNS is a table here)."""

from __future__ import annotations

import ipaddress

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
])
def test_internal_addresses(address: str, internal: bool) -> None:
    assert is_internal(ipaddress.ip_address(address)) is internal


@pytest.mark.parametrize(("url", "refusal"), [
    ("https://site.example/page", None),
    ("http://SITE.example:8080/other-port", None),
    ("https://cdn.example/file.pdf", None),  # listed by the operator
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
        with pytest.raises(OffSite, match=refusal.replace(".", r"\.")):
            policy.check(url)


def test_a_loopback_start_host_may_use_its_own_address_only() -> None:
    policy = SitePolicy("http://127.0.0.1:8000/", ["127.0.0.2", "loopback.test"],
                        lambda host, port: [host] if host[0].isdigit() else resolve(host, port))
    policy.check("http://127.0.0.1:9999/elsewhere-on-the-same-host")
    policy.check("http://loopback.test/")  # resolves to the start host's own address
    with pytest.raises(OffSite, match="127.0.0.2 resolves to the internal address 127.0.0.2"):
        policy.check("http://127.0.0.2:8000/")
    assert policy.allows_host("http://127.0.0.2/") and not policy.allows_host("http://10.0.0.1/")


@pytest.mark.parametrize("value", ["a.example, b.example", '["a.example", "b.example"]'])
def test_allowed_hosts_setting_from_the_environment(
        monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CASEBOOK_CRAWL_ALLOWED_HOSTS", value)
    assert Settings().crawl_allowed_hosts == ["a.example", "b.example"]


def test_allowed_hosts_must_be_host_names() -> None:
    with pytest.raises(ValueError, match="give host names, not URLs: https://cdn.example/"):
        Settings(crawl_allowed_hosts="site.example, https://cdn.example/")  # type: ignore[arg-type]
