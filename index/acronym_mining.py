"""Acronyms the corpus defines itself: "Social Prescribing Link Workers (SPLW)".

The long form is the shortest run of words before the bracket whose initials spell the
acronym (small words such as "of" and "&" may sit between them). `casebook/data/acronyms_corpus.json`
is this function's output over corpus/case_studies.jsonl; a test checks the two agree.
"""

from __future__ import annotations

import re
from typing import Iterable

DEFINITION = re.compile(r"\(([A-Z][A-Za-z&]{1,7}?)(s?)\)")
WORD = re.compile(r"[A-Za-z][\w'\-]*|&")
SMALL = {"of", "and", "for", "the", "in", "to", "&", "with", "on"}


def long_form(before: str, acronym: str) -> str | None:
    """The words ending `before` whose initials spell `acronym`, or None."""
    words = WORD.findall(before)[-12:]
    letters = acronym.replace("&", "").lower()
    for start in range(len(words) - 1, -1, -1):
        run = words[start:]
        if run[0].lower() in SMALL:
            continue
        initials = "".join(w[0].lower() for w in run if w.lower() not in SMALL)
        if initials == letters:
            return " ".join(run)
        if len(initials) > len(letters):
            return None
    return None


def mine(texts: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    """[{acronym, expansion, source}] from (case study id, text) pairs, first definition wins."""
    found: dict[str, dict[str, str]] = {}
    for case_id, text in texts:
        for match in DEFINITION.finditer(text):
            acronym = match.group(1)
            if acronym in found or not acronym.isupper():
                continue
            expansion = long_form(text[max(0, match.start() - 200):match.start()], acronym)
            if expansion:
                found[acronym] = {"acronym": acronym, "expansion": expansion.lower(),
                                  "source": f"corpus: {case_id}"}
    return sorted(found.values(), key=lambda e: e["acronym"])
