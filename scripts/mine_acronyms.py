"""Acronyms the corpus defines itself: "Social Prescribing Link Workers (SPLW)".

Writes `casebook/data/acronyms_corpus.json` from corpus/case_studies.jsonl; run it after the
corpus changes (tests/index/text/test_acronyms.py fails until then):

    .venv/bin/python scripts/mine_acronyms.py

The long form is the shortest run of words before the bracket whose initials spell the
acronym (small words such as "of" and "&" may sit between them). A development tool: serving
reads the file (`casebook.index.text.acronyms`), never this.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus" / "case_studies.jsonl"
DATA_FILE = REPO / "casebook" / "data" / "acronyms_corpus.json"
ABOUT = ("Acronyms the corpus defines itself, mined from corpus/case_studies.jsonl by "
         "scripts/mine_acronyms.py (pattern: Long Form (ACR)).")

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


def generate(corpus: Path = CORPUS) -> dict[str, Any]:
    """The data file's content: the acronyms the case studies of `corpus` define."""
    cases = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    return {"about": ABOUT, "entries": mine((c["id"], c["text"]) for c in cases)}


def main() -> None:
    DATA_FILE.write_text(json.dumps(generate(), indent=1), encoding="utf-8")
    print(f"wrote {DATA_FILE.relative_to(REPO)}", file=sys.stderr)


if __name__ == "__main__":
    main()
