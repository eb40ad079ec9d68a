"""Retrieval and answering stay readable: no function there runs past 60 lines or takes more
than 6 parameters (a group of values that travel together is a record instead)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = (REPO / "index" / "retrieval", REPO / "index" / "answering")
MAX_LINES = 60
MAX_PARAMETERS = 6


def oversized(source: str) -> list[tuple[str, int, int]]:
    """(name, lines, parameters) of every function over a limit; `self` and `cls` are not
    counted, *args and **kwargs are."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        args = node.args
        named = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)
                 if a.arg not in ("self", "cls")]
        parameters = len(named) + (args.vararg is not None) + (args.kwarg is not None)
        lines = (node.end_lineno or node.lineno) - node.lineno + 1
        if lines > MAX_LINES or parameters > MAX_PARAMETERS:
            out.append((node.name, lines, parameters))
    return out


def test_the_check_counts_lines_and_parameters() -> None:
    wide = "def f(a, b, c, d, e, f, *, g=1):\n    return a\n"
    long = "def g(self, a):\n" + "    a += 1\n" * MAX_LINES + "    return a\n"
    fine = "class C:\n    def h(self, a, b, c, d, e, f):\n        return a\n"
    assert oversized(wide) == [("f", 2, 7)]
    assert oversized(long) == [("g", MAX_LINES + 2, 1)]
    assert oversized(fine) == []


@pytest.mark.parametrize("path", sorted(p for package in PACKAGES for p in package.glob("*.py")),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_functions_stay_short_and_take_few_parameters(path: Path) -> None:
    found = oversized(path.read_text(encoding="utf-8"))
    assert not found, (f"{path.relative_to(REPO)}: over {MAX_LINES} lines or {MAX_PARAMETERS} "
                       f"parameters (function, lines, parameters): {found}")
