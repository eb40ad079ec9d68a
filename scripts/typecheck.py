"""Type-check the project's packages with mypy: `.venv/bin/python scripts/typecheck.py`.

Arguments, if any, replace the target `-p casebook` (for example a file to check against the
package, as tests/test_typecheck.py does).

Why not plain `mypy -p casebook`: the stages live at the repository root (ingest/, index/,
service/, eval/) but import as `casebook.*` through pyproject's [tool.setuptools.package-dir].
Static tools cannot follow that mapping:
- the default editable install resolves it with an import hook (a finder in site-packages),
  which mypy and pyright do not run;
- `editable_mode=compat` only puts the repository root on sys.path, where `casebook.index`
  would be casebook/index/, which does not exist (so it breaks the package at run time too);
- `editable_mode=strict` links file by file, so a new module is invisible until reinstalled;
- mypy's `mypy_path` and `explicit_package_bases` name a module after its folder (`index.x`).
So this script builds the package as Python sees it, as a tree of symlinks under
build/typecheck/ (folders are linked whole, so new modules show up), runs mypy there with the
[tool.mypy] settings in pyproject.toml, and prints mypy's paths as the files in the repository.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TREE = REPO / "build" / "typecheck"


def package_dirs(pyproject: Path) -> dict[str, str]:
    """The package-dir table: import name -> folder, relative to the repository."""
    table = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    return dict(table["tool"]["setuptools"]["package-dir"])


def build_tree(mapping: dict[str, str], repo: Path, tree: Path) -> dict[str, str]:
    """Link each mapped package into `tree` at its import path; returns tree path -> repo path
    prefixes (with a trailing slash) for translating mypy's output back."""
    old = tree / mapping_root(mapping)
    if old.is_symlink():
        old.unlink()
    elif old.exists():
        shutil.rmtree(old)  # removes the links, never what they point to
    prefixes: dict[str, str] = {}
    for name, folder in sorted(mapping.items()):
        dest = tree.joinpath(*name.split("."))
        source = repo / folder
        nested = [n for n in mapping if n.startswith(name + ".")]
        if nested:
            # A package with other packages mapped inside it: a real folder of its own entries,
            # beside which the nested ones are linked.
            dest.mkdir(parents=True, exist_ok=True)
            shadowed = {n.split(".")[len(name.split("."))] for n in nested}
            for entry in source.iterdir():
                if entry.name not in shadowed and entry.name != "__pycache__":
                    (dest / entry.name).symlink_to(entry)
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.symlink_to(source, target_is_directory=True)
        prefixes[dest.relative_to(tree).as_posix() + "/"] = folder.rstrip("/") + "/"
    return prefixes


def mapping_root(mapping: dict[str, str]) -> str:
    """The one top-level package the mapping describes (`casebook`)."""
    roots = {name.split(".")[0] for name in mapping}
    if len(roots) != 1:
        raise SystemExit(f"expected one top-level package in package-dir, found {sorted(roots)}")
    return roots.pop()


def to_repo_paths(text: str, prefixes: dict[str, str]) -> str:
    """Rewrite `casebook/index/x.py:3: error` as `index/x.py:3: error` (longest prefix first)."""
    ordered = sorted(prefixes, key=len, reverse=True)
    pattern = re.compile(r"^(" + "|".join(re.escape(p) for p in ordered) + ")", re.MULTILINE)
    return pattern.sub(lambda m: prefixes[m.group(1)], text)


def main(argv: list[str]) -> int:
    mapping = package_dirs(REPO / "pyproject.toml")
    prefixes = build_tree(mapping, REPO, TREE)
    # mypy runs inside the tree so that it finds `casebook` there (mypy always searches the
    # current directory, before site-packages), not the repository's casebook/ alone.
    command = [
        sys.executable, "-m", "mypy",
        "--config-file", str(REPO / "pyproject.toml"),
        *(argv or ["-p", mapping_root(mapping)]),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=TREE, capture_output=True, text=True, check=False)
    sys.stdout.write(to_repo_paths(done.stdout, prefixes))
    sys.stderr.write(to_repo_paths(done.stderr, prefixes))
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
