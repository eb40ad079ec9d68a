"""Stop-word lists, read from `casebook/data/stopwords.json`: bm25s's lists, copied with their
source by scripts/copy_stopwords.py, so that serving reads them without importing bm25s (and
with it scipy). A test checks they still equal bm25s's."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

DATA_FILE = "stopwords.json"


@lru_cache(maxsize=1)
def _lists() -> dict[str, frozenset[str]]:
    text = resources.files("casebook").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    return {entry["name"]: frozenset(entry["words"]) for entry in json.loads(text)["entries"]}


def stopwords(name: str) -> frozenset[str]:
    """bm25s's STOPWORDS_<name> list ("EN", "EN_PLUS", "FRENCH"…)."""
    lists = _lists()
    if name not in lists:
        raise ValueError(f"No stop-word list {name!r} in casebook/data/{DATA_FILE}; it has "
                         f"{', '.join(sorted(lists))}. Add the name to scripts/copy_stopwords.py "
                         "and run it.")
    return lists[name]
