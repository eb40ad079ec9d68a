"""Parse the case studies page (an HTML string) into CaseStudy records. Pure: no I/O."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from bs4 import Tag

from casebook.errors import ParseError
from casebook.gazetteer import london
from casebook.ingest.html import (
    anchors,
    base_url,
    clean_text,
    in_chrome,
    links,
    resolve,
    soup_of,
)
from casebook.records import CaseStudy, SourcePage
from casebook.slugs import slugify
from casebook.themes import themes

TITLE_TAGS = ("h3", "h4", "h5", "h6")
BLOCK_TAGS = ("h2", *TITLE_TAGS, "p", "li", "figure", "iframe", "video", "hr")
CHROME_HEADINGS = (
    "jump to section", "explore personalised care", "get in touch", "follow us", "share this page",
    "contact us", "related", "search", "newsletter", "in this section",
)
MEDIA_CLASS = re.compile(r"\b(?:wp-block-embed|embed|video|media)\b", re.IGNORECASE)
# An untitled paragraph that opens like this is a case study teaser, not a section intro.
TEASER = re.compile(r"^(?:Read|Watch|Find out|See|Learn|Discover|Hear|Listen)\s+(?:how|about|more)\b")
MAX_TITLE_WORDS = 40
_BOILERPLATE = re.compile(r"\b(?:social prescribing )?case study\b", re.IGNORECASE)


def slug_from_url(url: str) -> str:
    """Slug of a document URL's last meaningful path segment (extension dropped)."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", segments[-1]) if segments else parts.netloc
    if stem.lower() in {"index", "download", "view", "file"} and len(segments) > 1:
        stem = segments[-2]
    return slugify(stem + (" " + parts.query if parts.query else ""))


@dataclass
class _Item:
    section: str
    anchor: str
    title: str | None
    paragraphs: list[str] = field(default_factory=list)
    blocks: list[Tag] = field(default_factory=list)
    link: str = ""  # href of the title, when the title is a link


def parse_page(html: str, url: str) -> list[CaseStudy]:
    """Every case study on the page, in page order.

    Sections are `<h2>` headings; inside one, a case study is a list item, a title (`<h3>`–`<h6>`
    or a paragraph that is all bold) with the paragraphs after it, or an untitled paragraph that
    follows a video or opens like a teaser ("Read how…"). Other paragraphs before the first case
    study are the section's introduction. Truncated or malformed HTML yields what it holds.

    :raises ParseError: when the page has no section with a recognisable case study.
    """
    soup = soup_of(html)
    base = base_url(soup, url)
    root = soup.find("main") or soup.find("article") or soup.body or soup
    items: list[_Item] = []
    section: tuple[str, str] | None = None
    current: _Item | None = None
    after_media = False
    for el in _blocks(root):
        if el.name == "h2":
            name = clean_text(el.get_text())
            section = None if _is_chrome_heading(name) else (name, _anchor(el, name))
            current, after_media = None, False
            continue
        if section is None:
            continue
        if _is_media(el):
            if current is None or current.paragraphs:  # else: a picture between title and body
                current, after_media = None, True
            continue
        text = clean_text(el.get_text())
        if not text:
            continue
        if el.name in TITLE_TAGS or (el.name == "p" and _is_bold_title(el, text)):
            current = _Item(*section, title=text, blocks=[el], link=_title_link(el, base))
            items.append(current)
        elif el.name == "li":
            if current is not None:  # a bulleted list inside a case study's body
                current.paragraphs.append(text)
                current.blocks.append(el)
            elif not _is_anchor_list_item(el):
                items.append(_Item(*section, title=text, blocks=[el], link=_title_link(el, base)))
        elif current is None or (TEASER.match(text) and current.paragraphs):
            if after_media or TEASER.match(text):
                current = _Item(*section, title=None, paragraphs=[text], blocks=[el])
                items.append(current)
            # otherwise: the section's introduction
        elif current.paragraphs and _continues(current.paragraphs[-1], text):
            current.paragraphs[-1] += " " + text
            current.blocks.append(el)
        else:
            current.paragraphs.append(text)
            current.blocks.append(el)
        after_media = False
    if not items:
        raise ParseError(
            f"No case study sections found in {url}: expected <h2> section headings followed by "
            "case study headings, paragraphs or list items.",
            hint="Check that the snapshot holds the case studies page, not an error or login page.",
        )
    return _assign_ids([_to_case_study(item, url, base) for item in items])


def parse_source_page(html: str, url: str) -> SourcePage:
    """The page's address, its title (`<h1>`, else `<title>`) and the paragraphs that open it,
    before its first section or list; none where it opens on a section. Malformed HTML yields
    what it holds."""
    soup = soup_of(html)
    root = soup.find("main") or soup.find("article") or soup.body or soup
    heading = root.find("h1") or soup.find("h1") or soup.find("title")
    intro: list[str] = []
    for el in _blocks(root):
        if el.name != "p":
            break  # a section heading, a list or a video: the opening is over
        text = clean_text(el.get_text())
        if text and not _is_bold_title(el, text):
            intro.append(text)
    title = clean_text(heading.get_text()) if isinstance(heading, Tag) else ""
    return SourcePage(url=url, title=title, intro=tuple(intro))


def _blocks(root: Tag) -> list[Tag]:
    """Block elements in document order, skipping site chrome and blocks nested in blocks."""
    out: list[Tag] = []
    for el in root.find_all(lambda t: t.name in BLOCK_TAGS or _is_media(t)):
        if in_chrome(el):
            continue
        if any(p.name in ("p", "li", *TITLE_TAGS, "figure") or _is_media(p) for p in el.parents):
            continue
        out.append(el)
    return out


def _is_media(el: Tag) -> bool:
    if el.name in ("figure", "iframe", "video", "hr"):
        return True
    if el.name != "div":
        return False
    classes: Iterable[str] = el.get("class") or []
    return any(MEDIA_CLASS.search(c) for c in classes) and not el.find(["p", "h2", *TITLE_TAGS])


def _is_chrome_heading(name: str) -> bool:
    key = name.lower().rstrip(":").strip()
    return not key or any(key.startswith(c) for c in CHROME_HEADINGS)


def _anchor(h2: Tag, name: str) -> str:
    for candidate in (h2, h2.find("a", id=True), h2.find("a", attrs={"name": True})):
        if isinstance(candidate, Tag):
            value = candidate.get("id") or candidate.get("name")
            if isinstance(value, str) and value:
                return value
    parent = h2.parent
    if isinstance(parent, Tag) and parent.name == "section" and isinstance(parent.get("id"), str):
        return str(parent["id"])
    return slugify(name)


def _is_bold_title(el: Tag, text: str) -> bool:
    if len(text.split()) > MAX_TITLE_WORDS:
        return False
    outer = [b for b in el.find_all(["strong", "b"]) if b.find_parent(["strong", "b"]) is None]
    bold = "".join(b.get_text() for b in outer)
    return clean_text(bold) == text


def _title_link(el: Tag, base: str) -> str:
    """The URL of a title that is a link (the whole title, or its only link)."""
    parent_link = el.find_parent("a", href=True)
    found = [parent_link] if isinstance(parent_link, Tag) else [
        a for a in el.find_all("a", href=True) if not str(a["href"]).startswith("#")]
    return resolve(str(found[0]["href"]), base) if len(found) == 1 else ""


def _is_anchor_list_item(el: Tag) -> bool:
    """A table-of-contents entry: a list item that is only an in-page link."""
    links = el.find_all("a", href=True)
    return bool(links) and all(str(a["href"]).startswith("#") for a in links)


def _continues(previous: str, text: str) -> bool:
    """A paragraph split mid-sentence: no closing punctuation, then a lowercase start."""
    return not re.search(r"[.!?:;…”’\")]$", previous) and text[:1].islower()


def _same_site(link: str, page_url: str) -> bool:
    # Off-site links (a YouTube video) make poor ids: "watch-v-…" says nothing.
    return bool(link) and urlsplit(link).netloc.lower() == urlsplit(page_url).netloc.lower()


def _same_site_links(blocks: list[Tag], page_url: str, base: str) -> tuple[str, ...]:
    found = links((a for block in blocks for a in anchors(block)), base, exclude=page_url)
    return tuple(link for link in found if _same_site(link, page_url))


def derive_title(paragraph: str, max_words: int = 10) -> str:
    """A title for an untitled case study: its leading proper name, else its opening words."""
    words = paragraph.split()
    name: list[str] = []
    for word in words:
        if not word[:1].isupper():
            break
        name.append(word)
    if 2 <= len(name) < len(words):
        return " ".join(name).rstrip(",;:")
    opening = TEASER.sub("", paragraph).strip()
    opening = re.split(r"(?<=[.!?])\s", opening, maxsplit=1)[0].rstrip(".!?")
    cut = opening.split()[:max_words]
    title = " ".join(cut).rstrip(",;:")
    return title[:1].upper() + title[1:]


def _to_case_study(item: _Item, page_url: str, base: str) -> CaseStudy:
    title = item.title or derive_title(item.paragraphs[0])
    # An untitled case study's derived title is already the start of its text.
    parts = ([item.title] if item.title else []) + item.paragraphs
    text = "\n\n".join(parts)
    return CaseStudy(
        id=slug_from_url(item.link) if _same_site(item.link, page_url) else _title_slug(title),
        title=title,
        section=item.section,
        url=item.link or f"{page_url}#{item.anchor}",
        text=text,
        boroughs=london().find(text),
        links=_same_site_links(item.blocks, page_url, base),
        sources=(page_url,),
        themes=themes().assign(text),
    )


def _title_slug(title: str) -> str:
    # "Social Prescribing Case Study_Covid-19 …": the boilerplate says nothing about which one.
    return slugify(_BOILERPLATE.sub(" ", title.replace("_", " "))) or slugify(title)


def _assign_ids(cases: list[CaseStudy]) -> list[CaseStudy]:
    """Make ids unique from content alone (section, then text hash), never from position."""
    cases = _drop_exact_duplicates(cases)
    suffixes: tuple[Callable[[CaseStudy], str], ...] = (
        lambda c: slugify(c.section, 30), lambda c: hashlib.sha1(c.text.encode()).hexdigest()[:8])
    for suffix in suffixes:
        counts: dict[str, int] = {}
        for case in cases:
            counts[case.id] = counts.get(case.id, 0) + 1
        cases = [replace(c, id=f"{c.id}-{suffix(c)}") if counts[c.id] > 1 else c for c in cases]
    check_unique_ids(cases)
    return cases


def _drop_exact_duplicates(cases: list[CaseStudy]) -> list[CaseStudy]:
    seen: set[CaseStudy] = set()
    out = []
    for case in cases:
        if case not in seen:
            seen.add(case)
            out.append(case)
    return out


def check_unique_ids(cases: list[CaseStudy]) -> None:
    """:raises ParseError: naming every id that more than one case study has."""
    counts: dict[str, int] = {}
    for case in cases:
        counts[case.id] = counts.get(case.id, 0) + 1
    duplicates = sorted(i for i, n in counts.items() if n > 1)
    if duplicates:
        raise ParseError(
            f"Duplicate case study ids: {', '.join(duplicates)}.",
            hint="Two case studies have the same title and text; check the source page.",
        )
