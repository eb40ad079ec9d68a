"""The stop words are a data file with its source, equal to bm25s's lists, read without bm25s."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from bm25s import stopwords as bm25s_lists
from dev_scripts import load_script

from casebook.index.text.stopwords import stopwords

copying = load_script("copy_stopwords")


def _written() -> dict:
    return json.loads(copying.DATA_FILE.read_text(encoding="utf-8"))


def test_the_file_is_what_copying_bm25s_gives() -> None:
    assert _written() == copying.generate(), "run `.venv/bin/python scripts/copy_stopwords.py`"


@pytest.mark.parametrize("name", copying.LISTS)
def test_each_list_equals_bm25s(name: str) -> None:
    library = getattr(bm25s_lists, f"STOPWORDS_{name}")
    entry = next(e for e in _written()["entries"] if e["name"] == name)
    assert tuple(entry["words"]) == library
    assert stopwords(name) == frozenset(library)
    assert "bm25s" in entry["source"] and f"STOPWORDS_{name}" in entry["source"]


def test_the_header_names_the_source() -> None:
    about = _written()["about"]
    assert "bm25s 0.3" in about and "bm25s/stopwords.py" in about


def test_an_unknown_list_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="EN_PLUS"):
        stopwords("KLINGON")


def test_reading_them_imports_neither_bm25s_nor_scipy() -> None:
    code = ("import sys; from casebook.index.text.stopwords import stopwords; "
            "assert 'the' in stopwords('EN'); print('bm25s' in sys.modules, 'scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.split() == ["False", "False"]
