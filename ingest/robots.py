"""robots.txt for the crawler: turn a site's answer into "may we fetch this URL?" (RFC 9309)."""

from __future__ import annotations

import urllib.robotparser
from dataclasses import dataclass
from urllib.parse import urlsplit

# A hostile or mistaken Crawl-delay of hours would stall a crawl forever; past this we stop
# trusting it (the settings' own upper bound for crawl_delay_s).
MAX_CRAWL_DELAY_S = 60.0
# RFC 9309 2.5: a crawler may cap how much robots.txt it parses, at no less than 500 KiB;
# a longer file is read to here and its rules obeyed, not dropped.
MAX_ROBOTS_BYTES = 500 * 1024


def product_token(user_agent: str) -> str:
    """The product token robots.txt groups match: "CasebookBot" in "CasebookBot/0.1 (+...)"."""
    return user_agent.split("/", 1)[0].split()[0] if user_agent.strip() else "*"


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


@dataclass
class RobotsPolicy:
    """The rules of one site for one user agent. `note` says where they came from."""

    parser: urllib.robotparser.RobotFileParser
    agent: str
    note: str
    reason: str = "disallowed by robots.txt"  # why a URL was skipped, for the manifest

    def allowed(self, url: str) -> bool:
        return self.parser.can_fetch(self.agent, url)

    @property
    def crawl_delay(self) -> float:
        """The site's Crawl-delay for our agent in seconds (0 when none), capped."""
        value = self.parser.crawl_delay(self.agent)
        return min(float(value), MAX_CRAWL_DELAY_S) if value else 0.0

    @classmethod
    def from_text(cls, text: str, agent: str, note: str = "robots.txt") -> RobotsPolicy:
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(text.splitlines())
        return cls(parser, agent, note)

    @classmethod
    def allow_all(cls, agent: str, note: str) -> RobotsPolicy:
        parser = urllib.robotparser.RobotFileParser()
        parser.allow_all = True  # type: ignore[attr-defined]  # set in its __init__; typeshed omits it
        return cls(parser, agent, note)

    @classmethod
    def disallow_all(cls, agent: str, note: str, reason: str = "") -> RobotsPolicy:
        parser = urllib.robotparser.RobotFileParser()
        parser.disallow_all = True  # type: ignore[attr-defined]  # set in its __init__; typeshed omits it
        return cls(parser, agent, note, reason or f"disallowed by robots.txt ({note})")

    @classmethod
    def unreachable(cls, agent: str, error: str) -> RobotsPolicy:
        """RFC 9309 2.3.1.4: a robots.txt we cannot reach means complete disallow."""
        note = f"robots.txt unreachable ({error})"
        return cls.disallow_all(agent, note, f"not fetched: {note}")


def policy_from_response(status: int, body: bytes, agent: str) -> RobotsPolicy:
    """RFC 9309 2.3.1: 2xx rules apply; other 4xx mean no rules; 429 and 5xx mean keep out."""
    if 200 <= status < 300:
        if len(body) >= MAX_ROBOTS_BYTES:  # cut at the cap: drop the last, partial line
            body = body[:MAX_ROBOTS_BYTES]
            end = max(body.rfind(b"\n"), body.rfind(b"\r"))
            body = body[:end] if end > 0 else body
        text = body.decode("utf-8", errors="replace")
        return RobotsPolicy.from_text(text, agent)
    if 400 <= status < 500 and status != 429:
        return RobotsPolicy.allow_all(agent, f"robots.txt answered {status}: no rules")
    return RobotsPolicy.disallow_all(agent, f"robots.txt answered {status}")

