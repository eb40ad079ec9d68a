"""Copies bm25s's stop-word lists into `casebook/data/stopwords.json`, so that serving reads them
without importing bm25s (which imports scipy: about 0.15 s and 15 MB of a process with no other
use for it). Run it after upgrading bm25s (tests/index/text/test_stopwords.py fails until then):

    .venv/bin/python scripts/copy_stopwords.py
"""

from __future__ import annotations

import importlib.metadata
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DATA_FILE = REPO / "casebook" / "data" / "stopwords.json"
# the lists Casebook reads: English for BM25 and answering, the rest to tell a question's language
LISTS = ("EN", "EN_PLUS", "DUTCH", "FRENCH", "GERMAN", "ITALIAN", "PORTUGUESE", "RUSSIAN",
         "SPANISH", "TURKISH")


def generate() -> dict[str, Any]:
    """The data file's content, from the installed bm25s."""
    from bm25s import stopwords as lists

    source = f"bm25s {importlib.metadata.version('bm25s')}, bm25s/stopwords.py"
    return {
        "about": f"Stop words as {source} ships them (STOPWORDS_<name>), copied by "
                 "scripts/copy_stopwords.py so that serving reads them without importing bm25s.",
        "entries": [{"name": name, "source": f"{source}: STOPWORDS_{name}",
                     "words": list(getattr(lists, f"STOPWORDS_{name}"))} for name in LISTS],
    }


def main() -> None:
    DATA_FILE.write_text(json.dumps(generate(), indent=1, ensure_ascii=False) + "\n",
                         encoding="utf-8")
    print(f"wrote {DATA_FILE.relative_to(REPO)}", file=sys.stderr)


if __name__ == "__main__":
    main()
