"""The type checker `make test` runs (scripts/typecheck.py) sees the package through its
package-dir mapping and catches a misspelt record field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _typecheck(code: str, folder: Path) -> subprocess.CompletedProcess[str]:
    # a file, not `-c`: mypy names `-c` code __main__, which third-party modules import, so
    # their cached analysis would go stale on every run
    probe = folder / "typecheck_probe.py"
    probe.write_text(code, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(REPO / "scripts" / "typecheck.py"), str(probe)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


# casebook.index.retrieval lives in index/retrieval/: found only through the mapping
SNIPPET = """
from casebook.index.retrieval.searcher import Searcher
from casebook.records import Passage

def lead(passages: list[Passage], searcher: Searcher) -> str:
    return passages[0].{field}
"""


def test_a_real_field_passes(tmp_path: Path) -> None:
    done = _typecheck(SNIPPET.format(field="case_id"), tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout


def test_a_misspelt_field_is_an_error(tmp_path: Path) -> None:
    done = _typecheck(SNIPPET.format(field="case_idd"), tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert '"Passage" has no attribute "case_idd"' in done.stdout
