"""Slugs: the readable, stable ids of case studies and the keys filters are matched on."""

from __future__ import annotations

import re
import unicodedata

MAX_ID_CHARS = 60
ID_STOPWORDS = {"a", "an", "and", "the", "of", "in", "to", "for", "with", "on", "at", "by", "from"}

def slugify(text: str, max_chars: int = MAX_ID_CHARS) -> str:
    """Lowercase ASCII hyphenated slug, cut at a word boundary within `max_chars`."""
    text = re.sub(r"['’]", "", text.replace("&", " and "))  # "Lambeth’s" -> "lambeths"
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore")
    words = re.findall(r"[a-z0-9]+", ascii_text.decode().lower())
    kept: list[str] = []
    for word in words:
        if kept and len("-".join([*kept, word])) > max_chars:
            break
        kept.append(word[:max_chars])
    while len(kept) > 1 and kept[-1] in ID_STOPWORDS:
        kept.pop()
    return "-".join(kept)
