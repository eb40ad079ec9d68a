"""The HTML toolkit crawl, parse and documents share: page chrome, base URL and links.

One list of what counts as site chrome and one way to turn an href into an absolute URL, so
the crawler follows exactly the links the parser later attributes to case studies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

# Site furniture around the content, never part of a case study: menus, banners, sidebars,
# search and newsletter forms, and non-text elements.
CHROME_TAGS = ("nav", "header", "footer", "aside", "form", "script", "style", "noscript", "template")
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_NOT_FOLLOWED = ("#", "mailto:", "tel:", "javascript:", "data:")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


def clean_text(text: str) -> str:
    """Collapse whitespace runs (NBSP included) to one space; drop invisible characters.

    Curly quotes, dashes and other typography are kept exactly as written.
    """
    return re.sub(r"\s+", " ", text.translate(_INVISIBLE).replace("\u00a0", " ")).strip()


def soup_of(html: bytes | str) -> BeautifulSoup:
    """A parsed page; `<br>` becomes a space, since a soft line break does not end a sentence."""
    soup = BeautifulSoup(html, "html.parser")
    for br in soup.find_all("br"):
        br.replace_with(" ")
    return soup


def base_url(soup: BeautifulSoup, url: str) -> str:
    """The URL relative links resolve against: `<base href>` if present, as browsers do."""
    base = soup.find("base", href=True)
    return urljoin(url, str(base["href"])) if isinstance(base, Tag) else url


def in_chrome(el: Tag) -> bool:
    """Whether `el` sits inside site chrome (nav, header, footer, sidebar, form...)."""
    return el.find_parent(CHROME_TAGS) is not None


def resolve(href: str, base: str) -> str:
    """The absolute http(s) URL an href points to, fragment dropped; "" for in-page anchors,
    mailto:, tel:, javascript: and other schemes."""
    href = href.strip()
    if not href or href.lower().startswith(_NOT_FOLLOWED):
        return ""
    url = urldefrag(urljoin(base, href)).url
    return url if urlsplit(url).scheme in ("http", "https") else ""


def anchors(el: Tag) -> list[Tag]:
    """The links inside `el`, and the link around it when it sits in one."""
    found = list(el.find_all("a", href=True))
    around = el.find_parent("a", href=True)
    return [*found, around] if isinstance(around, Tag) else found


def links(tags: Iterable[Tag], base: str, *, exclude: str = "") -> list[str]:
    """Absolute URLs of the `<a href>` tags, in order, each once; `exclude` (the page itself,
    fragment ignored) left out."""
    page = urldefrag(exclude).url if exclude else ""
    out: dict[str, None] = {}
    for tag in tags:
        url = resolve(str(tag["href"]), base)
        if url and url != page:
            out[url] = None
    return list(out)


def page_links(html: bytes | str, url: str) -> list[str]:
    """Absolute http(s) URLs linked from a page's content (not its chrome), each once."""
    soup = BeautifulSoup(html, "html.parser")
    base = base_url(soup, url)
    content = [a for a in soup.find_all("a", href=True) if not in_chrome(a)]
    return links(content, base, exclude=base)
