"""bm25s's stop-word lists, read without importing the bm25s package.

`import bm25s` imports scipy (about 0.15 s and 15 MB in a serving process that has no other use
for it); the lists themselves are a plain Python file of tuples inside the package, which is
executed on its own here. The index build, which needs bm25s proper, imports it as usual.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from casebook.errors import CasebookError


@lru_cache(maxsize=1)
def _lists() -> ModuleType:
    loaded = sys.modules.get("bm25s.stopwords")
    if loaded is not None:
        return loaded
    package = importlib.util.find_spec("bm25s")  # finds the package without importing it
    if package is None or not package.submodule_search_locations:
        raise CasebookError("bm25s is not installed.", hint="Run `scripts/setup`.")
    path = Path(list(package.submodule_search_locations)[0]) / "stopwords.py"
    spec = importlib.util.spec_from_file_location("casebook.index._bm25s_stopwords", path)
    if spec is None or spec.loader is None:
        raise CasebookError(f"Cannot read bm25s's stop words from {path}.")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stopwords(name: str) -> frozenset[str]:
    """bm25s's STOPWORDS_<name> list ("EN", "EN_PLUS", "FRENCH"…)."""
    return frozenset(getattr(_lists(), f"STOPWORDS_{name}"))
