"""Validation of what callers send: queries, k, filters (pure; errors say how to fix it)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from casebook.errors import BadQuery
from casebook.slugs import slugify

MODES = ("hybrid", "dense", "bm25")
# A character that can carry meaning: not a control, not white space (as either Python or a
# JavaScript-style regex engine counts it), not ASCII punctuation. Written with \x and \u
# escapes only, so this one pattern means the same in Python and in the OpenAPI document.
MEANINGFUL = (r"[^\x00-\x2f:-@\[-`{-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f"
              r"\u3000\ufeff]")


def validate_query(text: str | None, max_chars: int, *, what: str = "query") -> str:
    """The query with surrounding white space removed; BadQuery if empty or too long."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise BadQuery(f"The {what} is empty.", hint=f"Send a {what} of 1 to {max_chars} characters.")
    if len(text or "") > max_chars:  # as sent, the length the API documents
        raise BadQuery(f"The {what} is {len(text or '')} characters long; the limit is {max_chars}.",
                       hint="Shorten it to the question itself.")
    if not re.search(MEANINGFUL, cleaned):
        raise BadQuery(f"The {what} has no letters or digits.", hint="Ask a question in words.")
    return cleaned


def validate_k(k: int, max_k: int) -> int:
    if not 1 <= k <= max_k:
        raise BadQuery(f"k must be between 1 and {max_k}; got {k}.")
    return k


def validate_mode(mode: str) -> str:
    if mode not in MODES:
        raise BadQuery(f"Unknown mode {mode!r}.", hint=f"Choose one of: {', '.join(MODES)}.")
    return mode


def match_choice(value: str, choices: Iterable[str], what: str) -> str:
    """The choice equal to `value` ignoring case and punctuation; BadQuery listing them if none."""
    options = sorted(set(choices))
    wanted = slugify(value, max_chars=1000)
    for option in options:
        if slugify(option, max_chars=1000) == wanted:
            return option
    raise BadQuery(f"Unknown {what} {value!r}.", hint=f"Valid values: {'; '.join(options)}.")
