"""The house: the stages' imports run one way, no two files import each other (even through
others), and the wheel's package list matches the folders."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGE_DIRS: dict[str, str] = PYPROJECT["tool"]["setuptools"]["package-dir"]

# Lower layers never import higher ones. Siblings on one layer never import each other:
# the service and the evaluation both stand on the index, neither on the other.
LAYERS: dict[str, int] = {
    "casebook": 0,  # core: settings, errors, records, gazetteer, slugs
    "casebook.ingest": 1,
    "casebook.index": 2,  # the stored index: embed, build, load
    "casebook.index.retrieval": 3,
    "casebook.index.answering": 4,
    # optional: a model writes the answer from what answering chose (service and eval use it)
    "casebook.index.generation": 5,
    "casebook.service": 6,
    "casebook.eval": 6,
    "casebook.cli": 7,
}


def _modules() -> dict[str, Path]:
    """Every module of the project, by import name, found through the package-dir mapping."""
    found: dict[str, Path] = {}
    for package, folder in PACKAGE_DIRS.items():
        root = REPO / folder
        for path in root.rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            name = ".".join([package, *parts])
            # casebook/ is mapped too, but casebook.index's code is in index/, not casebook/index/
            found.setdefault(name, path)
    return found


MODULES = _modules()


def _room(module: str) -> str:
    """The longest LAYERS key that `module` belongs to."""
    return max((r for r in LAYERS if module == r or module.startswith(r + ".")), key=len)


def _imports(module: str, path: Path) -> set[str]:
    """Project modules `module` imports anywhere in its file (type-checking imports too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{a.name}" for a in node.names)
    return {n for n in names if n in MODULES and n != module}


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def test_the_stages_are_where_the_design_card_puts_them() -> None:
    assert PACKAGE_DIRS["casebook.ingest"] == "ingest"
    assert PACKAGE_DIRS["casebook.index"] == "index"
    assert PACKAGE_DIRS["casebook.service"] == "service"
    assert not (REPO / "src").exists()
    assert not (REPO / "casebook" / "index").exists()


def test_the_wheel_lists_every_package_folder() -> None:
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    packages = {m for m, p in MODULES.items() if p.name == "__init__.py"}
    assert listed == packages


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_one_way(module: str) -> None:
    room = _room(module)
    wrong = sorted(
        target for target in GRAPH[module]
        if LAYERS[_room(target)] > LAYERS[room]
        or (LAYERS[_room(target)] == LAYERS[room] and _room(target) != room)
    )
    assert not wrong, f"{module} ({room}) imports {wrong}, which stand above it"


def test_no_import_cycles_between_files() -> None:
    # Tarjan's strongly connected components: any component of two or more files is a cycle
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            # a package's __init__ importing its own modules is not a cycle between files
            files = {MODULES[m] for m in component}
            if len(files) > 1:
                cycles.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert not cycles


@pytest.mark.parametrize("module", sorted(MODULES))
def test_project_code_is_imported_by_its_casebook_name(module: str) -> None:
    # from the repository root index/ is also importable as `index`: a second copy of the module
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    bare = {folder.split("/")[0] for folder in PACKAGE_DIRS.values()} - {"casebook"}
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and not n.level]
    assert not [n for n in names if n.split(".")[0] in bare]


def test_the_checker_sees_a_wrong_way_import() -> None:
    # guard against a checker that passes because it sees nothing
    assert "casebook.index.store" in GRAPH["casebook.index.retrieval.searcher"]
    assert LAYERS[_room("casebook.index.retrieval.searcher")] > LAYERS[_room("casebook.index.store")]


@pytest.mark.slow
def test_the_wheel_installs_the_command_and_the_widget(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys
    import zipfile

    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for folder in set(PACKAGE_DIRS.values()):
        shutil.copytree(REPO / folder, source / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.jsonl"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(tmp_path / "dist"), str(source)],
                   check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("casebook-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(archive.read(n).decode() for n in names if n.endswith("entry_points.txt"))
    assert {"casebook/service/static/widget.js", "casebook/service/static/widget.css",
            "casebook/service/static/index.html", "casebook/data/london_places.json",
            "casebook/index/retrieval/searcher.py", "casebook/ingest/parse.py"} <= names
    assert "casebook = casebook.cli.main:app" in entry_points
    assert not any(n.startswith(("index/", "ingest/", "service/")) for n in names)
