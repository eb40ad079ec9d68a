"""The evaluation notebook runs end to end against a real index and draws its charts."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import nbformat
import pytest
from doc_examples import differences, examples_in
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

from casebook.settings import Settings

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "notebooks" / "evaluate.ipynb"
FIGURES = ("per_kind.png", "reliability.png", "decisions.png")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# One row of the printed metrics table: method, then Hit@1, Recall@5, MRR@10 with intervals.
CELL = r"[01]\.\d{{3}} \[[01]\.\d\d,[01]\.\d\d\]"
ROW = r"^{method}\s+" + r"\s+".join([CELL] * 3) + r"\s*$"
MOST_BYTES = 300_000
REFRESH = "make notebook"  # how the committed outputs are refreshed (with an index built)


def _runs_this_python(argv0: str) -> bool:
    # jupyter_client swaps a bare "python"/"python3"/"python3.X" for sys.executable.
    major, minor = sys.version_info[:2]
    if argv0 in {"python", f"python{major}", f"python{major}.{minor}"}:
        return True
    return Path(argv0).resolve() == Path(sys.executable).resolve()


def _use_this_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make kernel "python3" run this interpreter (the venv's), installing a spec if need be."""
    try:
        spec = KernelSpecManager().get_kernel_spec("python3")
        if spec.argv and _runs_this_python(spec.argv[0]):
            return
    except NoSuchKernel:
        pass
    from ipykernel.kernelspec import install

    prefix = tmp_path / "jupyter"
    install(prefix=str(prefix), kernel_name="python3")
    monkeypatch.setenv("JUPYTER_PATH", str(prefix / "share" / "jupyter"))
    spec = KernelSpecManager().get_kernel_spec("python3")
    assert _runs_this_python(spec.argv[0]), spec.argv


def _text(outputs: list) -> str:
    parts = []
    for output in outputs:
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif output.get("output_type") in {"execute_result", "display_data"}:
            data = output.get("data", {})
            parts.append(data.get("text/markdown", "") or data.get("text/plain", ""))
    return "\n".join(parts)


def test_notebook_is_committed_with_its_outputs() -> None:
    """A reader on GitHub sees the summary, the tables and the charts without running anything."""
    assert NOTEBOOK.stat().st_size < MOST_BYTES, "the committed notebook has grown too large"
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and examples_in(first.source), "open on a plain summary"
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1)), (
        f"run every cell once, in order: `{REFRESH}`")
    outputs = [o for cell in code for o in cell.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= len(FIGURES)
    text = "\n".join(_text(cell.outputs) for cell in code)
    assert re.search(r"^index: var/index$", text, re.M), "the outputs name a machine's folder"
    assert "split test:" in text
    # what differs by machine or run stays out of the diff: folders, timings, kernel state
    assert not re.search(r"(?<![\w.])/(tmp|home|root|work|Users)/", nbformat.writes(nb))
    assert all("execution" not in cell.metadata for cell in code), "record_timing=False"


@pytest.mark.slow
def test_evaluation_notebook_runs(index_settings: Settings, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from nbclient import NotebookClient

    _use_this_python(tmp_path, monkeypatch)
    out = tmp_path / "figures"
    monkeypatch.setenv("CASEBOOK_INDEX_DIR", str(index_settings.index_dir))
    monkeypatch.setenv("CASEBOOK_CORPUS_DIR", str(index_settings.corpus_dir))
    monkeypatch.setenv("CASEBOOK_NOTEBOOK_OUT", str(out))

    nb = nbformat.read(NOTEBOOK, as_version=4)
    started = time.monotonic()
    # Run from notebooks/, as Jupyter would, so the notebook must find the repo root itself.
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    elapsed = time.monotonic() - started

    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code), "a cell did not run"
    errors = [o for cell in code for o in cell.outputs if o.get("output_type") == "error"]
    assert not errors, errors

    text = "\n".join(_text(cell.outputs) for cell in code)
    assert str(index_settings.index_dir) in text, "the notebook did not read CASEBOOK_INDEX_DIR"
    assert "split test:" in text
    assert re.search(r"^method\s+Hit@1\s+Recall@5\s+MRR@10\s*$", text, re.M), text
    assert re.search(r"^in_scope\s+n=\d+\s+answered [01]\.\d{3}", text, re.M), text
    assert "expected calibration error" in text
    for method in ("bm25", "minilm_passage", "e5_passage", "rrf", "fusion"):
        assert re.search(ROW.format(method=re.escape(method)), text, re.M), f"no {method} row:\n{text}"

    # the plain-English summary quotes these figures: they must be what the notebook measures
    for figure in re.findall(r"\*\*([01]\.\d{3})\*\*", nb.cells[0].source):
        assert figure in text, f"the summary quotes {figure}, which the run no longer gives: {REFRESH}"

    inline = [o for cell in code for o in cell.outputs if "image/png" in o.get("data", {})]
    assert len(inline) >= len(FIGURES), "the charts were not displayed inline"
    for name in FIGURES:
        png = out / name
        assert png.is_file(), f"{name} was not saved"
        data = png.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 10_000, f"{name} looks empty"
    assert elapsed < 300


@pytest.mark.slow
def test_the_summary_answers_are_what_the_service_gives(live_server: str) -> None:
    summary = nbformat.read(NOTEBOOK, as_version=4).cells[0].source
    examples = examples_in(summary)
    assert len(examples) >= 3
    problems = differences(examples, live_server, "notebooks/evaluate.ipynb")
    assert not problems, "\n".join(problems) + "\nUpdate the notebook's opening examples."
