"""Text of the pages and PDFs a case study links to, and merging it into that case study. Pure."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, replace

from casebook.gazetteer import london
from casebook.ingest.html import CHROME_TAGS, clean_text, soup_of
from casebook.records import CaseStudy
from casebook.themes import themes

_DROP = (*CHROME_TAGS, "iframe")  # an iframe's content is fallback text for old browsers
_TEXT_BLOCKS = (
    "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "blockquote", "pre", "dt", "dd", "figcaption",
)


@dataclass(frozen=True)
class LinkedDocument:
    """The text of one linked page or PDF; `url` as linked, `final_url` after redirects."""

    url: str
    text: str  # paragraphs separated by blank lines; "" when nothing could be read
    final_url: str = ""


def html_to_text(html: str) -> str:
    """The main text of a page (main/article, else body) without chrome, as paragraphs."""
    soup = soup_of(html)
    for tag in soup.find_all(_DROP):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.find(role="main") or soup.body or soup
    paragraphs = []
    for block in root.find_all(_TEXT_BLOCKS):
        if block.find_parent(_TEXT_BLOCKS) is not None:
            continue  # its text is in the enclosing block
        text = clean_text(block.get_text())
        if text:
            paragraphs.append(text)
    if not paragraphs:  # text straight in divs: better flat than nothing
        return clean_text(root.get_text(" "))
    return "\n\n".join(paragraphs)


def pdf_to_text(data: bytes) -> str:
    """The text of a PDF, a page's blank-line-separated blocks as paragraphs; "" if unreadable."""
    try:
        from pypdf import PdfReader

        with warnings.catch_warnings():
            # A damaged PDF makes pypdf warn; it is recorded as "no text", not a test failure.
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data))
            pages = [page.extract_text() or "" for page in reader.pages]
    except Exception:  # noqa: BLE001 - pypdf raises many types for broken files; any means no text
        return ""
    paragraphs: list[str] = []
    for page in pages:
        page = re.sub(r"(?<=[a-z])-\n(?=[a-z])", "", page)  # words hyphenated across lines
        for block in re.split(r"\n\s*\n", page):
            text = clean_text(block)
            if text:
                paragraphs.append(text)
    return "\n\n".join(paragraphs)


def merge_linked(cases: Iterable[CaseStudy], docs: Iterable[LinkedDocument]) -> list[CaseStudy]:
    """Cases with the text of every document they link to appended, in document order.

    A document joins each case study whose `links` hold its url or final_url. Paragraphs the
    case already has are not repeated. The document's URL is added to `sources`, becomes the
    case's `url` if that was only an anchor on the source page, and boroughs and themes are
    found again.
    Documents with no text are skipped.
    """
    merged = list(cases)
    for doc in docs:
        if not doc.text.strip():
            continue
        targets = {doc.url, doc.final_url} - {""}
        for k, case in enumerate(merged):
            if targets & set(case.links):
                merged[k] = _merge_one(case, doc)
    return merged


def _merge_one(case: CaseStudy, doc: LinkedDocument) -> CaseStudy:
    have = set(case.text.split("\n\n"))
    new = [p for p in doc.text.split("\n\n") if p.strip() and p not in have]
    text = "\n\n".join([case.text, *new]) if new else case.text
    doc_url = doc.final_url or doc.url
    sources = case.sources if doc_url in case.sources else (*case.sources, doc_url)
    on_source_page = bool(case.sources) and case.url.split("#", 1)[0] == case.sources[0]
    url = doc_url if on_source_page and "#" in case.url else case.url
    return replace(case, text=text, sources=sources, url=url, boroughs=london().find(text),
                   themes=themes().assign(text))
