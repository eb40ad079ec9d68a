"""The Searcher's public surface: what evaluation, answering, the service and the benchmarks
need from a search is in its records (`Scored`, `CaseResult`, `CaseRows`), never read from the
Searcher's private attributes."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
SEARCHER = REPO / "index" / "retrieval" / "searcher.py"
# every folder of Python the project holds, tests and benchmarks included
FOLDERS = ("casebook", "ingest", "index", "service", "eval", "bench", "scripts", "tests",
           "notebooks")


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def searcher_privates() -> set[str]:
    """The `_names` the Searcher class defines: its private methods and the attributes it sets
    on itself."""
    tree = ast.parse(SEARCHER.read_text(encoding="utf-8"))
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Searcher")
    names = {n.name for n in cls.body
             if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and _private(n.name)}
    names |= {n.attr for n in ast.walk(cls)
              if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store)
              and isinstance(n.value, ast.Name) and n.value.id == "self" and _private(n.attr)}
    return names


def reaches_in(source: str, privates: set[str]) -> list[tuple[int, str]]:
    """(line, name) of every read of one of `privates` on something other than `self`, as an
    attribute or through getattr / setattr / hasattr with the name spelled out."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Attribute) and node.attr in privates
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))):
            found.append((node.lineno, node.attr))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("getattr", "setattr", "hasattr") and len(node.args) >= 2
              and isinstance(node.args[1], ast.Constant) and node.args[1].value in privates):
            found.append((node.lineno, str(node.args[1].value)))
    return found


def _python_files() -> list[Path]:
    files = [p for folder in FOLDERS for p in (REPO / folder).rglob("*.py")]
    return [p for p in files if p != SEARCHER and ".venv" not in p.parts]


def test_the_check_knows_the_searchers_private_names_and_finds_a_reach_in() -> None:
    privates = searcher_privates()
    # what eval and answering used to read, and the scoring stages: all private to searcher.py
    assert {"_case_size", "_passage_row", "_boroughs", "_minilm", "_borough_view"} <= privates
    assert "rows" not in privates and "score" not in privates
    source = ("cases = searcher._case_size\nrow = getattr(s, '_passage_row')\n"
              "ok = searcher.rows.passage_case\nself._minilm('x')\n")
    assert reaches_in(source, privates) == [(1, "_case_size"), (2, "_passage_row")]


def test_no_module_outside_searcher_py_reads_a_private_attribute_of_the_searcher() -> None:
    privates = searcher_privates()
    files = _python_files()
    assert len(files) > 100  # the whole project, not an empty glob
    offences = [f"{path.relative_to(REPO)}:{line}: {name}" for path in files
                for line, name in reaches_in(path.read_text(encoding="utf-8"), privates)]
    assert not offences, "read the Searcher's public surface instead:\n" + "\n".join(offences)
