"""docs/architecture.md lists every module of the project under its folder."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FOLDERS = ("casebook", "ingest", "index", "service", "eval")


def _listed() -> set[str]:
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = text.split("## Every module", 1)[1].split("```")[1]
    listed, folder = set(), ""
    for line in block.splitlines():
        if line.endswith("/") and not line.startswith(" "):
            folder = line
        elif match := re.match(r"\s+(\S+\.py)\s", line + " "):
            listed.add(folder + match.group(1))
    return listed


def test_every_module_is_listed_in_the_architecture_page() -> None:
    modules = {str(p.relative_to(REPO)) for folder in FOLDERS for p in (REPO / folder).rglob("*.py")
               if p.name != "__init__.py"}
    listed = _listed()
    assert not modules - listed, f"add to docs/architecture.md: {sorted(modules - listed)}"
    assert not listed - modules, f"gone, remove from docs/architecture.md: {sorted(listed - modules)}"
